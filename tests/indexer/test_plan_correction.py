"""An operator corrects what a plan file gave: the preview as an .xlsx, one cell changed in it, the
sheet added as the plan's source. The manifest keeps both files and serves the sheet; the plan
keeps its id; a cell that looks like a formula is written as text and read back as typed."""

from __future__ import annotations

import datetime as dt
import io
import tomllib
from pathlib import Path

import openpyxl

from indexer.corpus import add_plan
from indexer.manifest import load_manifest
from indexer.parsers import parse_document
from indexer.preview import preview
from service.preview_sheet import FLAGGED_FILL, SHEET_COLUMNS, preview_xlsx
from service.wiring import agency_table
from tests.indexer.test_metadata import _plan_docx

ROWS = [["1", "Rà soát văn bản quy phạm pháp luật về đất đai", "Sở Tư pháp", "Quý II/2023"],
        ["2", "=Kiểm tra công vụ tại các sở, ngành", "Sở Nội vụ", "Quý III/2023"]]


def _plan(folder: Path) -> Path:
    path = folder / "ha-nam-2023.docx"
    _plan_docx(path, "196/KH-UBND", "24 tháng 12 năm 2022", "Cải cách hành chính nhà nước tỉnh Hà Nam năm 2023", ROWS)
    return path


def _corrected(sheet: bytes, heading: str, row: int, value: str) -> bytes:
    """The sheet with one cell changed, as an operator saves it from a spreadsheet program."""
    book = openpyxl.load_workbook(io.BytesIO(sheet))
    table = book.active
    column = [c.value for c in table[1]].index(heading) + 1
    table.cell(row=row, column=column).value = value
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def test_the_sheet_holds_every_row_under_headings_the_parser_reads_and_no_formula(tmp_path: Path):
    shown = preview(_plan(tmp_path), agency_table())
    shown.records[0].flagged = {"lead": 41.0}  # as OCR flags a cell

    sheet = openpyxl.load_workbook(io.BytesIO(preview_xlsx(shown))).active

    assert [c.value for c in sheet[1]] == [heading for heading, _, _ in SHEET_COLUMNS]
    assert [c.value for c in sheet["B"][1:]] == ["1", "2"]
    assert sheet["C3"].value == "'=Kiểm tra công vụ tại các sở, ngành" and sheet["C3"].data_type == "s"
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    lead = sheet["F2"]
    assert lead.value == "Sở Tư pháp" and lead.fill.fgColor.rgb.endswith(FLAGGED_FILL.fgColor.rgb[-6:])
    assert "41%" in lead.comment.text
    assert sheet["F3"].fill.fill_type is None  # only flagged cells are yellow


def test_a_corrected_sheet_is_served_and_the_manifest_names_both_files(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    original = _plan(tmp_path)
    shown = preview(original, agency_table())
    sheet = _corrected(preview_xlsx(shown), "Đơn vị chủ trì", 2, "Sở Nội vụ")
    header = {"province": shown.metadata.province, "year": shown.metadata.year, "title": shown.metadata.title,
              "doc_number": shown.metadata.doc_number, "doc_date": shown.metadata.doc_date}

    add_plan(corpus, original.name, original.read_bytes(), header, correction=sheet)

    entry = tomllib.loads((corpus / "manifest.toml").read_text(encoding="utf-8"))["plan"][0]
    assert entry["file"] == "ha-nam-2023.corrected.xlsx" and entry["original"] == "ha-nam-2023.docx"
    assert (corpus / entry["file"]).read_bytes() == sheet and (corpus / entry["original"]).read_bytes() == original.read_bytes()
    plans, issues = load_manifest(corpus)
    assert issues == [] and len(plans) == 1
    plan = plans[0]
    assert (plan.id, plan.file, plan.original) == ("hanam2023", "ha-nam-2023.corrected.xlsx", "ha-nam-2023.docx")
    assert plan.doc_number == "196/KH-UBND" and plan.doc_date == dt.date(2022, 12, 24) and plan.province == "Hà Nam"
    rows = parse_document(plan, corpus / plan.file, agency_table()).rows
    assert [r.lead_text for r in rows] == ["Sở Nội vụ", "Sở Nội vụ"]  # the corrected cell
    assert [a.id for a in rows[0].lead] == [a.id for a in rows[1].lead]
    assert rows[1].task == "=Kiểm tra công vụ tại các sở, ngành"  # the apostrophe was an escape, not text
    assert [r.period.text for r in rows] == ["Quý II/2023", "Quý III/2023"]


def test_a_plan_already_added_is_corrected_in_place_and_keeps_its_id(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "manifest.toml").write_text("# Plans.\n", encoding="utf-8")
    original = _plan(tmp_path)
    add_plan(corpus, original.name, original.read_bytes(), {})
    sheet = preview_xlsx(preview(original, agency_table()))

    add_plan(corpus, original.name, original.read_bytes(), {"province": "Hà Nam"}, correction=_corrected(sheet, "Thời hạn", 3, "Quý IV/2023"))
    again = _corrected(sheet, "Thời hạn", 3, "Quý I/2024")
    add_plan(corpus, original.name, original.read_bytes(), {"province": "Hà Nam"}, correction=again)

    text = (corpus / "manifest.toml").read_text(encoding="utf-8")
    entries = tomllib.loads(text)["plan"]
    assert text.startswith("# Plans.") and len(entries) == 1
    assert entries[0] == {"file": "ha-nam-2023.corrected.xlsx", "id": "hanam2023", "original": "ha-nam-2023.docx", "province": "Hà Nam"}
    assert (corpus / "ha-nam-2023.corrected.xlsx").read_bytes() == again
    assert sorted(p.name for p in corpus.iterdir() if not p.name.startswith(".")) == [
        "ha-nam-2023.corrected.xlsx", "ha-nam-2023.docx", "manifest.toml"]
