"""Old binary Word files (.doc) become .docx through LibreOffice, when it is installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from cchc.errors import DocumentError

MISSING = ("không đọc được loại tệp «.doc» trên máy này: cần LibreOffice (Debian: apt install "
           "libreoffice-writer-nogui), hoặc mở bằng Word và lưu lại dạng .docx")
_TIMEOUT = 120  # seconds; a converter that hangs must not hold the build


def converter() -> str | None:
    """The LibreOffice command, when installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def as_docx(path: Path, document: str, folder: Path) -> Path:
    """`path` converted into `folder` as .docx; DocumentError in one line when it cannot be."""
    soffice = converter()
    if soffice is None:
        raise DocumentError(document, MISSING)
    with tempfile.TemporaryDirectory() as profile:  # a private profile: parallel runs do not lock each other
        done = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "docx",
                               "--outdir", str(folder), str(path)], capture_output=True, timeout=_TIMEOUT)
    converted = folder / f"{path.stem}.docx"
    if done.returncode != 0 or not converted.exists():
        raise DocumentError(document, f"không đọc được loại tệp «.doc» này: LibreOffice không chuyển được {path.name} sang .docx "
                            "(tệp hỏng hoặc có mật khẩu); hãy mở bằng Word và lưu lại dạng .docx")
    return converted
