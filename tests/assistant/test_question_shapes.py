"""Question shapes officials ask beyond «who does what in quarter Q» (issue 18, §5): windows from
today, overdue tasks, quoted deadline cells, counts inside a part of a plan, comparisons across
provinces, and periods typed with number words. Expected rows come from the records themselves."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.contract import GroupBlock
from indexer.records import PeriodKind
from indexer.vntext import fold

pytestmark = pytest.mark.slow
D = dt.date


def cited(answer) -> set[str]:
    return {c.id for c in answer.citations}


def led(index, plan: str, agency: str) -> list:
    return [r for r in index.rows if r.document == plan and agency in {a.id for a in r.lead}]


def test_due_soon_lists_the_deadlines_ending_in_the_next_30_days(assistant, index):
    today = D(2022, 9, 10)
    answer = assistant.ask("Sở Nội vụ Hà Tĩnh có việc gì sắp đến hạn không ạ?", today=today)
    expected = {r.id for r in led(index, "hatinh2022", "so-noi-vu") if r.period.kind is PeriodKind.DATED
                and today <= r.period.end <= today + dt.timedelta(days=30)}
    assert expected and expected <= cited(answer)
    recurring = {r.id for r in led(index, "hatinh2022", "so-noi-vu") if r.period.kind is PeriodKind.RECURRING}
    assert not recurring & cited(answer)


def test_overdue_lists_dated_deadlines_already_past(assistant, index):
    today = D(2022, 9, 10)
    answer = assistant.ask("so noi vu ha tinh co viec nao qua han chua", today=today)
    expected = {r.id for r in led(index, "hatinh2022", "so-noi-vu")
                if r.period.kind is PeriodKind.DATED and r.period.end < today}
    assert expected and expected <= cited(answer)
    assert all(index.records[i].period.end < today for i in cited(answer) if index.records[i].document == "hatinh2022"
               and "so-noi-vu" in {a.id for a in index.records[i].lead})


def test_a_quoted_deadline_cell_lists_the_rows_whose_cell_says_it(assistant, index):
    answer = assistant.ask("Ở Nam Định những nhiệm vụ nào có thời hạn ghi là hằng năm?", today=D(2022, 6, 1))
    expected = {r.id for r in index.rows if r.document == "namdinh2022" and "hang nam" in fold(r.period.text)}
    assert expected and cited(answer) == expected


def test_a_count_inside_a_numbered_section_counts_its_rows(assistant, index):
    answer = assistant.ask("Mục VII.A trong KH của Hà Tĩnh có tổng cộng bao nhiêu nhiệm vụ?", today=D(2022, 6, 1))
    expected = {r.id for r in index.rows if r.document == "hatinh2022"
                and (r.section_code == "VII.A" or r.section_code.startswith("VII.A."))}
    assert expected
    assert f"{len(expected)} nhiệm vụ" in answer.answer.splitlines()[0]
    assert cited(answer) == expected


@pytest.mark.parametrize("question", [
    "Sở Nội vụ Hà Tĩnh hay Hưng Yên chủ trì nhiều việc hơn?",
    "Giữa Hà Tĩnh và Hưng Yên, Sở Nội vụ tỉnh nào được giao chủ trì nhiều đầu việc hơn?",
    "Sở Nội vụ Hưng Yên chủ trì ít việc hơn Sở Nội vụ Hà Tĩnh phải không?",
])
def test_a_comparison_states_both_counts_and_which_is_more(assistant, index, question):
    answer = assistant.ask(question, today=D(2022, 6, 1))
    counts = {p: len(led(index, plan, "so-noi-vu")) for p, plan in (("Hà Tĩnh", "hatinh2022"), ("Hưng Yên", "hungyen2022"))}
    line = next(line for line in answer.answer.splitlines() if line.startswith("So sánh"))
    for province, count in counts.items():
        assert f"{province} {count}" in line
    assert f"{max(counts, key=counts.get)} nhiều nhất" in line


@pytest.mark.parametrize("question", [
    "Sở Nội vụ Hà Tĩnh chủ trì những việc gì trong quý ba năm 2022?",
    "Sở Nội vụ Hà Tĩnh chủ trì những việc gì trong Q3/2022?",
    "Sở Nội vụ Hà Tĩnh chủ trì những việc gì trong quý 3 năm ngoái?",
])
def test_quarters_typed_as_words_or_q3_read_as_the_third_quarter(assistant, question):
    answer = assistant.ask(question, today=D(2023, 2, 1))
    assert answer.query.period is not None and answer.query.period.quarters == [20223]
    assert answer.found and answer.citations


@pytest.mark.parametrize("question, agency", [
    ("Sở Tài chính Hà Tĩnh có tham gia triển khai mạng truyền số liệu chuyên dùng đến UBND cấp xã không?", "so-tai-chinh"),
    ("Sở Nội vụ Hà Tĩnh có phải chủ trì xây dựng nền tảng tích hợp và chia sẻ dữ liệu LGSP không?", "so-noi-vu"),
    ("Sở Tư pháp Nam Định có phải chủ trì kiểm tra, rà soát văn bản QPPL không?", "so-tu-phap"),
])
def test_a_yes_no_question_is_answered_from_the_row_it_cites(assistant, index, question, agency):
    answer = assistant.ask(question, today=D(2022, 6, 1))
    assert answer.query.yes_no and answer.citations
    row = index.records[answer.citations[0].id]
    named = agency in {a.id for a in row.lead} | ({a.id for a in row.coordinating} if "tham gia" in question else set())
    assert answer.answer.startswith("Có" if named else "Không")


def test_where_reports_go_is_read_from_the_plan_body_not_the_recipient_list(assistant, index):
    answer = assistant.ask("Các đơn vị ở Khánh Hòa gửi báo cáo kết quả thực hiện kế hoạch về đâu?", today=D(2022, 6, 1))
    sections = {c.section for c in answer.citations}
    assert "Nơi nhận" not in sections
    assert "gửi Sở Nội vụ" in answer.answer


@pytest.mark.parametrize("question", [
    "Sở Nội vụ Hà Tĩnh chủ trì những việc gì trong quý III/2022, không tính việc thường xuyên và việc cả năm?",
    "Ngoài việc thường xuyên và việc cả năm, Sở Nội vụ Hà Tĩnh chủ trì những việc gì trong quý III/2022?",
    "Sở Nội vụ Hà Tĩnh chủ trì những việc gì trong quý III/2022, bỏ việc thường xuyên và việc cả năm?",
])
def test_recurring_and_whole_year_tasks_left_out_on_request(assistant, index, question):
    answer = assistant.ask(question, today=D(2022, 6, 1))
    kinds = {index.records[i].period.kind for i in cited(answer)}
    assert answer.citations and not kinds & {PeriodKind.RECURRING, PeriodKind.WHOLE_YEAR}
    everything = assistant.ask("Sở Nội vụ Hà Tĩnh chủ trì những việc gì trong quý III/2022?", today=D(2022, 6, 1))
    assert cited(answer) < cited(everything)


def test_the_documents_a_plan_is_based_on_come_from_its_preamble(assistant):
    answer = assistant.ask("Kế hoạch CCHC năm 2022 của Hưng Yên được xây dựng dựa trên những văn bản nào?", today=D(2022, 6, 1))
    assert answer.found
    assert "Căn cứ Kế hoạch số 184/KH-UBND" in answer.answer


@pytest.mark.parametrize("question, number", [
    ("Kế hoạch CCHC 2022 của Hưng Yên triển khai nghị quyết nào của Chính phủ, số mấy?", "76/NQ-CP"),
    ("Kế hoạch Khánh Hòa được lập theo quyết định nào của Bộ Nội vụ?", "352/QĐ-BNV"),
])
def test_a_document_the_plan_cites_is_named_with_its_number_even_with_an_agency(assistant, question, number):
    """Asked by its kind («nghị quyết nào»), a cited document comes with its number and date, and an
    agency in the question («của Bộ Nội vụ») does not turn it into a listing of that agency's tasks."""
    answer = assistant.ask(question, today=D(2022, 6, 1))
    assert number in answer.answer
    assert answer.citations and all(c.row == "" for c in answer.citations)  # plan text, not task rows


def test_what_an_agency_reports_and_to_whom_is_the_reporting_duty(assistant):
    answer = assistant.ask("Sở Nội vụ Khánh Hòa phải báo cáo kết quả lên đâu?", today=D(2022, 6, 1))
    assert "gửi Sở Nội vụ để tổng hợp, báo cáo UBND tỉnh" in answer.answer
    plain = assistant.ask("Theo kế hoạch, Sở Nội vụ Hưng Yên phải làm những việc gì?", today=D(2022, 6, 1))
    assert plain.query.intent.value == "listing"


def test_a_listing_about_a_topic_puts_the_rows_naming_it_first_and_stays_complete(assistant, index):
    question = "Sở Nội vụ Hà Tĩnh chủ trì những việc gì về cải cách công vụ?"
    answer = assistant.ask(question, today=D(2022, 6, 1))
    whole = assistant.ask("Sở Nội vụ Hà Tĩnh chủ trì những việc gì?", today=D(2022, 6, 1))
    assert set(cited(answer)) == set(cited(whole))  # a word match may miss a row about the topic: nothing is dropped
    about = next(block for block in answer.blocks if isinstance(block, GroupBlock) and block.title == "Về «cải cách công vụ»")
    assert answer.answer.index("Về «cải cách công vụ»") < answer.answer.index("việc khác")
    for item in about.items:  # the topic's group holds rows that say it, as a phrase
        row = index.records[item.id]
        assert "công vụ" in f"{row.section} {row.text}".lower()


def test_a_province_listing_about_a_topic_lists_only_the_rows_naming_it(assistant, index):
    answer = assistant.ask("Hà Tĩnh có những việc gì về chuyển đổi số?", today=D(2022, 6, 1))
    rows = [index.records[i] for i in cited(answer)]
    assert rows and all(r.province == "Hà Tĩnh" for r in rows)
    assert all("chuyển đổi" in f"{r.section} {r.text}".lower() for r in rows)
    naming = {r.id for r in index.rows if r.document == "hatinh2022" and "chuyển đổi số" in r.text.lower()}
    assert naming <= set(cited(answer))


def test_a_topic_no_row_names_is_searched_and_declined_not_listed(assistant):
    answer = assistant.ask("Nam Định có những nhiệm vụ nào về blockchain không?", today=D(2022, 6, 1))
    assert not answer.citations and "blockchain" in answer.answer


def test_nothing_of_the_kind_asked_says_which_kind_was_asked(assistant, index):
    """Sóc Trăng gives Sở Nội vụ no recurring task: the answer says none of that kind, not none at all."""
    recurring = [r for r in led(index, "soctrang2021", "so-noi-vu") if r.period.kind is PeriodKind.RECURRING]
    answer = assistant.ask("Sở Nội vụ Sóc Trăng có những việc gì thực hiện thường xuyên?", today=D(2022, 6, 1))
    assert not recurring and not answer.citations
    assert "nhiệm vụ nào (thực hiện thường xuyên" in answer.answer
    assert "việc thường xuyên, định kỳ" in answer.answer.splitlines()[-1]  # «Đã hiểu: …»


def test_who_leads_a_reporting_task_is_answered_from_its_row_not_the_reporting_duty(assistant, index):
    row = next(r for r in index.rows if "chế độ báo cáo theo Thông tư số 01/2020/TT-VPCP" in r.text)
    answer = assistant.ask("Ở Khánh Hòa, đơn vị nào chủ trì thực hiện chế độ báo cáo theo Thông tư 01/2020/TT-VPCP?",
                           today=D(2022, 6, 1))
    assert answer.citations[0].id == row.id and row.lead_text in answer.answer



def test_a_reporting_duty_opening_its_sentence_is_found(assistant, index):
    """«Báo cáo định kỳ … về Ủy ban nhân dân tỉnh (qua Sở Nội vụ)» starts a sentence with a capital."""
    section = next(s for s in index.sections if s.document == "soctrang2021" and "(qua Sở Nội vụ)" in s.text)
    answer = assistant.ask("Ở Sóc Trăng, các sở báo cáo định kỳ về UBND tỉnh qua cơ quan nào?", today=D(2022, 6, 1))
    assert section.id in cited(answer) and "qua Sở Nội vụ" in answer.answer
