"""Adding a plan to the corpus: the file beside the others, one `[[plan]]` entry in the manifest.

Used by the admin upload page; what the document says about itself fills the rest of the entry
when it is indexed (indexer.manifest).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from cchc.errors import CorpusError
from indexer.manifest import MANIFEST_NAME

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(filename: str) -> str:
    """"Kế hoạch CCHC 2026.docx" -> "Ke-hoach-CCHC-2026.docx": no path, no spaces, ASCII."""
    name = Path(filename.replace("\\", "/")).name
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D")).encode("ascii", "ignore").decode()
    cleaned = _SAFE.sub("-", ascii_name).strip("-.")
    if not cleaned or "." not in cleaned:
        raise CorpusError(f"Tên tệp «{filename}» không dùng được; hãy đặt tên có đuôi, ví dụ ke-hoach-2026.docx.")
    return cleaned


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def add_plan(corpus_dir: Path, filename: str, data: bytes, fields: dict[str, str | int]) -> Path:
    """Write the file and append its manifest entry; the manifest is replaced in one step."""
    name = safe_name(filename)
    target = corpus_dir / name
    if target.exists():
        raise CorpusError(f"Đã có tệp «{name}» trong kho kế hoạch; hãy đổi tên tệp nếu đây là văn bản khác.")
    manifest = corpus_dir / MANIFEST_NAME
    before = manifest.read_text(encoding="utf-8") if manifest.exists() else ""
    lines = ["", "[[plan]]", f"file = {_toml_string(name)}"]
    for key, value in fields.items():
        lines.append(f"{key} = {value}" if isinstance(value, int) else f"{key} = {_toml_string(str(value))}")
    target.write_bytes(data)
    temporary = manifest.with_suffix(".toml.tmp")
    temporary.write_text(before.rstrip("\n") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(manifest)
    return target
