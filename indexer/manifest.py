"""The corpus manifest: which plan documents exist and what they are."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ValidationError

from cchc.errors import CorpusError, DocumentError
from indexer.parsers import infer_layout, read_metadata_of
from indexer.records import Layout, PlanDocument
from indexer.vntext import fold

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


_READ_FROM_DOCUMENT = ("province", "year", "title", "doc_number", "doc_date", "signer", "signer_title")
_ASK_OPERATOR = {"province": "province = \"Tên tỉnh\"", "year": "year = 2026", "title": "title = \"Kế hoạch …\""}


def plan_id_for(file: str) -> str:
    """"hung-yen-2022-ke-hoach.docx" -> "hungyen2022kehoach": the id a manifest entry gets when
    it names none."""
    return "".join(ch for ch in fold(Path(file).stem) if ch.isascii() and ch.isalnum())[:40] or "kehoach"


def complete_entry(entry: dict, corpus_dir: Path) -> tuple[dict, dict]:
    """The entry with what the document says filled in (the operator's values win), and the
    amended/replaced document numbers it names. A manifest entry may hold only `file`."""
    path = corpus_dir / str(entry.get("file", ""))
    filled = dict(entry)
    filled.setdefault("id", plan_id_for(path.name))
    if "layout" not in filled and path.is_file():
        filled["layout"] = infer_layout(path).value
    changes: dict = {}
    # Read only when the operator left out something required: reading a PDF costs time.
    if path.is_file() and any(field not in filled for field in _ASK_OPERATOR):
        metadata = read_metadata_of(path, Layout(filled["layout"]))
        for field in _READ_FROM_DOCUMENT:
            value = getattr(metadata, field)
            if field not in filled and value is not None:
                filled[field] = value
        changes = {"amends": metadata.amends_number, "replaces": metadata.replaces_number}
    if "short_title" not in filled and {"year", "province"} <= filled.keys():
        filled["short_title"] = f"KH CCHC {filled['year']} {filled['province']}"
    return filled, changes


def _missing(error: ValidationError) -> str:
    fields = [str(item["loc"][0]) for item in error.errors() if item["type"] == "missing" and item["loc"]]
    asks = [_ASK_OPERATOR[f] for f in fields if f in _ASK_OPERATOR]
    return f"; văn bản không ghi rõ, hãy thêm vào manifest: {', '.join(asks)}" if asks else ""


def _link_versions(plans: list[PlanDocument], numbers: dict[str, dict]) -> None:
    """Resolve "amends/replaces Kế hoạch số 196/KH-UBND" to plan ids, and mark the older plans."""
    by_number = {p.doc_number: p.id for p in plans if p.doc_number}
    by_id = {p.id: p for p in plans}
    for plan in plans:
        found = numbers.get(plan.id, {})
        plan.amends = plan.amends or by_number.get(found.get("amends") or "")
        plan.replaces = plan.replaces or by_number.get(found.get("replaces") or "")
    for plan in plans:
        if plan.replaces in by_id:
            by_id[plan.replaces].replaced_by = plan.id
        if plan.amends in by_id:
            by_id[plan.amends].amended_by.append(plan.id)


def load_manifest(corpus_dir: Path) -> tuple[list[PlanDocument], list[ManifestIssue]]:
    """Plans declared in corpus/manifest.toml, and one issue per entry that is not valid.

    A bad entry never stops the others from being indexed; a manifest that cannot be read at all
    raises CorpusError with what to do.
    """
    path = corpus_dir / MANIFEST_NAME
    plans: list[PlanDocument] = []
    errors: list[ManifestIssue] = []
    seen: set[str] = set()
    numbers: dict[str, dict] = {}
    for number, entry in enumerate(_entries(path, _read(path)), start=1):
        if not isinstance(entry, dict):
            errors.append(ManifestIssue(message=f"{path.name}, [[plan]] thứ {number}: không phải một bảng khóa = giá trị"))
            continue
        name = entry.get("file") or entry.get("id") or f"mục thứ {number}"
        where = f"{path.name}, [[plan]] thứ {number} ({name})"
        ids = {"plan_id": str(entry["id"]) if entry.get("id") else None, "file": str(entry["file"]) if entry.get("file") else None}
        if "layout" not in entry and not (corpus_dir / str(entry.get("file", ""))).is_file():
            errors.append(ManifestIssue(message=f"{where}: không tìm thấy tệp «{entry.get('file', '')}» trong {corpus_dir}", **ids))
            continue
        try:
            entry, changes = complete_entry(entry, corpus_dir)
            plan = PlanDocument.model_validate(entry)
            numbers[plan.id] = changes
        except DocumentError as exc:
            errors.append(ManifestIssue(message=f"{where}: {exc}", **ids))
            continue
        except ValidationError as exc:
            errors.append(ManifestIssue(message=f"{where}: {_describe(exc)}{_missing(exc)}", **ids))
            continue
        if plan.id in seen:
            errors.append(ManifestIssue(message=f"{where}: mã kế hoạch «{plan.id}» bị trùng"))
            continue
        seen.add(plan.id)
        plans.append(plan)
    _link_versions(plans, numbers)
    return plans, errors
