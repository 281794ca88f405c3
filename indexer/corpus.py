"""Adding a plan to the corpus: the file beside the others, one `[[plan]]` entry in the manifest.

Used by the admin upload page; what the document says about itself fills the rest of the entry
when it is indexed (indexer.manifest).

An add either lands whole (file and entry) or leaves nothing. Writers take a lock file beside the
manifest (several workers may share one corpus), write each file under a unique temporary name and
rename it into place, so readers (`cchc index`) see the old manifest or the new one, never half of
one. The plan file is renamed in first and the entry second: a crash between the two leaves a file
the manifest does not name, and a later upload of that name simply replaces it.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import os
import re
import stat
import tempfile
import tomllib
import unicodedata
from pathlib import Path

import tomlkit
from filelock import FileLock, Timeout
from tomlkit.exceptions import ParseError
from tomlkit.items import AoT, Table
from tomlkit.toml_document import TOMLDocument

from cchc.errors import CorpusError
from indexer.manifest import MANIFEST_NAME, plan_id_for

logger = logging.getLogger(__name__)

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
# File systems allow 255 bytes per name; the cap leaves room for prefixes and keeps paths readable.
MAX_NAME_CHARS = 120
LOCK_NAME = ".manifest.toml.lock"
_TEMP_PREFIX = ".cchc-add-"
# The lock is held for milliseconds per add; waiting longer than this means something is stuck.
_LOCK_WAIT_SECONDS = 30.0
Value = str | int | dt.date  # what a manifest entry holds: text, a year, a document date
_OS_REASONS = {
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EDQUOT: "đã hết hạn mức ổ đĩa",
    errno.EACCES: "không có quyền ghi",
    errno.EPERM: "không có quyền ghi",
    errno.EROFS: "thư mục chỉ cho đọc",
}


def safe_name(filename: str) -> str:
    """"Kế hoạch CCHC 2026.docx" -> "Ke-hoach-CCHC-2026.docx": no path, no spaces, ASCII."""
    name = Path(filename.replace("\\", "/")).name
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D")).encode("ascii", "ignore").decode()
    cleaned = _SAFE.sub("-", ascii_name).strip("-.")
    if len(cleaned) > MAX_NAME_CHARS:
        raise CorpusError(f"Tên tệp dài quá {MAX_NAME_CHARS} ký tự; hãy đặt tên ngắn hơn, ví dụ ke-hoach-2026.docx.")
    if not cleaned or "." not in cleaned:
        raise CorpusError(f"Tên tệp «{filename}» không dùng được; hãy đặt tên có đuôi, ví dụ ke-hoach-2026.docx.")
    return cleaned


def one_line(value: str) -> str:
    """Form text as one line: newlines, tabs and other control characters become single spaces."""
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in unicodedata.normalize("NFC", value))
    return " ".join(text.split())


def corrected_name(name: str) -> str:
    """Where an operator's corrected sheet of `name` is kept: «hy-scan.pdf» -> «hy-scan.corrected.xlsx»."""
    return f"{Path(name).stem}.corrected.xlsx"


def add_plan(corpus_dir: Path, filename: str, data: bytes, fields: dict[str, Value],
             correction: bytes | None = None) -> Path:
    """Write the file and its manifest entry, both or neither; CorpusError with one Vietnamese line.

    With a `correction` (the operator's corrected .xlsx of the file), both files are kept and the
    entry serves the correction: `file = "….corrected.xlsx"`, `original = "…"`, the plan id that of
    the original. A plan already added from that original is corrected in place.
    """
    name = safe_name(filename)
    entry = {key: one_line(value) if isinstance(value, str) else value for key, value in fields.items()}
    try:
        with FileLock(corpus_dir / LOCK_NAME, timeout=_LOCK_WAIT_SECONDS):
            _remove_leftovers(corpus_dir)
            if correction is not None:
                return _correct_locked(corpus_dir, name, data, correction, entry)
            return _add_locked(corpus_dir, name, data, entry)
    except Timeout as exc:
        raise CorpusError("Kho kế hoạch đang bận ghi; xin thử lại sau ít phút.") from exc
    except OSError as exc:
        logger.error("adding %s to %s failed: %s", name, corpus_dir, exc)
        reason = _OS_REASONS.get(exc.errno or 0, "lỗi hệ thống khi ghi tệp")
        raise CorpusError(f"Chưa thêm được kế hoạch: không ghi được vào kho kế hoạch ({reason}). "
                          "Không có gì thay đổi; hãy báo quản trị viên.") from exc


def _add_locked(corpus_dir: Path, name: str, data: bytes, entry: dict[str, Value]) -> Path:
    document = _read_document(corpus_dir / MANIFEST_NAME)
    plans = _plans(document)
    if any(name in (str(plan.get("file", "")), str(plan.get("original", ""))) for plan in plans):
        raise CorpusError(f"Đã có tệp «{name}» trong kho kế hoạch; hãy đổi tên tệp nếu đây là văn bản khác.")
    plans.append(_new_entry({"file": name, **entry}))
    _commit(corpus_dir, {name: data}, document)
    return corpus_dir / name


def _correct_locked(corpus_dir: Path, name: str, data: bytes, correction: bytes, entry: dict[str, Value]) -> Path:
    """The corrected sheet served in place of `name`: a new plan with both files, or the plan
    already added from `name` (or from a correction of it) switched to the new sheet."""
    document = _read_document(corpus_dir / MANIFEST_NAME)
    plans = _plans(document)
    sheet = corrected_name(name)
    existing = next((plan for plan in plans if str(plan.get("original") or plan.get("file", "")) == name), None)
    if existing is None:
        plans.append(_new_entry({"file": sheet, "original": name, "id": plan_id_for(name), **entry}))
        files = {name: data, sheet: correction}
    else:
        existing.setdefault("id", plan_id_for(name))  # the plan keeps its id, so its citations do too
        for key, value in {"file": sheet, "original": name, **entry}.items():
            existing[key] = value
        files = {sheet: correction}  # the original is already in the corpus
    _commit(corpus_dir, files, document)
    return corpus_dir / sheet


def _new_entry(values: dict[str, Value]) -> Table:
    table = tomlkit.table()
    table.trivia.indent = "\n"  # a blank line before each [[plan]], as people write them
    for key, value in values.items():
        table.add(key, value)
    return table


def _commit(corpus_dir: Path, files: dict[str, bytes], document: TOMLDocument) -> None:
    """The plan files, then the manifest that names them, each renamed into place."""
    manifest = corpus_dir / MANIFEST_NAME
    text = tomlkit.dumps(document)
    tomllib.loads(text)  # what is renamed into place must be what the indexer can read
    mode = stat.S_IMODE(manifest.stat().st_mode) if manifest.exists() else 0o644
    temporaries = {name: _write_temporary(corpus_dir, data, mode) for name, data in files.items()}
    manifest_temp = _write_temporary(corpus_dir, text.encode("utf-8"), mode)
    placed: list[Path] = []
    try:
        for name, temporary in temporaries.items():
            target = corpus_dir / name
            new = not target.exists()  # a file the manifest does not name is an orphan: replaced
            os.replace(temporary, target)
            placed += [target] * new  # a sheet corrected again is named by the old manifest too: kept
        try:
            os.replace(manifest_temp, manifest)
        except OSError:
            for target in placed:
                target.unlink(missing_ok=True)
            raise
        _sync_folder(corpus_dir)
    finally:
        for temporary in [*temporaries.values(), manifest_temp]:
            temporary.unlink(missing_ok=True)


def _read_document(manifest: Path) -> TOMLDocument:
    if not manifest.exists():
        return tomlkit.document()
    try:
        return tomlkit.parse(manifest.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ParseError) as exc:
        raise CorpusError(f"Tệp danh mục {MANIFEST_NAME} đang hỏng ({exc}); hãy sửa tệp này trước khi thêm kế hoạch.") from exc


def _plans(document: TOMLDocument) -> AoT:
    if "plan" not in document:
        document.add("plan", tomlkit.aot())
    plans = document["plan"]
    if not isinstance(plans, AoT):
        raise CorpusError(f"Tệp danh mục {MANIFEST_NAME}: mỗi kế hoạch phải mở đầu bằng [[plan]]; hãy sửa tệp này trước.")
    return plans


def _write_temporary(folder: Path, data: bytes, mode: int) -> Path:
    """`data` in a new, uniquely named file in `folder` (same file system, so renaming is atomic)."""
    handle, name = tempfile.mkstemp(prefix=_TEMP_PREFIX, suffix=".tmp", dir=folder)
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        path.chmod(mode)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _remove_leftovers(folder: Path) -> None:
    """Temporary files of a writer that died: under the lock no live writer has any."""
    for path in folder.glob(f"{_TEMP_PREFIX}*.tmp"):
        path.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make the renames durable: a power cut must not bring back the old manifest."""
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
