"""Excel and PDF plans typed from the seeds (common headings, another column order, merged cells,
several sheets, page breaks with repeated headers) parse to the same rows as the seed; a scanned
PDF is read by OCR where Tesseract is installed."""

from __future__ import annotations

import time
from pathlib import Path

import matplotlib
import openpyxl
import pytest
from fpdf import FPDF

from cchc.errors import DocumentError
from service.wiring import agency_table
from indexer.parsers import parse_document
from indexer.parsers.ocr import ocr_available
from indexer.vntext import squash
from tests.indexer.seed_layouts import COMMON_HEADINGS, PrintedRow, SeedTable, chunks, converted_plan, printed_rows, same_rows, seed

FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"  # ships with matplotlib
SEEDS = ("hungyen2022", "khanhhoa2022")


# -- Excel ----------------------------------------------------------------------------------------
def _sheet(sheet, table: SeedTable, rows: list[PrintedRow], two_line_header: bool) -> None:
    roles = table.roles
    sheet.append([f"UBND TỈNH {table.plan.province.upper()}"])
    sheet.append(["PHỤ LỤC: NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH"])
    sheet.append([])
    sheet.append([COMMON_HEADINGS[r] for r in roles])
    header = sheet.max_row
    if two_line_header:
        lead, coordinating = roles.index("lead") + 1, roles.index("coordinating") + 1
        sheet.append(["Chủ trì" if c == lead else "Phối hợp" if c == coordinating else None for c in range(1, len(roles) + 1)])
        sheet.cell(header, lead).value = "Cơ quan"
        sheet.merge_cells(start_row=header, start_column=lead, end_row=header, end_column=coordinating)
        for column in range(1, len(roles) + 1):
            if column not in (lead, coordinating):
                sheet.merge_cells(start_row=header, start_column=column, end_row=header + 1, end_column=column)
    top: dict[str, int] = {}
    for row in rows:
        if row.section:
            sheet.append([row.cells["stt"], row.cells["task"]])
            sheet.merge_cells(start_row=sheet.max_row, start_column=2, end_row=sheet.max_row, end_column=len(roles))
            top = {}
            continue
        sheet.append([None if role in row.merged_up else (row.cells.get(role) or None) for role in roles])
        r = sheet.max_row
        for column, role in enumerate(roles, start=1):
            if role in row.merged_up and role in top:
                sheet.merge_cells(start_row=top[role], start_column=column, end_row=r, end_column=column)
            else:
                top[role] = r


def write_xlsx(table: SeedTable, path: Path, *, sheets: bool, two_line_header: bool) -> Path:
    workbook = openpyxl.Workbook()
    rows = list(printed_rows(table))
    groups = chunks(rows) if sheets else [rows]
    for number, group in enumerate(groups):
        sheet = workbook.active if number == 0 else workbook.create_sheet()
        sheet.title = f"Phụ lục {number + 1}"
        _sheet(sheet, table, group, two_line_header)
    workbook.save(str(path))
    return path


@pytest.mark.parametrize("plan_id", SEEDS)
@pytest.mark.parametrize("variant", [{"sheets": False, "two_line_header": True}, {"sheets": True, "two_line_header": False}],
                         ids=["one-sheet-two-line-header", "sheet-per-section"])
def test_an_excel_plan_parses_to_the_same_rows_as_its_seed(tmp_path, plan_id, variant):
    table = seed(plan_id)
    path = write_xlsx(table, tmp_path / f"{plan_id}.xlsx", **variant)

    same_rows(table.parsed, parse_document(converted_plan(table, path, "xlsx"), path, agency_table()))


# -- PDF ------------------------------------------------------------------------------------------
def write_pdf(table: SeedTable, path: Path) -> Path:
    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.add_font("DejaVu", style="B", fname=str(FONT.with_name("DejaVuSans-Bold.ttf")))
    pdf.set_font("DejaVu", size=7)
    pdf.add_page()
    pdf.multi_cell(0, 5, f"UBND TỈNH {table.plan.province.upper()}\nKẾ HOẠCH\nCải cách hành chính năm {table.plan.year}",
                   new_x="LMARGIN", new_y="NEXT")
    roles = table.roles
    with pdf.table(repeat_headings=1, line_height=3.5) as printed:  # headings repeated on every page
        printed.row([COMMON_HEADINGS[r] for r in roles])
        for row in printed_rows(table):
            line = printed.row()
            if row.section:
                line.cell(row.cells["stt"])
                line.cell(row.cells["task"], colspan=len(roles) - 1)
                continue
            for role in roles:  # a merged cell is printed once, the cells below it left empty
                line.cell("" if role in row.merged_up else row.cells.get(role, ""))
    pdf.multi_cell(0, 5, "TỔ CHỨC THỰC HIỆN\n1. Sở Nội vụ theo dõi, đôn đốc, tổng hợp báo cáo.", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


@pytest.mark.parametrize("plan_id", SEEDS)
def test_a_text_pdf_parses_to_the_same_rows_as_its_seed(tmp_path, plan_id, capsys):
    table = seed(plan_id)
    path = write_pdf(table, tmp_path / f"{plan_id}.pdf")
    started = time.perf_counter()

    converted = parse_document(converted_plan(table, path, "pdf"), path, agency_table())

    seconds = time.perf_counter() - started
    same_rows(table.parsed, converted)
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        pages = len(pdf.pages)
    assert pages > 3  # the table crosses page breaks, its headings repeated on each page
    with capsys.disabled():
        print(f"\n[pdf {plan_id}] {len(converted.rows)} rows from {pages} pages, {seconds / pages * 1000:.0f} ms per page")


def _scanned(source: Path, target: Path) -> Path:
    """The PDF as a scanner would give it: page images, no text layer."""
    import pypdfium2

    pdf = FPDF(orientation="L", format="A4")
    document = pypdfium2.PdfDocument(str(source))
    for index in range(len(document)):
        image = document[index].render(scale=300 / 72).to_pil()
        pdf.add_page()
        pdf.image(image, x=0, y=0, w=pdf.w, h=pdf.h)
    document.close()
    pdf.output(str(target))
    return target


@pytest.fixture
def small_plan(tmp_path) -> tuple[SeedTable, Path]:
    table = seed("hungyen2022")
    table.parsed.rows = table.parsed.rows[:4]  # one page: OCR costs seconds per page
    return table, write_pdf(table, tmp_path / "hy-text.pdf")


@pytest.mark.skipif(ocr_available() is not None, reason=f"OCR unavailable here: {ocr_available()}")
def test_a_scanned_pdf_is_read_by_ocr(small_plan, tmp_path, capsys):
    table, text_pdf = small_plan
    path = _scanned(text_pdf, tmp_path / "hy-scan.pdf")
    started = time.perf_counter()

    converted = parse_document(converted_plan(table, path, "pdf"), path, agency_table())

    seconds = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n[ocr] {len(converted.rows)} of {len(table.parsed.rows)} rows, {seconds:.1f} s for the scan")
    text = " ".join(f"{s.section} {s.text}" for s in converted.sections)
    assert "Sở Nội vụ" in text and "hành chính" in text  # the prose, with its diacritics
    assert len(converted.rows) == len(table.parsed.rows)  # the table rebuilt from the ruling lines
    for before, after in zip(table.parsed.rows, converted.rows):
        assert squash(after.task) == squash(before.task)
        # Read as the same agencies, even where OCR slips a character ("ngành." for "ngành").
        assert {a.id for a in after.lead} == {a.id for a in before.lead} and after.lead
        # OCR reads "Quý I/2022" as "Quý 1/2022": the same quarter, which is what answers use.
        assert (after.period.kind, after.period.quarters) == (before.period.kind, before.period.quarters)


def test_a_scan_without_ocr_is_one_clear_line(small_plan, tmp_path, monkeypatch):
    table, text_pdf = small_plan
    path = _scanned(text_pdf, tmp_path / "hy-scan.pdf")
    monkeypatch.setattr("indexer.parsers.pdf.ocr_available", lambda: "chưa cài Tesseract (Debian: apt install tesseract-ocr tesseract-ocr-vie)")

    with pytest.raises(DocumentError, match=r"hy-scan.pdf: tệp PDF là bản quét .* chưa cài Tesseract"):
        parse_document(converted_plan(table, path, "pdf"), path, agency_table())


@pytest.mark.parametrize(("name", "content", "message"), [
    ("khoa.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "có mật khẩu hoặc ở định dạng xls cũ"),
    ("khoa.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "có mật khẩu hoặc ở định dạng doc cũ"),
    ("hong.pdf", b"%PDF-1.4\nkhong phai pdf", "không đọc được tệp PDF hong.pdf"),
    ("hong.xlsx", b"PK\x03\x04 hong", "không đọc được tệp Excel hong.xlsx"),
])
def test_unreadable_office_and_pdf_files_name_the_file_and_what_to_do(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    table = seed("hungyen2022")
    layout = name.rsplit(".", 1)[1].replace("docx", "docx")

    with pytest.raises(DocumentError, match=message):
        parse_document(converted_plan(table, tmp_path / name, layout), tmp_path / name, agency_table())
