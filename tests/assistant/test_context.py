"""Context that follows the user: references to the last answer's items, the profile's province,
«tỉnh nào?», «đơn vị tôi» with no profile, and a conversation that was lost."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from assistant.context import RefKind, asks_every_province, read_reference
from assistant.contract import AgencyMention, Answer, ClarifyKind, GroupBlock, Intent, NoteBlock, Profile

TODAY = dt.date(2022, 11, 1)
HA_TINH_SNV = Profile(agency=AgencyMention(id="so-noi-vu", name="Sở Nội vụ"), province="Hà Tĩnh")
_sessions = itertools.count(1)


def session() -> str:
    return f"context-test-{next(_sessions)}"


def shown(answer: Answer) -> list[str]:
    return [item.id for block in answer.blocks if isinstance(block, GroupBlock) for item in block.items]


# -- the recogniser -----------------------------------------------------------------------------
@pytest.mark.parametrize("text, kind, index", [
    ("việc thứ 3 hạn khi nào?", RefKind.INDEX, 3),
    ("Việc thứ ba do ai phối hợp?", RefKind.INDEX, 3),
    ("nhiệm vụ số 2 kinh phí bao nhiêu", RefKind.INDEX, 2),
    ("cái thứ hai thì sao", RefKind.INDEX, 2),
    ("còn việc thứ tư?", RefKind.INDEX, 4),
    ("việc thứ nhất ai chủ trì", RefKind.INDEX, 1),
    ("việc đầu tiên hạn khi nào", RefKind.INDEX, 1),
    ("việc thứ mười", RefKind.INDEX, 10),
    ("viec thu 3 han khi nao", RefKind.INDEX, 3),
    ("viec thu hai do ai chu tri", RefKind.INDEX, 2),
    ("việc cuối hạn khi nào?", RefKind.LAST, None),
    ("Nhiệm vụ cuối cùng ai phối hợp?", RefKind.LAST, None),
    ("việc đó hạn khi nào?", RefKind.THAT, None),
    ("nhiệm vụ này kinh phí bao nhiêu", RefKind.THAT, None),
    ("việc 3 kinh phí bao nhiêu?", RefKind.INDEX, 3),
    ("dòng 2 ai phối hợp", RefKind.INDEX, 2),
    ("đầu việc thứ hai hạn khi nào", RefKind.INDEX, 2),
    ("nội dung đó ai làm?", RefKind.THAT, None),
])
def test_a_reference_is_read_with_its_index_and_the_span_it_claims(text, kind, index) -> None:
    reference = read_reference(text)
    assert reference is not None and reference.kind is kind and reference.index == index
    start, end = reference.span
    claimed = text[start:end].lower()
    assert claimed.split()[0] in {"việc", "viec", "nhiệm", "cái", "dòng", "đầu", "nội"} and not claimed.endswith(" ")


@pytest.mark.parametrize("text", [
    "Sở Nội vụ chủ trì những việc gì trong quý IV/2022?",
    "việc do Sở Nội vụ chủ trì",  # «do» is not «đó» in an accented question
    "Thứ 3 tuần sau có việc gì?",
    "Kế hoạch số 196/KH-UBND giao việc gì?",
    "việc thứ mấy?",
    "việc năm 2022 của Sở Nội vụ",
    "Sở Nội vụ có 5 việc quá hạn?",
])
def test_other_questions_hold_no_reference(text) -> None:
    assert read_reference(text) is None


def test_every_province_is_a_closed_class() -> None:
    assert asks_every_province("Sở Nội vụ các tỉnh chủ trì gì?")
    assert asks_every_province("Sở Nội vụ của tất cả các tỉnh làm gì trong quý IV?")
    assert not asks_every_province("Sở Nội vụ tỉnh Hà Tĩnh chủ trì gì?")


# -- in the chain ---------------------------------------------------------------------------------
def test_the_profile_province_scopes_a_question_that_names_none(assistant) -> None:
    answer = assistant.ask("Đơn vị tôi phải làm gì trong quý IV/2022?", today=TODAY, profile=HA_TINH_SNV)
    assert answer.found and answer.query.provinces == ["Hà Tĩnh"]
    assert answer.query.agency and answer.query.agency.id == "so-noi-vu"
    assert {c.province for c in answer.citations} == {"Hà Tĩnh"}
    understood = [b.text for b in answer.blocks if isinstance(b, NoteBlock) and b.text.startswith("Đã hiểu: ")]
    assert understood == ["Đã hiểu: liệt kê nhiệm vụ · Sở Nội vụ (đơn vị của bạn) · Hà Tĩnh (theo đơn vị của bạn) · quý IV/2022"]
    assert answer.answer.endswith(understood[0])


def test_a_province_named_in_the_question_wins_over_the_profile(assistant) -> None:
    answer = assistant.ask("Sở Nội vụ tỉnh Nam Định chủ trì những việc gì trong quý IV/2022?", today=TODAY,
                           profile=HA_TINH_SNV)
    assert answer.query.provinces == ["Nam Định"] and {c.province for c in answer.citations} == {"Nam Định"}


def test_an_agency_of_several_provinces_with_none_known_gets_which_province(assistant) -> None:
    answer = assistant.ask("Sở Nội vụ chủ trì những việc gì trong quý IV/2022?", today=TODAY)
    assert not answer.found and not answer.citations
    assert answer.query.clarify and answer.query.clarify.kind is ClarifyKind.WHICH_PROVINCE
    assert answer.answer.startswith("Bạn hỏi Sở Nội vụ của tỉnh nào?")
    [choices] = [b.questions for b in answer.blocks if b.type == "follow_ups"]
    assert "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý IV/2022?" in choices
    assert len(choices) >= 4 and len(set(choices)) == len(choices)
    # a choice, asked, is an ordinary listing of that province
    again = assistant.ask(choices[0], today=TODAY)
    assert again.found and len({c.province for c in again.citations}) == 1


def test_every_province_asked_for_lists_every_province(assistant) -> None:
    answer = assistant.ask("Sở Nội vụ các tỉnh chủ trì những việc gì trong quý IV/2022?", today=TODAY)
    assert answer.found and answer.query.clarify is None
    assert len({c.province for c in answer.citations}) >= 3


def test_own_unit_without_a_profile_asks_to_choose_one(assistant) -> None:
    answer = assistant.ask("Đơn vị tôi phải làm gì trong quý IV/2022?", today=TODAY)
    assert not answer.found and not answer.citations
    assert answer.query.clarify and answer.query.clarify.kind is ClarifyKind.CHOOSE_PROFILE
    assert "Đơn vị của tôi" in answer.answer and "/donvi" in answer.answer


def test_an_ordinal_refers_to_the_last_answer_in_the_order_shown(assistant) -> None:
    conversation = session()
    listing = assistant.ask("Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong năm 2022?", today=TODAY,
                            session=conversation)
    items = shown(listing)
    assert len(items) >= 5
    third = assistant.ask("việc thứ 3 hạn khi nào?", today=TODAY, session=conversation)
    assert third.found and third.query.intent is Intent.LOOKUP and third.query.focus == items[2]
    assert third.citations[0].id == items[2]
    # the list stays the one picked from: the last and the fourth still refer to it
    last = assistant.ask("việc cuối ai phối hợp?", today=TODAY, session=conversation)
    assert last.query.focus == items[-1] and last.citations[0].id == items[-1]
    fourth = assistant.ask("còn việc thứ tư?", today=TODAY, session=conversation)
    assert fourth.query.focus == items[3]


def test_an_ordinal_beyond_the_last_answer_is_said_so(assistant) -> None:
    conversation = session()
    listing = assistant.ask("Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý IV/2022?", today=TODAY,
                            session=conversation)
    count = len(shown(listing))
    answer = assistant.ask(f"việc thứ {count + 1} hạn khi nào?", today=TODAY, session=conversation)
    assert not answer.found and not answer.citations
    assert answer.answer.startswith(f"Câu trả lời trước chỉ có {count} việc")


def test_that_after_a_listing_asks_which_item(assistant) -> None:
    conversation = session()
    assistant.ask("Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong năm 2022?", today=TODAY, session=conversation)
    answer = assistant.ask("việc đó hạn khi nào?", today=TODAY, session=conversation)
    assert answer.query.clarify and answer.query.clarify.kind is ClarifyKind.WHICH_ITEM
    [choices] = [b.questions for b in answer.blocks if b.type == "follow_ups"]
    assert choices[:2] == ["việc thứ 1 hạn khi nào?", "việc thứ 2 hạn khi nào?"]


@pytest.mark.parametrize("question", ["việc thứ 2 hạn khi nào?", "còn quý 1?", "Còn Sở Tư pháp thì sao?"])
def test_a_follow_up_with_no_stored_turn_is_never_answered_from_another_reading(assistant, question) -> None:
    fresh = assistant.ask(question, today=TODAY, session=session())
    assert not fresh.found and not fresh.citations
    assert fresh.answer.startswith("Chưa có câu trả lời trước trong cuộc trò chuyện này")
    lost = assistant.ask(question, today=TODAY, session=session(), continued=True)
    assert not lost.found and not lost.citations
    assert lost.query.clarify and lost.query.clarify.kind is ClarifyKind.CONTEXT_LOST
    assert lost.answer.startswith("Cuộc trò chuyện trước đã hết hạn") and "hãy hỏi lại đầy đủ" in lost.answer.lower()


def test_the_items_a_reply_points_at_replace_the_last_turn(assistant) -> None:
    conversation = session()
    first = assistant.ask("Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong năm 2022?", today=TODAY,
                          session=conversation)
    assistant.ask("Sở Tư pháp tỉnh Nam Định chủ trì những việc gì trong năm 2022?", today=TODAY, session=conversation)
    answer = assistant.ask("việc thứ 2 ai phối hợp?", today=TODAY, session=conversation, shown=shown(first))
    assert answer.query.focus == shown(first)[1] and answer.citations[0].id == shown(first)[1]


def test_that_after_a_lookup_is_the_row_just_answered(assistant) -> None:
    conversation = session()
    lookup = assistant.ask("Ai chủ trì xây dựng nền tảng tích hợp và chia sẻ dữ liệu LGSP ở Hà Tĩnh?", today=TODAY,
                           session=conversation)
    answer = assistant.ask("việc đó hạn khi nào?", today=TODAY, session=conversation)
    assert answer.query.clarify is None and answer.query.focus == lookup.citations[0].id
    assert answer.citations and answer.citations[0].id == lookup.citations[0].id


def test_that_after_a_search_is_the_task_the_answer_led_with(assistant) -> None:
    conversation = session()
    search = assistant.ask("Ở Nam Định, ai lo tổ chức điều tra đo lường sự hài lòng của người dân?", today=TODAY,
                           session=conversation)
    assert search.query.intent is Intent.SEARCH and len(search.citations) > 1
    answer = assistant.ask("việc đó khi nào phải xong, ai phối hợp?", today=TODAY, session=conversation)
    assert answer.query.clarify is None and answer.query.focus == search.citations[0].id
    assert answer.query.rule == "reference to an item of the last answer"  # not a new search that may land elsewhere
    assert answer.citations[0].id == search.citations[0].id and "phối hợp:" in answer.answer
