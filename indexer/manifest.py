"""The corpus manifest: which plan documents exist and what they are."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ValidationError

from cchc.errors import CorpusError
from indexer.records import PlanDocument

MANIFEST_NAME = "manifest.toml"


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "mục"
        parts.append(f"{where}: {item['msg']} (giá trị: {item.get('input')!r})")
    return "; ".join(parts)


class ManifestIssue(BaseModel):
    """One manifest entry that cannot be used; `plan_id`/`file` say which plan it was meant to be."""

    message: str
    plan_id: str | None = None
    file: str | None = None

    def __str__(self) -> str:
        return self.message


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CorpusError(f"Không tìm thấy tệp danh mục {path}. Hãy tạo tệp này với một mục [[plan]] cho mỗi kế hoạch.") from exc
    except UnicodeDecodeError as exc:
        raise CorpusError(f"Tệp danh mục {path} không phải văn bản UTF-8 (byte lỗi ở vị trí {exc.start}). "
                          "Hãy lưu lại tệp với bảng mã UTF-8.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"Tệp danh mục {path} sai cú pháp TOML: {exc}. Hãy sửa dòng được chỉ ra.") from exc


def _entries(path: Path, data: dict) -> list:
    entries = data.get("plan", [])
    if isinstance(entries, dict):
        raise CorpusError(f"Tệp danh mục {path}: mỗi kế hoạch phải mở đầu bằng [[plan]] (hai cặp ngoặc vuông), "
                          "không phải [plan].")
    if not isinstance(entries, list) or not entries:
        raise CorpusError(f"Tệp danh mục {path} chưa khai báo kế hoạch nào. Hãy thêm một mục [[plan]] "
                          'với file = "ten-tep.docx" cho mỗi kế hoạch.')
    return entries


def load_manifest(corpus_dir: Path) -> tuple[list[PlanDocument], list[ManifestIssue]]:
    """Plans declared in corpus/manifest.toml, and one issue per entry that is not valid.

    A bad entry never stops the others from being indexed; a manifest that cannot be read at all
    raises CorpusError with what to do.
    """
    path = corpus_dir / MANIFEST_NAME
    plans: list[PlanDocument] = []
    errors: list[ManifestIssue] = []
    seen: set[str] = set()
    for number, entry in enumerate(_entries(path, _read(path)), start=1):
        if not isinstance(entry, dict):
            errors.append(ManifestIssue(message=f"{path.name}, [[plan]] thứ {number}: không phải một bảng khóa = giá trị"))
            continue
        name = entry.get("file") or entry.get("id") or f"mục thứ {number}"
        where = f"{path.name}, [[plan]] thứ {number} ({name})"
        ids = {"plan_id": str(entry["id"]) if entry.get("id") else None, "file": str(entry["file"]) if entry.get("file") else None}
        try:
            plan = PlanDocument.model_validate(entry)
        except ValidationError as exc:
            errors.append(ManifestIssue(message=f"{where}: {_describe(exc)}", **ids))
            continue
        if plan.id in seen:
            errors.append(ManifestIssue(message=f"{where}: mã kế hoạch «{plan.id}» bị trùng"))
            continue
        seen.add(plan.id)
        plans.append(plan)
    return plans, errors
