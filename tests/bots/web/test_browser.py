"""The page in a real browser (Debian's Chromium) against a real server on loopback."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from bots.feedback import FeedbackStore
from tests.bots.web.pagehelpers import ask

pytestmark = pytest.mark.slow
TODAY = dt.date(2022, 11, 1)
QUESTION = "Sở Nội vụ tỉnh Hà Tĩnh phối hợp những việc gì?"

# Playwright runs this with devtools privileges, so the page's CSP does not apply to it. Mutation
# records arrive in the order the DOM changed, so this tells whether chips and answer text were
# added while their message was still streaming, i.e. before "done" removed its aria-busy.
WATCH_STREAMING = """
window.__streamed = {chip: false, text: false};
const finished = new WeakSet();
new MutationObserver((records) => {
  for (const record of records) {
    const message = record.target.closest && record.target.closest('.message.assistant');
    if (!message) continue;
    if (record.type === 'attributes') { finished.add(message); continue; }
    if (finished.has(message)) continue;
    for (const node of record.addedNodes) {
      if (node.nodeType === 1 && node.querySelector('.chip')) window.__streamed.chip = true;
      if (node.nodeType === 3 && record.target.matches('.answer-text')) window.__streamed.text = true;
    }
  }
}).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ['aria-busy']});
"""


def open_page(page, server, query: str = f"?today={TODAY.isoformat()}"):
    page.goto(f"{server.url}/{query}")
    page.wait_for_selector("body[data-ready=true]")


def test_question_streams_in_with_citation_chips(page, live_server, assistant, shoot):
    open_page(page, live_server)
    page.evaluate(WATCH_STREAMING)
    expected = assistant.ask(QUESTION, today=TODAY)

    answer = ask(page, QUESTION)

    expect(page.locator(".message.user .bubble").last).to_have_text(QUESTION)
    groups = [b for b in expected.blocks if b.type == "group"]
    expect(answer.locator(".group > summary")).to_have_text([f"{g.title} ({g.count})" for g in groups])
    expect(answer.locator(".item .task")).to_have_text([i.activity or i.task for g in groups for i in g.items])
    chips = answer.locator(".chip")  # folded into «Nguồn (n)»
    expect(chips).to_have_text([c.label for c in expected.citations])
    expect(answer.locator(".sources > summary")).to_have_text(f"Nguồn ({len(expected.citations)})")
    assert page.evaluate("window.__streamed") == {"chip": True, "text": True}
    expect(answer.locator(".understood")).to_have_text("Đã hiểu: liệt kê nhiệm vụ · Sở Nội vụ · phối hợp · Hà Tĩnh")
    shoot(page, "answer-desktop")
    assert page.errors == []


def test_citation_opens_the_row_with_its_column_headings(page, live_server, assistant, index, shoot):
    open_page(page, live_server)
    expected = assistant.ask(QUESTION, today=TODAY).citations[0]
    record = index.get(expected.id)
    plan = index.plans[record.document]

    ask(page, QUESTION).locator(".cite-num").first.click()

    dialog = page.locator("#citation-dialog")
    expect(dialog).to_be_visible()
    table = dialog.locator("table.row-table").first
    expect(table.locator("th")).to_have_text([cell.heading for cell in record.cells])
    expect(table.locator("td")).to_have_text([cell.text for cell in record.cells])
    expect(dialog.locator("#citation-title")).to_have_text(record.label)
    expect(dialog.locator(".plan-title")).to_contain_text(plan.short_title)
    expect(dialog.locator(".plan-title")).to_contain_text("số 520, ngày 24/12/2021")
    expect(dialog.locator(".section")).to_have_text(record.section)
    understood = dialog.locator("table.understood-table")
    expect(understood.locator("tr").filter(has_text="Phối hợp")).to_contain_text("Sở Nội vụ")
    shoot(page, "citation-desktop")
    dialog.locator("#citation-close").click()
    expect(dialog).to_be_hidden()
    assert page.errors == []


def test_my_agency_is_picked_once_and_asked_about_in_one_click(page, live_server, shoot):
    open_page(page, live_server)
    expect(page.locator("#quick")).to_be_hidden()

    page.click("#profile-toggle")
    page.fill("#agency-search", "so noi vu ha tinh")  # typed without diacritics, province included
    option = page.locator("#agency-results [role=option]").first
    expect(option.locator(".option-name")).to_have_text("Sở Nội vụ — Hà Tĩnh")
    option.click()
    expect(page.locator("#profile-current")).to_have_text("Đơn vị đã chọn: Sở Nội vụ tỉnh Hà Tĩnh")
    expect(page.locator("#profile-toggle")).to_have_text("Đơn vị: Sở Nội vụ — Hà Tĩnh")
    shoot(page, "profile-desktop")
    page.get_by_role("button", name="Quý này", exact=True).click()

    expect(page.locator(".message.user .bubble").last).to_have_text("Sở Nội vụ tỉnh Hà Tĩnh: việc chủ trì trong quý này")
    answer = page.locator(".message.assistant").last
    expect(answer.locator(".feedback")).to_be_visible(timeout=60_000)
    expect(answer.locator(".answer-heading")).to_have_text("Sở Nội vụ, quý IV/2022 — KH CCHC 2022 Hà Tĩnh: 20 nhiệm vụ.")
    assert answer.locator(".chip").count() == 20

    page.reload()  # remembered in localStorage
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator("#quick-agency")).to_have_text("Sở Nội vụ tỉnh Hà Tĩnh:")
    page.get_by_role("button", name="Việc phối hợp", exact=True).click()
    expect(page.locator(".message.user .bubble").last).to_have_text("Sở Nội vụ tỉnh Hà Tĩnh: việc phối hợp cả năm")
    expect(page.locator(".message.assistant").last.locator(".group > summary").first).to_contain_text("Phối hợp",
                                                                                                     timeout=60_000)
    assert page.errors == []


def test_agency_search_matches_short_names_and_aliases(page, live_server):
    open_page(page, live_server)
    page.click("#profile-toggle")

    page.fill("#agency-search", "STP")
    expect(page.locator("#agency-results [role=option]").first).to_contain_text("Sở Tư pháp")
    page.fill("#agency-search", "vp ubnd")
    expect(page.locator("#agency-results")).to_contain_text("Văn phòng UBND tỉnh")
    page.fill("#agency-search", "khong co don vi nay")
    expect(page.locator("#agency-results")).to_have_text("Không tìm thấy đơn vị phù hợp.")


def test_thumbs_up_reaches_the_feedback_database(page, live_server, assistant):
    open_page(page, live_server)
    expected = assistant.ask(QUESTION, today=TODAY)

    answer = ask(page, QUESTION)
    answer.get_by_role("button", name="👍 Hữu ích").click()

    expect(answer.locator(".thanks")).to_have_text("Đã ghi nhận góp ý. Cảm ơn bạn!")
    stored = FeedbackStore(live_server.settings.feedback_db).all()
    assert len(stored) == 1
    assert (stored[0].channel, stored[0].rating, stored[0].question) == ("web", "up", QUESTION)
    assert stored[0].answer == expected.answer
    assert stored[0].citations == [c.id for c in expected.citations]
    assert stored[0].today == TODAY and re.fullmatch(r"web:[\w-]{22}", stored[0].session or "")  # server-issued


def test_thumbs_down_with_a_comment(page, live_server):
    open_page(page, live_server)

    answer = ask(page, QUESTION)
    answer.get_by_role("button", name="👎 Chưa đúng").click()
    answer.locator(".feedback-form textarea").fill("Thiếu việc rà soát thủ tục")
    answer.get_by_role("button", name="Gửi góp ý").click()

    expect(answer.locator(".thanks")).to_be_visible()
    stored = FeedbackStore(live_server.settings.feedback_db).all()
    assert [(f.rating, f.comment) for f in stored] == [("down", "Thiếu việc rà soát thủ tục")]


def test_newcomer_sees_suggestions_and_a_clear_not_found(page, live_server):
    open_page(page, live_server)
    suggestions = page.locator(".suggestion")
    expect(suggestions).to_have_count(4)
    expect(suggestions.first).to_have_text("Sở Nội vụ tỉnh Nam Định chủ trì những việc gì trong quý này?")

    suggestions.first.click()
    expect(page.locator(".message.assistant .cite-num").first).to_be_visible(timeout=60_000)
    # Under load the suggestion's answer may still be streaming here: ask() waits for it to end
    # (this test once typed into a busy page and checked the wrong answer).
    answer = ask(page, "Thời tiết hôm nay thế nào?")

    expect(answer.locator(".not-found-note")).to_have_text(
        "Không tìm thấy nhiệm vụ phù hợp trong các kế hoạch hiện có. Hãy thử ghi rõ tên cơ quan, tỉnh hoặc khoảng thời gian."
    )
    expect(answer.locator(".chip")).to_have_count(0)
    expect(page.locator("#welcome")).to_be_hidden()


def test_follow_up_in_the_same_tab_keeps_context(page, live_server):
    open_page(page, live_server)

    ask(page, "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?")
    follow = ask(page, "Còn Sở Tư pháp thì sao?")

    expect(follow.locator(".understood")).to_have_text("Đã hiểu: liệt kê nhiệm vụ · Sở Tư pháp · chủ trì · Hà Tĩnh · quý IV/2022")


def test_a_paste_over_the_limit_is_flagged_before_sending_and_never_cut(page, live_server):
    open_page(page, live_server)
    pasted = ("Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này? " * 14)[:807]

    page.fill("#question", pasted)
    page.press("#question", "Enter")

    expect(page.locator("#counter")).to_have_text("807/500")
    expect(page.locator("#form-hint")).to_have_text(
        "Câu hỏi dài 807 ký tự, quá giới hạn 500. Hãy rút gọn rồi gửi (trợ lý không tự cắt bớt).")
    expect(page.locator("#question")).to_have_value(pasted)  # whole, nothing cut
    expect(page.locator("#question")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".message")).to_have_count(0)  # not sent


def test_phone_layout_has_no_sideways_scrolling(browser, live_server, shoot):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        open_page(page, live_server)
        page.click("#profile-toggle")
        shoot(page, "profile-phone")
        answer = ask(page, QUESTION)
        expect(answer.locator(".cite-num").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shoot(page, "answer-phone")
        answer.locator(".cite-num").first.tap()
        expect(page.locator("#citation-dialog table.row-table").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        box = page.locator("#citation-dialog").bounding_box()
        assert box is not None and box["width"] <= 360
        shoot(page, "citation-phone")
    finally:
        context.close()
