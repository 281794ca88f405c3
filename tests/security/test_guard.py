"""The checks made before a parser opens an uploaded plan: each hostile file is refused with one
Vietnamese line naming the setting that limits it; ordinary plans pass; every limit is a setting."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cchc.errors import FileLimitError
from cchc.settings import get_settings
from indexer.guard import FileLimits, ensure_within_limits, inspect
from tests.indexer.test_metadata import _plan_docx
from tests.security import hostile

REFUSALS = hostile.REFUSALS


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    files = {}
    for name, build in hostile.HOSTILE.items():
        files[name] = folder / name
        files[name].write_bytes(build())
    return files


def _limits(**overrides: object) -> FileLimits:
    return FileLimits.from_settings(get_settings(**overrides))


@pytest.mark.parametrize("name", list(REFUSALS))
def test_each_hostile_file_is_refused_with_its_one_line_reason(hostile_files, name):
    started = time.monotonic()
    verdict = inspect(hostile_files[name], _limits())
    assert verdict.refusal is not None and verdict.refusal.message == REFUSALS[name]
    assert verdict.refusal.setting in verdict.refusal.message and "\n" not in verdict.refusal.message
    assert time.monotonic() - started < 10  # a bound on waiting, far above the milliseconds it takes


def test_ordinary_plans_pass(tmp_path):
    plan = tmp_path / "ke-hoach.docx"
    _plan_docx(plan, "196/KH-UBND", "24 tháng 12 năm 2022", "Cải cách hành chính tỉnh Hà Nam năm 2023",
               [["1", "Số hóa hồ sơ", "Sở Nội vụ", "Quý II/2023"]])
    sheet = tmp_path / "phu-luc.xlsx"
    sheet.write_bytes(hostile.xlsx('<row r="1"><c r="A1" t="inlineStr"><is><t>TT</t></is></c></row>', dimension="A1:J300",
                                   merges='<mergeCells count="1"><mergeCell ref="A2:J2"/></mergeCells>'))
    scan = tmp_path / "ban-quet.pdf"
    scan.write_bytes(hostile.blank_pages_pdf(30))  # 30 A4 pages, as a scanned plan has
    compressed = tmp_path / "nen.pdf"
    compressed.write_bytes(hostile.inflating_pdf(20))  # a 20 MiB stream: a scanned page image is that big
    for path in (plan, sheet, scan, compressed, tmp_path / "khong-co.txt"):
        assert inspect(path, _limits()).ok, path.name


def test_every_limit_is_a_setting(hostile_files):
    raised = _limits(max_sheet_cells=10**11, max_unzipped_mb=5000, max_compression_ratio=10**4, max_ocr_pixels=4 * 10**9,
                     max_pdf_stream_mb=2000, max_pdf_pages=3000)
    assert all(inspect(path, raised).ok for path in hostile_files.values())
    lowered = _limits(max_zip_members=3)
    assert inspect(hostile_files["far-cell.xlsx"], lowered).refusal.message == (
        "Tệp nén chứa 5 thành phần, vượt giới hạn 3 (CCHC_MAX_ZIP_MEMBERS).")


def test_a_member_that_expands_too_much_is_refused(tmp_path):
    docx = tmp_path / "nen-qua-muc.docx"
    docx.write_bytes(hostile.huge_part_docx(gigabytes=1))
    verdict = inspect(docx, _limits(max_unzipped_mb=5000))
    assert verdict.refusal.setting == "CCHC_MAX_COMPRESSION_RATIO"
    assert verdict.refusal.message.startswith("Một thành phần của tệp nén nở ra 1.011 lần, vượt giới hạn 500 lần")


def test_broken_files_are_left_to_the_parsers_that_name_them(tmp_path):
    for name, data in (("hong.docx", b"PK\x03\x04 not a zip"), ("hong.pdf", b"%PDF-1.7 nothing"), ("rong.pdf", b""),
                       ("hong.xlsx", hostile.xlsx("<row", dimension="A1"))):
        (tmp_path / name).write_bytes(data)
        assert inspect(tmp_path / name, _limits()).ok, name


def test_ensure_raises_the_domain_error_and_cchc_check_prints_one_line(hostile_files):
    with pytest.raises(FileLimitError, match="CCHC_MAX_PDF_PAGES"):
        ensure_within_limits(hostile_files["blank-pages.pdf"], _limits())
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCHC_")}
    result = subprocess.run([str(Path(sys.executable).with_name("cchc")), "check", str(hostile_files["huge-page.pdf"])],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [f"Lỗi: {REFUSALS['huge-page.pdf']}"]
