"""Word plans: real table structure through python-docx, merged cells included."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from service.wiring import agency_table
from indexer.parsers import parse_document
from indexer.records import Layout, PeriodKind, PlanDocument

HEADINGS = ["TT", "Nhiệm vụ", "Hoạt động", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"]


@pytest.fixture
def word_plan(tmp_path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Cải cách hành chính tỉnh Hà Nam năm 2023")
    document.add_paragraph("I. MỤC TIÊU")
    document.add_paragraph("Nâng Chỉ số PAR INDEX lên nhóm 20 tỉnh dẫn đầu.")
    table = document.add_table(rows=6, cols=len(HEADINGS))
    for cell, heading in zip(table.rows[0].cells, HEADINGS):
        cell.text = heading
    section = table.cell(1, 0).merge(table.cell(1, len(HEADINGS) - 1))
    section.text = "I. Cải cách thể chế"
    rows = [
        ["1", "Rà soát văn bản QPPL", "Lập danh mục văn bản cần rà soát", "Sở Tư pháp", "Các sở, ban, ngành", "Quý II/2023"],
        ["", "", "Báo cáo kết quả rà soát", "Sở Tư pháp", "Văn phòng UBND tỉnh", "Quý IV/2023"],
        ["2", "Kiểm tra công vụ", "Kiểm tra đột xuất", "Sở Nội vụ", "", "Thường xuyên"],
    ]
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values):
            if value:
                table.cell(r, c).text = value
    # The task cell of row 1 is merged down over row 2, as Word plans do.
    merged = table.cell(2, 1).merge(table.cell(3, 1))
    merged.text = "Rà soát văn bản QPPL"
    table.cell(5, 1).text = "Tuyên truyền CCHC"
    table.cell(5, 2).text = "Đăng tin bài"
    table.cell(5, 3).text = "Sở Thông tin và Truyền thông"
    table.cell(5, 5).text = "Năm 2023"
    table.cell(5, 0).text = "3"
    path = tmp_path / "ha-nam-2023.docx"
    document.save(str(path))
    return path


def test_word_table_rows_with_merged_cells(word_plan):
    plan = PlanDocument(id="hanam2023", file=word_plan.name, province="Hà Nam", year=2023,
                        title="Kế hoạch CCHC 2023", short_title="KH CCHC 2023 Hà Nam", layout=Layout.DOCX)
    parsed = parse_document(plan, word_plan, agency_table())
    rows = parsed.rows
    assert [r.label for r in rows] == [
        "KH CCHC 2023 Hà Nam, I › 1", "KH CCHC 2023 Hà Nam, I › 1, dòng 2",
        "KH CCHC 2023 Hà Nam, I › 2", "KH CCHC 2023 Hà Nam, I › 3",
    ]
    assert all(r.section == "I. Cải cách thể chế" for r in rows)
    second = rows[1]
    assert second.task == "Rà soát văn bản QPPL" and "task" in second.inherited
    assert second.activity == "Báo cáo kết quả rà soát"
    assert [a.id for a in second.coordinating] == ["van-phong-ubnd-tinh"]
    assert (second.period.kind, second.period.quarters) == (PeriodKind.DATED, [20234])
    assert [a.id for a in rows[2].lead] == ["so-noi-vu"] and rows[2].coordinating == []
    assert [a.id for a in rows[3].lead] == ["so-thong-tin-va-truyen-thong"]
    assert any("PAR INDEX" in s.text for s in parsed.sections)


def test_broken_word_file_is_refused_by_name(tmp_path):
    path = tmp_path / "hong.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    plan = PlanDocument(id="hong2023", file=path.name, province="Hà Nam", year=2023, title="x",
                        short_title="x", layout=Layout.DOCX)
    with pytest.raises(Exception, match="hong.docx"):
        parse_document(plan, path, agency_table())
