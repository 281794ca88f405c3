"""Column roles from what a heading means (keyword rules over the folded heading), and from what
the cells hold when the heading says nothing."""

from __future__ import annotations

import pytest

from service.wiring import agency_table
from indexer.parsers.columns import RoleSource, cell_classifier, choose_roles
from indexer.parsers.grid import GridCell, find_header
from indexer.parsers.table import heading_role

# Headings printed in Vietnamese provincial and departmental reform plans, 2019-2025.
HEADINGS = [
    ("STT", "stt"), ("TT", "stt"), ("Số TT", "stt"), ("Số thứ tự", "stt"), ("S.TT", "stt"),
    ("Nội dung công việc", "task"), ("Nội dung", "task"), ("Nhiệm vụ", "task"), ("Tên nhiệm vụ", "task"),
    ("Nhiệm vụ, giải pháp", "task"), ("Nhiệm vụ cụ thể", "task"), ("2- Nhiệm vụ", "task"),
    ("Nội dung nhiệm vụ", "task"), ("Giải pháp thực hiện", "task"), ("Tên đề án, nhiệm vụ", "task"),
    ("Đơn vị chủ trì", "lead"), ("Cơ quan chủ trì", "lead"), ("Chủ trì", "lead"), ("5- Chủ trì", "lead"),
    ("Đơn vị thực hiện", "lead"), ("Cơ quan thực hiện", "lead"), ("Cơ quan chủ trì thực hiện", "lead"),
    ("Đơn vị chủ trì thực hiện", "lead"), ("Trách nhiệm thực hiện", "lead"), ("Cơ quan Chủ trì", "lead"),
    ("Đơn vị phối hợp", "coordinating"), ("Cơ quan phối hợp", "coordinating"), ("Phối hợp", "coordinating"),
    ("Cơ quan phối hợp thực hiện", "coordinating"), ("Đơn vị phối hợp thực hiện", "coordinating"),
    ("Thời hạn hoàn thành", "period"), ("Thời gian hoàn thành", "period"), ("Thời gian thực hiện", "period"),
    ("Thời gian", "period"), ("Tiến độ", "period"), ("Tiến độ thực hiện", "period"), ("Thời hạn", "period"),
    ("Mốc thời gian", "period"), ("Thời gian hoàn thành (dự kiến)", "period"), ("Hoàn thành", "period"),
    ("Kết quả dự kiến", "product"), ("Sản phẩm", "product"), ("Kết quả/sản phẩm", "product"),
    ("Kết quả/ Sản phẩm", "product"), ("Sản phẩm đầu ra", "product"), ("Hình thức văn bản", "product"),
    ("Hình thức sản phẩm", "product"), ("Kết quả, sản phẩm", "product"), ("Dự kiến sản phẩm", "product"),
    ("Dự toán kinh phí", "budget"), ("Kinh phí", "budget"), ("Kinh phí dự kiến", "budget"),
    ("Kinh phí (triệu đồng)", "budget"), ("Nguồn kinh phí", "budget"), ("Nguồn vốn", "budget"),
    ("Dự toán (triệu đồng)", "budget"), ("Kinh phí thực hiện", "budget"),
    ("Hoạt động", "activity"), ("Hoạt động cụ thể", "activity"), ("3- Hoạt động", "activity"),
    ("Mục tiêu", "target"), ("Chỉ tiêu", "target"), ("Mục tiêu/Chỉ tiêu", "target"), ("1- Mục tiêu/Chỉ tiêu", "target"),
    ("Nhiệm vụ chung", "section"), ("Lĩnh vực", "section"),
    ("Ghi chú", "note"),
    ("<b>Cơ quan chủ trì</b>", "lead"), ("THỜI GIAN HOÀN THÀNH", "period"), ("Don vi chu tri", "lead"),
    ("(1) Nội dung công việc", "task"), ("Thoi han hoan thanh", "period"),
]


def test_the_table_has_enough_real_variants():
    assert len(HEADINGS) >= 40 and len({h for h, _ in HEADINGS}) == len(HEADINGS)


@pytest.mark.parametrize(("heading", "role"), HEADINGS, ids=[h for h, _ in HEADINGS])
def test_a_heading_means_its_role(heading, role):
    assert heading_role(heading) == role


@pytest.mark.parametrize("heading", ["Cột lạ", "Đánh giá", "", "Năm"])
def test_headings_that_say_nothing_known_have_no_role(heading):
    assert heading_role(heading) is None


@pytest.fixture(scope="module")
def classify():
    return cell_classifier(agency_table(), 2023)


ROWS = [
    ["1", "Rà soát, hệ thống hóa văn bản quy phạm pháp luật của tỉnh", "Sở Tư pháp", "Các sở, ban, ngành", "Quý II/2023", "50 triệu đồng"],
    ["2", "Kiểm tra công tác cải cách hành chính tại các cơ quan", "Sở Nội vụ", "Văn phòng UBND tỉnh", "Thường xuyên", "30 triệu đồng"],
    ["3", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", "Văn phòng UBND tỉnh", "Sở Thông tin và Truyền thông", "Tháng 6/2023", "120 triệu đồng"],
    ["4", "Đo lường sự hài lòng của người dân đối với sự phục vụ", "Sở Nội vụ", "Sở Tài chính", "Quý IV/2023", "80 triệu đồng"],
]


def test_columns_without_headings_are_judged_by_their_cells(classify):
    choices = choose_roles(["", "", "", "", "", ""], ROWS, classify)

    assert [c.role for c in choices][1:] == ["task", "lead", "coordinating", "period", "budget"]
    assert all(c.source is RoleSource.CONTENT for c in choices[2:])
    assert "4/4 ô là tên cơ quan" in choices[2].why


def test_a_known_heading_wins_and_an_unknown_one_falls_back_to_content(classify):
    headings = ["TT", "Việc cần làm", "Cơ quan chủ trì", "Đơn vị cùng làm", "Hạn", "Tiền"]
    choices = choose_roles(headings, ROWS, classify)

    assert [c.role for c in choices] == ["stt", "task", "lead", "coordinating", "period", "budget"]
    assert [c.source for c in choices][2] is RoleSource.HEADING
    assert [c.source for c in choices][3] is RoleSource.CONTENT


def test_the_manifest_overrides_everything(classify):
    roles = ["stt", "task", "coordinating", "lead", "period", "budget"]
    choices = choose_roles(["TT", "Nội dung", "Chủ trì", "Phối hợp", "Thời hạn", "Kinh phí"], ROWS, classify, roles)
    assert [c.role for c in choices] == roles and {c.source for c in choices} == {RoleSource.MANIFEST}


def test_a_two_line_header_is_joined_before_matching():
    top = [GridCell("STT"), GridCell("Nội dung"), GridCell("Cơ quan"), GridCell("Cơ quan", merged_left=True), GridCell("Thời hạn")]
    below = [GridCell("STT", merged_up=True), GridCell("Nội dung", merged_up=True), GridCell("Chủ trì"),
             GridCell("Phối hợp"), GridCell("Thời hạn", merged_up=True)]
    body = [GridCell(c) for c in ROWS[0][:5]]

    start, height, headings = find_header([[GridCell("PHỤ LỤC")], top, below, body])

    assert (start, height) == (1, 2)
    assert headings == ["STT", "Nội dung", "Cơ quan Chủ trì", "Cơ quan Phối hợp", "Thời hạn"]
    assert [heading_role(h) for h in headings] == ["stt", "task", "lead", "coordinating", "period"]
