"""The corpus manifest: which plan documents exist and what they are."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from cchc.errors import CorpusError
from indexer.records import PlanDocument

MANIFEST_NAME = "manifest.toml"


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "mục"
        parts.append(f"{where}: {item['msg']} (giá trị: {item.get('input')!r})")
    return "; ".join(parts)


def load_manifest(corpus_dir: Path) -> tuple[list[PlanDocument], list[str]]:
    """Plans declared in corpus/manifest.toml, and one message per entry that is not valid.

    A bad entry never stops the others from being indexed.
    """
    path = corpus_dir / MANIFEST_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CorpusError(f"Không tìm thấy tệp danh mục {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"Tệp danh mục {path} sai cú pháp TOML: {exc}") from exc
    plans: list[PlanDocument] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, entry in enumerate(data.get("plan", []), start=1):
        name = entry.get("file") or entry.get("id") or f"mục thứ {number}"
        try:
            plan = PlanDocument.model_validate(entry)
        except ValidationError as exc:
            errors.append(f"{path.name}, [[plan]] thứ {number} ({name}): {_describe(exc)}")
            continue
        if plan.id in seen:
            errors.append(f"{path.name}, [[plan]] thứ {number} ({name}): mã kế hoạch «{plan.id}» bị trùng")
            continue
        seen.add(plan.id)
        plans.append(plan)
    return plans, errors
