"""Old .doc plans: converted by LibreOffice where it is installed, else one line saying what to install."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from cchc.errors import DocumentError
from indexer.parsers import infer_layout, parse_document, read_metadata_of
from indexer.records import Layout
from service.wiring import agency_table
from tests.indexer.seed_layouts import converted_plan, seed
from tests.indexer.test_metadata import _plan_docx

SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed here: apt install libreoffice-writer-nogui")
def test_a_doc_plan_is_read_through_libreoffice(tmp_path):
    (tmp_path / "src").mkdir()
    source = tmp_path / "src" / "ke-hoach.docx"
    _plan_docx(source, "196/KH-UBND", "24 tháng 12 năm 2022", "Cải cách hành chính nhà nước tỉnh Hà Nam năm 2023",
               [["1", "Rà soát văn bản quy phạm pháp luật", "Sở Tư pháp", "Quý II/2023"],
                ["2", "Kiểm tra công vụ", "Sở Nội vụ", "Quý III/2023"]])
    subprocess.run([SOFFICE, "--headless", "--convert-to", "doc", "--outdir", str(tmp_path), str(source)], check=True, timeout=120)
    path = tmp_path / "ke-hoach.doc"

    plan = converted_plan(seed("hungyen2022"), path, "docx").model_copy(update={"year": 2023})
    parsed = parse_document(plan, path, agency_table())

    assert infer_layout(path).value == "docx"
    assert [(r.lead[0].id, r.period.text) for r in parsed.rows] == [("so-tu-phap", "Quý II/2023"), ("so-noi-vu", "Quý III/2023")]
    metadata = read_metadata_of(path, Layout.DOCX)  # the header block, read from the converted file
    assert metadata.doc_number == "196/KH-UBND" and metadata.province == "Hà Nam"


@pytest.mark.skipif(SOFFICE is not None, reason="LibreOffice is installed here: the .doc is read, not refused")
def test_without_libreoffice_a_doc_plan_says_what_to_install(tmp_path):
    path = tmp_path / "ke-hoach.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)

    for attempt in (lambda: infer_layout(path), lambda: parse_document(converted_plan(seed("hungyen2022"), path, "docx"), path, agency_table())):
        with pytest.raises(DocumentError, match=r"^ke-hoach.doc: không đọc được loại tệp «.doc» trên máy này: cần LibreOffice \(Debian: apt install libreoffice-writer-nogui\)"):
            attempt()
