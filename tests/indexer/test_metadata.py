"""A plan's header block and signature fill its manifest entry: an operator writes only the file.
Plans that amend or replace earlier ones are linked, and answers say which version they use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest

from cchc.settings import get_settings
from service.wiring import build, build_assistant, open_index
from indexer.parsers.metadata import read_metadata
from tests.fake_embedding import SETTINGS as FAKE_MODEL

HEADER = [
    "ỦY BAN NHÂN DÂN TỈNH HÀ NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
    "Số: 196/KH-UBND", "Hà Nam, ngày 24 tháng 12 năm 2022", "", "KẾ HOẠCH",
    "Cải cách hành chính nhà nước tỉnh Hà Nam năm 2023", "", "Căn cứ Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ;",
]
SIGNATURE = ["Nơi nhận:", "- Bộ Nội vụ;", "- Lưu: VT, NC.", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
             "Nguyễn Văn Nam"]


def test_the_header_block_and_signature_say_what_the_plan_is():
    found = read_metadata([*HEADER, "I. MỤC ĐÍCH", "Nội dung.", *SIGNATURE])

    assert found.province == "Hà Nam" and found.doc_number == "196/KH-UBND" and found.place == "Hà Nam"
    assert found.doc_date == dt.date(2022, 12, 24) and found.year == 2023
    assert found.title == "Kế hoạch cải cách hành chính nhà nước tỉnh Hà Nam năm 2023"
    assert (found.signer, found.signer_title) == ("Nguyễn Văn Nam", "Phó chủ tịch UBND tỉnh")
    assert found.amends_number is None and found.replaces_number is None


@pytest.mark.parametrize(("title", "field"), [
    ("Sửa đổi, bổ sung một số nội dung của Kế hoạch số 196/KH-UBND ngày 24/12/2022", "amends_number"),
    ("Thay thế Kế hoạch số 196/KH-UBND về cải cách hành chính năm 2023", "replaces_number"),
])
def test_a_plan_says_which_plan_it_amends_or_replaces(title, field):
    found = read_metadata(["UBND TỈNH HÀ NAM", "Số: 45/KH-UBND", "Hà Nam, ngày 02 tháng 3 năm 2023", "KẾ HOẠCH", title])
    assert getattr(found, field) == "196/KH-UBND" and found.year == 2023


def _plan_docx(path: Path, number: str, day: str, title: str, rows: list[list[str]]) -> None:
    document = docx.Document()
    header = document.add_table(rows=2, cols=2)  # the usual borderless two-column header block
    header.cell(0, 0).text, header.cell(0, 1).text = "ỦY BAN NHÂN DÂN\nTỈNH HÀ NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    header.cell(1, 0).text, header.cell(1, 1).text = f"Số: {number}", f"Hà Nam, ngày {day}"
    for line in ["KẾ HOẠCH", title, "", "I. MỤC ĐÍCH, YÊU CẦU", "Nâng cao chất lượng cải cách hành chính.",
                 "II. NHIỆM VỤ"]:
        document.add_paragraph(line)
    table = document.add_table(rows=1 + len(rows), cols=4)
    for cell, heading in zip(table.rows[0].cells, ["STT", "Nội dung công việc", "Đơn vị chủ trì", "Thời hạn hoàn thành"]):
        cell.text = heading
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    for line in ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Trương Quốc Huy"]:
        document.add_paragraph(line)
    document.save(str(path))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    _plan_docx(folder / "ha-nam-2023.docx", "196/KH-UBND", "24 tháng 12 năm 2022",
               "Cải cách hành chính nhà nước tỉnh Hà Nam năm 2023",
               [["1", "Rà soát văn bản quy phạm pháp luật về đất đai", "Sở Tư pháp", "Quý II/2023"],
                ["2", "Kiểm tra công vụ tại các sở, ngành", "Sở Nội vụ", "Quý III/2023"]])
    (folder / "manifest.toml").write_text('[[plan]]\nfile = "ha-nam-2023.docx"\n', encoding="utf-8")
    return folder


def test_a_manifest_entry_needs_only_the_file(corpus, tmp_path):
    settings = get_settings(corpus_dir=corpus, data_dir=tmp_path / "data", **FAKE_MODEL)

    report = build(settings)

    assert not report.failed, [d.error for d in report.documents] + [m.message for m in report.manifest_errors]
    with open_index(settings) as index:
        plan = index.plans["hanam2023"]
        assert (plan.province, plan.year, plan.doc_number, plan.doc_date) == ("Hà Nam", 2023, "196/KH-UBND", dt.date(2022, 12, 24))
        assert plan.title == "Kế hoạch cải cách hành chính nhà nước tỉnh Hà Nam năm 2023"
        assert plan.short_title == "KH CCHC 2023 Hà Nam" and plan.layout.value == "docx"
        assert (plan.signer, plan.signer_title) == ("Trương Quốc Huy", "Chủ tịch UBND tỉnh")
        assert [r.lead_text for r in index.rows] == ["Sở Tư pháp", "Sở Nội vụ"]


def test_the_operators_values_override_what_was_read(corpus, tmp_path):
    (corpus / "manifest.toml").write_text('[[plan]]\nfile = "ha-nam-2023.docx"\nid = "hanam"\nshort_title = "KH 196 Hà Nam"\n',
                                          encoding="utf-8")
    settings = get_settings(corpus_dir=corpus, data_dir=tmp_path / "data", **FAKE_MODEL)
    build(settings)
    with open_index(settings) as index:
        assert index.plans["hanam"].short_title == "KH 196 Hà Nam" and index.plans["hanam"].province == "Hà Nam"


@pytest.mark.parametrize("kind", ["sửa đổi, bổ sung", "thay thế"])
def test_answers_come_from_the_current_version_and_say_so(corpus, tmp_path, kind):
    _plan_docx(corpus / "ha-nam-2023-sua-doi.docx", "45/KH-UBND", "02 tháng 3 năm 2023",
               f"{kind.capitalize()} Kế hoạch số 196/KH-UBND về cải cách hành chính tỉnh Hà Nam năm 2023",
               [["1", "Rà soát văn bản quy phạm pháp luật về đất đai và khoáng sản", "Sở Tư pháp", "Quý III/2023"]])
    (corpus / "manifest.toml").write_text('[[plan]]\nfile = "ha-nam-2023.docx"\n\n[[plan]]\nfile = "ha-nam-2023-sua-doi.docx"\n'
                                          'short_title = "KH 45 Hà Nam"\n', encoding="utf-8")
    settings = get_settings(corpus_dir=corpus, data_dir=tmp_path / "data", **FAKE_MODEL)
    build(settings)

    answer = build_assistant(settings).ask("Sở Tư pháp tỉnh Hà Nam chủ trì những việc gì năm 2023?", today=dt.date(2023, 4, 1))

    cited = {c.id.split("_")[0] for c in answer.citations}
    if kind == "thay thế":
        assert cited == {"hanam2023suadoi"}  # the replaced plan no longer answers
        assert "«KH 45 Hà Nam» thay thế «KH CCHC 2023 Hà Nam»" in answer.answer
    else:
        assert cited == {"hanam2023", "hanam2023suadoi"}
        assert "đã được sửa đổi, bổ sung bởi «KH 45 Hà Nam» (số 45/KH-UBND)" in answer.answer
