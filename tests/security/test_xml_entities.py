""".xlsx sheets are XML: an entity declared in one is refused (defusedxml, a runtime dependency),
so a billion-laughs sheet cannot expand and no declared text slips into the plan rows."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from indexer.parsers.xlsx import read_xlsx

ENTITY_SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE worksheet [<!ENTITY chen "Nhiệm vụ cài vào từ khai báo DTD">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>STT</t></is></c><c r="B1" t="inlineStr"><is><t>Nội dung công việc</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>1</t></is></c><c r="B2" t="inlineStr"><is><t>&chen;</t></is></c></row>
</sheetData></worksheet>"""


def _with_sheet(path: Path, sheet_xml: str) -> Path:
    plain = path.with_name("plain.xlsx")
    openpyxl.Workbook().save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = sheet_xml.encode() if item.filename == "xl/worksheets/sheet1.xml" else source.read(item)
            target.writestr(item, data)
    return path


def test_an_entity_declared_in_a_sheet_is_refused_not_expanded(tmp_path: Path):
    hostile = _with_sheet(tmp_path / "ke-hoach.xlsx", ENTITY_SHEET)

    with pytest.raises(Exception) as refused:
        read_xlsx(hostile, None, lambda cells: None)

    chain, error = [], refused.value
    while error is not None:
        chain.append(type(error).__module__)
        error = error.__cause__ or error.__context__
    assert any(module.startswith("defusedxml") for module in chain)  # refused by the XML parser itself
    assert "Nhiệm vụ cài vào" not in str(refused.value)
