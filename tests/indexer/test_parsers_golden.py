"""Golden tests: the seed plans parse into the rows a person reads in them.

For each document: the row count, and for chosen rows (including the split, merged, shifted and
page-broken ones) every field that matters to an official."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.agencies import AgencyTable
from indexer.manifest import load_manifest
from indexer.parsers import parse_document
from indexer.records import ParsedDocument, PeriodKind, RowRecord

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
Q22 = [20221, 20222, 20223, 20224]
Q21 = [20211, 20212, 20213, 20214]

ROW_COUNTS = {"namdinh2022": 65, "soctrang2021": 29, "hatinh2022": 69, "khanhhoa2022": 71, "hungyen2022": 105}


@pytest.fixture(scope="module")
def parsed() -> dict[str, ParsedDocument]:
    agencies = AgencyTable.load()
    return {plan.id: parse_document(plan, CORPUS / plan.file, agencies) for plan in load_manifest(CORPUS)[0]}


def rows_at(doc: ParsedDocument, line: int) -> list[RowRecord]:
    return [row for row in doc.rows if row.lines[0] == line]


@pytest.mark.parametrize("plan_id, count", ROW_COUNTS.items())
def test_row_counts(parsed, plan_id, count):
    assert len(parsed[plan_id].rows) == count


def test_every_row_has_an_assignee_a_deadline_cell_and_a_unique_id(parsed):
    ids = [row.id for doc in parsed.values() for row in doc.rows]
    assert len(ids) == len(set(ids))
    for doc in parsed.values():
        for row in doc.rows:
            assert row.lead, f"{row.label} has no lead agency"
            assert row.task or row.activity, f"{row.label} has no task"
            assert row.period.text, f"{row.label} has no deadline text"


def test_only_the_misplaced_deadline_is_reported(parsed):
    issues = [(plan_id, issue.line) for plan_id, doc in parsed.items() for issue in doc.issues]
    # Sóc Trăng line 156 prints "Sở Nội vụ" in the deadline column: reported, never dropped.
    assert issues == [("soctrang2021", 156)]
    row = rows_at(parsed["soctrang2021"], 156)[0]
    assert row.period.kind is PeriodKind.UNKNOWN and not row.period.understood


# (plan, first source line, occurrence at that line) -> expected fields
GOLDEN: dict[tuple[str, int, int], dict] = {
    ("namdinh2022", 10, 0): dict(
        label="KH CCHC 2022 Nam Định, I › 1.1", section="I. Cải cách thể chế › 1. Rà soát, kiểm tra, hệ thống hóa VBQPPL",
        task="1. Rà soát, kiểm tra, hệ thống hóa VBQPPL", activity="1.1 Kiểm tra, rà soát văn bản QPPL.",
        lead=["so-tu-phap"], coordinating=["cac-co-quan-lien-quan"], period=("Thường xuyên", PeriodKind.RECURRING, Q22),
        budget_text="Kinh phí thường xuyên",
    ),
    # Shifted: the task sits in the section column and "7.1" alone in the next cell.
    ("namdinh2022", 55, 0): dict(
        label="KH CCHC 2022 Nam Định, IV › 7.1", task="7. Đào tạo, bồi dưỡng cán bộ, công chức, viên chức nhà nước ở tỉnh",
        activity="7.1 Kế hoạch đào tạo, bồi dưỡng cán bộ, công chức, viên chức tỉnh Nam Định năm 2022",
        lead=["so-noi-vu"], coordinating=["cac-so-ban-nganh", "ubnd-cap-huyen"], notes="lệch cột",
    ),
    # Shifted right with the budget cell missing.
    ("namdinh2022", 59, 0): dict(
        label="KH CCHC 2022 Nam Định, IV › 8.1", task="8. Công tác cán bộ", lead=["so-noi-vu"],
        period=("Năm 2022", PeriodKind.WHOLE_YEAR, Q22), budget_text=None, notes="thiếu ô",
    ),
    # Number in the first column; merged task cell inherited.
    ("namdinh2022", 60, 0): dict(
        label="KH CCHC 2022 Nam Định, IV › 8.2", task="8. Công tác cán bộ",
        activity="8.2 Đánh giá, phân loại cán bộ, công chức, viên chức", lead=["so-noi-vu"],
        period=("Quý IV Năm 2022", PeriodKind.DATED, [20224]), inherited=["task"],
    ),
    # Printed before its section title, which sits on the next page: belongs to V, not IV.
    ("namdinh2022", 61, 0): dict(
        label="KH CCHC 2022 Nam Định, V › 1.1", section="V. Cải cách tài chính công › 1. Hoàn thiện cơ chế tài chính tại các đơn vị sự nghiệp công lập",
        lead=["cac-so-ban-nganh"], coordinating=["so-tai-chinh", "cac-co-quan-lien-quan"], notes="đúng mục",
    ),
    # "các sở: Tư pháp, Tài chính, …" names each department.
    ("namdinh2022", 84, 0): dict(
        label="KH CCHC 2022 Nam Định, VII › 1.1", lead=["so-noi-vu"],
        coordinating=["van-phong-ubnd-tinh", "so-tu-phap", "so-tai-chinh", "so-ke-hoach-va-dau-tu",
                      "so-thong-tin-va-truyen-thong", "so-khoa-hoc-va-cong-nghe"],
        period=("Theo hướng dẫn của Bộ Nội vụ", PeriodKind.PER_GUIDANCE, []),
    ),
    ("namdinh2022", 77, 0): dict(label="KH CCHC 2022 Nam Định, VI › 3.1 (lần 2)", period=("Hàng năm", PeriodKind.RECURRING, Q22)),
    ("soctrang2021", 145, 0): dict(
        label="KH CCHC 2021 Sóc Trăng, Cải cách thể chế › 4", lead=["so-tu-phap"],
        period=("- Tháng 02/2021 - Ngày 15/11/2021", PeriodKind.DATED, [20211, 20212, 20213, 20214]),
        product="- Kế hoạch của UBND tỉnh\n- Báo cáo kết quả thực hiện",
    ),
    # One extra empty cell shifts the row right; dropped so lead and deadline line up.
    ("soctrang2021", 162, 0): dict(
        lead=["so-tai-chinh"], product="- Báo cáo kết quả thực hiện", period=("Trong năm 2021", PeriodKind.WHOLE_YEAR, Q21),
        notes="thừa ô",
    ),
    # The e-government row: three <p> tasks, leads and deadlines -> three rows.
    ("soctrang2021", 166, 0): dict(
        label="KH CCHC 2021 Sóc Trăng, Xây dựng và phát triển Chính phủ điện tử › 1",
        lead=["so-thong-tin-va-truyen-thong"], period=("Quý 1/2021", PeriodKind.DATED, [20211]),
        product="- Quyết định phê duyệt của UBND tỉnh\n- Báo cáo kết quả thực hiện", notes="tách ô",
    ),
    ("soctrang2021", 166, 1): dict(
        task="2. Duy trì cung cấp dịch vụ công trực tuyến", lead=["so-thong-tin-va-truyen-thong"],
        period=("Thường xuyên", PeriodKind.RECURRING, Q21), product="- Báo cáo kết quả thực hiện",
    ),
    ("soctrang2021", 166, 2): dict(
        task="3. Xây dựng Kế hoạch và tổ chức kiểm tra", lead=["so-khoa-hoc-va-cong-nghe"],
        coordinating=["cac-co-quan-don-vi-dia-phuong"], period=("- Tháng 4/2021 - Tháng 12/2021", PeriodKind.DATED, [20212, 20213, 20214]),
        product="- Kế hoạch kiểm tra của UBND\n- Báo cáo kết quả kiểm tra",
    ),
    ("soctrang2021", 167, 1): dict(
        task="2. Xây dựng và tổ chức thực hiện Kế hoạch tuyên truyền CCHC năm 2021", lead=["so-noi-vu"],
        period=("- Tháng 01/2021 - Tháng 12/2021", PeriodKind.DATED, [20211, 20212, 20213, 20214]),
    ),
    # OCR slip "Số Nội vụ" kept in the text, normalised in the lead list.
    ("soctrang2021", 171, 0): dict(lead=["so-noi-vu"], lead_text="Số Nội vụ", coordinating=["cac-nganh-cac-cap"]),
    ("hatinh2022", 19, 0): dict(
        label="KH CCHC 2022 Hà Tĩnh, I.1 › 3.1–3.8", section="I. CÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH CCHC",
        target="1.1. Xây dựng nền hành chính dân chủ", task="2.1. Tham mưu Ban Cán sự Đảng", activity="3.1. Thành lập Tổ soạn thảo Đề án",
        lead=["so-noi-vu"], coordinating=["cac-co-quan-chu-tri-cchc", "van-phong-tinh-uy"], period=("Quý I/2022", PeriodKind.DATED, [20221]),
        budget_text="Theo dự toán được cấp",
    ),
    # A row omitting its merged leading cells: target and task come from above.
    ("hatinh2022", 177, 0): dict(
        label="KH CCHC 2022 Hà Tĩnh, I.4,5 › 3.29", target="1.4. Nâng cao thứ hạng", task="2.9. Đổi mới công tác đánh giá",
        inherited=["target", "task"], period=("Tháng 7/2022", PeriodKind.DATED, [20223]),
    ),
    ("hatinh2022", 263, 0): dict(period=("Tháng 2 đến tháng 8 năm 2022", PeriodKind.DATED, [20221, 20222, 20223]), budget=50.0),
    ("hatinh2022", 316, 0): dict(
        label="KH CCHC 2022 Hà Tĩnh, III.4 › 3.9–3.10", lead=["van-phong-ubnd-tinh"],
        coordinating=["cac-so-ban-nganh", "ubnd-cap-huyen", "ubnd-cap-xa"], budget=0.0,
    ),
    ("hatinh2022", 487, 0): dict(period=("01/2022-06/2022", PeriodKind.DATED, [20221, 20222])),
    # Lead, coordination, deadline and budget cells merged with the row above.
    ("hatinh2022", 708, 0): dict(
        label="KH CCHC 2022 Hà Tĩnh, VI.1 › 2.2", lead=["so-tai-chinh"], period=("Thường xuyên", PeriodKind.RECURRING, Q22),
        inherited=["target", "lead", "coordinating", "period"],
    ),
    ("hatinh2022", 772, 0): dict(
        section="VII. XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ › A. Ứng dụng công nghệ thông tin trong hoạt động của đơn vị",
        lead=["van-phong-doan-dbqh-va-hdnd-tinh"], budget=2300.0, period=("Quý IV/ 2022", PeriodKind.DATED, [20224]),
    ),
    ("hatinh2022", 877, 0): dict(label="KH CCHC 2022 Hà Tĩnh, VII.B.1 › 3.1", budget=10.0, per_unit=True, lead=["cac-co-quan-don-vi-dia-phuong"]),
    # "Văn phòng\nUBND tỉnh"-style line breaks inside a lead cell.
    ("hatinh2022", 380, 0): dict(lead=["cac-so-ban-nganh", "ubnd-cap-huyen"], coordinating=["van-phong-ubnd-tinh"]),
    ("khanhhoa2022", 104, 0): dict(
        label="KH nâng cao PAR INDEX, SIPAS 2022 Khánh Hòa, A.I › 1",
        section="A. CHỈ SỐ CẢI CÁCH HÀNH CHÍNH (PAR-INDEX) › I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO THỰC HIỆN CCHC",
        # "Sở Nội vụ theo dõi, đôn đốc các sở, ban, ngành…": the departments are objects, not leads.
        lead=["so-noi-vu"], period=("Trong năm 2022", PeriodKind.WHOLE_YEAR, Q22),
    ),
    # Heading-only row "1 Theo dõi thi hành pháp luật" titles the bullet rows below it.
    ("khanhhoa2022", 123, 0): dict(
        label="KH nâng cao PAR INDEX, SIPAS 2022 Khánh Hòa, A.III › 1, dòng 1",
        section="A. CHỈ SỐ CẢI CÁCH HÀNH CHÍNH (PAR-INDEX) › III. CẢI CÁCH THỂ CHẾ › 1. Theo dõi thi hành pháp luật",
        task="- Thực hiện các hoạt động về theo dõi thi hành pháp luật", lead=["so-tu-phap"],
    ),
    # Split by a page break mid-sentence: "… phù" / "hợp," rejoined.
    ("khanhhoa2022", 126, 0): dict(
        lines=(126, 129), task="Thực hiện rà soát thường xuyên, hiệu quả các văn bản quy phạm pháp luật của HĐND tỉnh, UBND tỉnh ban hành nhằm xem xét tính hiệu quả, tính phù hợp của văn bản",
        product_contains="tính hiệu quả, phù hợp,", notes="ngắt trang",
    ),
    ("khanhhoa2022", 138, 0): dict(
        label="KH nâng cao PAR INDEX, SIPAS 2022 Khánh Hòa, A.IV › 3, dòng 3", task="- Công khai TTHC đầy đủ, đúng quy định",
        lead=["cac-so-ban-nganh", "ubnd-cap-huyen", "ubnd-cap-xa"], period=("Thường xuyên", PeriodKind.RECURRING, Q22),
        inherited=["task", "period"],
    ),
    ("khanhhoa2022", 165, 0): dict(
        lines=(165, 168), lead=["so-noi-vu", "cac-co-quan-don-vi-dia-phuong"],
        lead_text="- Sở Nội vụ chủ trì, tham mưu UBND tỉnh tổ chức\n- Các cơ quan, đơn vị, địa phương theo nhu cầu thực tế tại đơn vị",
    ),
    ("khanhhoa2022", 220, 0): dict(
        label="KH nâng cao PAR INDEX, SIPAS 2022 Khánh Hòa, B › 1.1",
        coordinating=["van-phong-ubnd-tinh", "so-tai-chinh", "so-ke-hoach-va-dau-tu"],
    ),
    # The merged task cell ran on after the page break; both rows carry the whole task.
    ("hungyen2022", 367, 0): dict(label="KH CCHC 2022 Hưng Yên, I › 3", task_contains="xã hội trong quá trình xây dựng và ban hành văn bản quy phạm pháp luật."),
    ("hungyen2022", 371, 0): dict(
        label="KH CCHC 2022 Hưng Yên, I › 3, dòng 2", task_contains="xã hội trong quá trình xây dựng",
        lead=["cac-so-ban-nganh"], coordinating=["so-tu-phap"], inherited=["task"],
    ),
    # "Văn phòng" / "UBND tỉnh" and "Thường" / "xuyên" cut by the page break.
    ("hungyen2022", 417, 0): dict(
        lines=(417, 421), lead=["van-phong-ubnd-tinh"], lead_text="Văn phòng UBND tỉnh",
        period=("Thường xuyên", PeriodKind.RECURRING, Q22), coordinating=["cac-so-ban-nganh", "ubnd-cap-huyen", "ubnd-cap-xa"],
    ),
    ("hungyen2022", 398, 0): dict(lead=["trung-tam-phuc-vu-hanh-chinh-cong-tinh", "ubnd-cap-huyen", "ubnd-cap-xa"]),
    ("hungyen2022", 430, 0): dict(
        period=("Từ Quý II/2022 đến hết Quý IV/2025", PeriodKind.DATED, None), inherited=["task", "activity"],
        lead=["van-phong-ubnd-tinh", "cac-so-ban-nganh", "ubnd-cap-huyen", "ubnd-cap-xa"],
    ),
    ("hungyen2022", 466, 0): dict(lead=["so-noi-vu"], inherited=["task", "lead", "coordinating", "period"]),
    ("hungyen2022", 548, 0): dict(period=("Tháng 11 hàng năm", PeriodKind.RECURRING, [20224])),
    ("hungyen2022", 423, 0): dict(period=("Quý II/2022 và thường xuyên trong các năm tiếp theo", PeriodKind.DATED, [20222])),
}


@pytest.mark.parametrize("key", list(GOLDEN), ids=[f"{p}:{line}:{i}" for p, line, i in GOLDEN])
def test_golden_row(parsed, key):
    plan_id, line, occurrence = key
    expected = GOLDEN[key]
    candidates = rows_at(parsed[plan_id], line)
    assert len(candidates) > occurrence, f"no row starts at line {line}"
    row = candidates[occurrence]
    for field in ("label", "section", "lead_text", "product", "lines"):
        if field in expected:
            assert getattr(row, field) == expected[field], field
    for field in ("task", "activity", "target"):
        if field in expected:
            assert getattr(row, field).startswith(expected[field]), f"{field}: {getattr(row, field)!r}"
    if "task_contains" in expected:
        assert expected["task_contains"] in row.task
    if "product_contains" in expected:
        assert expected["product_contains"] in row.product
    if "lead" in expected:
        assert [a.id for a in row.lead] == expected["lead"]
    if "coordinating" in expected:
        assert [a.id for a in row.coordinating] == expected["coordinating"]
    if "period" in expected:
        text, kind, quarters = expected["period"]
        assert (row.period.text, row.period.kind) == (text, kind)
        if quarters is not None:
            assert row.period.quarters == quarters
    if "budget_text" in expected:
        assert (row.budget.text if row.budget else None) == expected["budget_text"]
    if "budget" in expected:
        assert row.budget is not None and row.budget.million_vnd == expected["budget"]
    if "per_unit" in expected:
        assert row.budget.per_unit is expected["per_unit"]
    if "inherited" in expected:
        assert row.inherited == expected["inherited"]
    if "notes" in expected:
        assert any(expected["notes"] in note for note in row.notes), row.notes


def test_original_text_is_kept_for_citation(parsed):
    row = rows_at(parsed["soctrang2021"], 171)[0]
    assert "Người ký" not in row.text
    assert "Cơ quan chủ trì: Số Nội vụ" in row.text
    assert [c.heading for c in row.cells] == [
        "Nhiệm vụ cụ thể", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"
    ]


def test_stable_ids_survive_a_second_parse(parsed):
    again = parse_document(parsed["hatinh2022"].plan, CORPUS / parsed["hatinh2022"].plan.file, AgencyTable.load())
    assert [r.id for r in again.rows] == [r.id for r in parsed["hatinh2022"].rows]


def test_prose_sections_hold_targets_assignments_deadlines_and_signer(parsed):
    sections = {s.label: s for doc in parsed.values() for s in doc.sections}
    signer = sections["KH CCHC 2021 Sóc Trăng, Người ký"]
    assert "Trần Văn Lâu" in signer.text and "CHỦ TỊCH" in signer.text
    assert "Nguyễn Duy Hưng" in sections["KH CCHC 2022 Hưng Yên, Người ký"].text
    reporting = next(s for s in parsed["soctrang2021"].sections if "ngày 18 của tháng cuối kỳ" in s.text)
    assert reporting.section.startswith("IV. TỔ CHỨC THỰC HIỆN")
    home_affairs = next(s for s in parsed["hungyen2022"].sections if s.section.endswith("3. Sở Nội vụ"))
    assert "Chỉ số CCHC" in home_affairs.text
    par_index = next(s for s in parsed["khanhhoa2022"].sections if "85,11%" in s.text)
    assert par_index.document == "khanhhoa2022"
