"""The corpus manifest: which plan documents exist and what they are."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from cchc.errors import CorpusError
from indexer.records import PlanDocument

MANIFEST_NAME = "manifest.toml"


def load_manifest(corpus_dir: Path) -> list[PlanDocument]:
    """Read corpus/manifest.toml; every entry must name a file in the corpus folder."""
    path = corpus_dir / MANIFEST_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CorpusError(f"Không tìm thấy tệp danh mục {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"Tệp danh mục {path} sai cú pháp TOML: {exc}") from exc
    plans: list[PlanDocument] = []
    for index, entry in enumerate(data.get("plan", []), start=1):
        try:
            plans.append(PlanDocument.model_validate(entry))
        except ValidationError as exc:
            raise CorpusError(f"{path}: mục [[plan]] thứ {index} không hợp lệ: {exc}") from exc
    ids = [plan.id for plan in plans]
    duplicates = {plan_id for plan_id in ids if ids.count(plan_id) > 1}
    if duplicates:
        raise CorpusError(f"{path}: mã kế hoạch bị trùng: {', '.join(sorted(duplicates))}")
    return plans
