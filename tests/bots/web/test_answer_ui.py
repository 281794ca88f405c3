"""Long answers people can read, copy, export and print, in a real browser: a 20-item listing as
groups of items, actions on every answer, the conversation kept for the tab, failures retried."""

from __future__ import annotations

import datetime as dt
import io

import httpx
import openpyxl
import pytest
from playwright.sync_api import expect
from tests.bots.web.pagehelpers import ask

pytestmark = pytest.mark.slow
TODAY = dt.date(2022, 11, 1)
LISTING = "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?"


def open_page(page, server):
    page.goto(f"{server.url}/?today={TODAY.isoformat()}")
    page.wait_for_selector("body[data-ready=true]")


def test_a_20_item_listing_reads_as_groups_of_items(page, live_server, assistant, shoot):
    expected = assistant.ask(LISTING, today=TODAY)
    open_page(page, live_server)

    answer = ask(page, LISTING)

    groups = [b for b in expected.blocks if b.type == "group"]
    expect(answer.locator(".group > summary")).to_have_text([f"{g.title} ({g.count})" for g in groups])
    expect(answer.locator(".item")).to_have_count(20)
    expect(answer.locator(".item .badge.deadline")).to_have_text([i.deadline_label for g in groups for i in g.items])
    expect(answer.locator(".item .cite-num")).to_have_text([str(n) for n in range(1, 21)])
    # The plan's own numbers ("2.1.") lead each task; the list adds none of its own.
    assert answer.locator(".items").first.evaluate("node => getComputedStyle(node).listStyleType") == "none"
    expect(answer.locator(".sources > summary")).to_have_text("Nguồn (20)")
    expect(answer.locator(".chip").first).to_be_hidden()  # sources folded
    shoot(page, "listing-20-desktop", full_page=True)

    first_group = answer.locator(".group").first
    first_group.locator("> summary").click()  # collapsible
    expect(first_group.locator(".item").first).to_be_hidden()
    assert page.errors == []


def test_the_listing_on_a_phone(browser, live_server, shoot):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        open_page(page, live_server)
        answer = ask(page, LISTING)
        expect(answer.locator(".item")).to_have_count(20)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        small = page.evaluate("""() => [...document.querySelectorAll('button, summary')]
            .filter(b => b.offsetParent !== null && b.getBoundingClientRect().height < 44).map(b => b.textContent)""")
        assert small == []  # touch targets of 44 px at least
        shoot(page, "listing-20-phone", full_page=True)
    finally:
        context.close()


def test_excel_export_holds_exactly_the_cited_rows(page, live_server, assistant):
    expected = assistant.ask(LISTING, today=TODAY)
    open_page(page, live_server)
    answer = ask(page, LISTING)

    with page.expect_download() as download:
        answer.get_by_role("button", name="Tải Excel").click()

    content = download.value.path().read_bytes()
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    items = [(b.title, i) for b in expected.blocks if b.type == "group" for i in b.items]
    assert rows[0][0].startswith("Nhiệm vụ của Sở Nội vụ — Hà Tĩnh, quý IV/2022") and rows[1][0] == f"Câu hỏi: {LISTING}"
    assert [r[:3] for r in rows[3:]] == [(n, title, i.task) for n, (title, i) in enumerate(items, start=1)]
    assert download.value.suggested_filename == "nhiem-vu-so-noi-vu-ha-tinh-quy-iv-2022.xlsx"


def test_copy_gives_a_clean_text_with_full_sources(browser, live_server, assistant):
    items = [i for b in assistant.ask(LISTING, today=TODAY).blocks if b.type == "group" for i in b.items]
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        open_page(page, live_server)
        answer = ask(page, LISTING)
        answer.get_by_role("button", name="Sao chép").click()
        expect(answer.get_by_role("button", name="Đã sao chép")).to_be_visible()
        text = page.evaluate("navigator.clipboard.readText()")
    finally:
        context.close()
    lines = text.splitlines()
    assert lines[0] == f"Câu hỏi: {LISTING}"
    assert f"1. {items[0].activity or items[0].task}" in text and "\n20. " in text and "Nguồn:" in text
    assert "Phụ lục: Khung nhiệm vụ cải cách hành chính trọng tâm năm 2022 của tỉnh Hà Tĩnh, số 520, ngày 24/12/2021" in text
    assert "<" not in text and "[1]" in text


def test_print_has_its_own_stylesheet(page, live_server):
    open_page(page, live_server)
    answer = ask(page, LISTING)
    page.emulate_media(media="print")
    expect(page.locator("#ask-form")).to_be_hidden()
    expect(answer.locator(".actions")).to_be_hidden()
    expect(answer.locator(".item").first).to_be_visible()


def test_a_reload_keeps_the_conversation_of_the_tab(page, live_server):
    open_page(page, live_server)
    ask(page, LISTING)

    page.reload()
    page.wait_for_selector("body[data-ready=true]")

    expect(page.locator(".message.user .bubble")).to_have_text([LISTING])
    expect(page.locator(".message.assistant .item")).to_have_count(20)
    expect(page.locator("#welcome")).to_be_hidden()


def test_a_failed_question_stays_and_can_be_retried(page, live_server):
    open_page(page, live_server)
    failures = {"left": 1}

    def cut(route):
        if failures["left"]:
            failures["left"] -= 1
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/api/ask/stream", cut)
    page.fill("#question", LISTING)
    page.press("#question", "Enter")

    failed = page.locator(".message.assistant.failed")
    expect(failed.locator(".error")).to_have_text("Không kết nối được máy chủ. Kiểm tra mạng rồi bấm «Thử lại».")
    expect(page.locator("#question")).to_have_value(LISTING)  # not wiped
    failed.get_by_role("button", name="Thử lại").click()
    expect(page.locator(".message.assistant .item")).to_have_count(20, timeout=60_000)
    expect(page.locator(".message.assistant.failed")).to_have_count(0)


def test_busy_state_counter_and_empty_question_in_vietnamese(page, live_server):
    open_page(page, live_server)
    held = []
    page.route("**/api/ask/stream", lambda route: held.append(route))

    page.fill("#question", "")
    page.press("#question", "Enter")
    expect(page.locator("#form-hint")).to_contain_text("Hãy nhập câu hỏi")
    page.fill("#question", LISTING)
    expect(page.locator("#counter")).to_have_text(f"{len(LISTING)}/500")
    # The page first fetches its server-issued session, then streams: wait for the stream request itself.
    with page.expect_request("**/api/ask/stream"):
        page.press("#question", "Enter")
    expect(page.locator("body.busy")).to_have_count(1)
    page.fill("#question", "Còn quý sau thì sao?")
    page.press("#question", "Enter")
    expect(page.locator("#form-hint")).to_have_text("Đang trả lời câu trước, xin chờ một chút rồi gửi lại.")
    while not held:  # the route handler runs when Playwright next handles events
        page.wait_for_function("true")
    held[0].continue_()
    expect(page.locator(".message.assistant .feedback")).to_be_visible(timeout=60_000)
    expect(page.locator("#question")).to_have_value("Còn quý sau thì sao?")  # kept for sending next


def test_rating_buttons_are_readable(page, live_server):
    open_page(page, live_server)
    answer = ask(page, LISTING)
    colours = answer.locator(".rate").first.evaluate(
        "node => [getComputedStyle(node).color, getComputedStyle(node).backgroundColor]")
    assert colours[0] != colours[1] and colours[0] != "rgb(255, 255, 255)"


def test_the_welcome_screen_lists_the_plans_and_what_this_quarter_means(page, live_server):
    page.goto(f"{live_server.url}/?today=2026-12-02")
    page.wait_for_selector("body[data-ready=true]")

    expect(page.locator("#plans-held li")).to_have_count(5)
    expect(page.locator("#plans-held")).to_contain_text("KH CCHC 2022 Hà Tĩnh (Hà Tĩnh, năm 2022) — số 520, ngày 24/12/2021")
    expect(page.locator("#period-note")).to_contain_text("«Quý này» là quý IV/2026, nhưng các kế hoạch đã nạp thuộc năm 2021, 2022")


def test_one_picker_offers_each_agency_once_per_province(page, live_server):
    provinces = sorted({c["province"] for c in httpx.get(f"{live_server.url}/api/agency-choices").json()
                        if c["id"] == "so-tai-chinh"})
    assert len(provinces) > 1
    open_page(page, live_server)
    page.click("#profile-toggle")
    page.fill("#agency-search", "so tai chinh")

    names = page.locator("#agency-results [role=option] .option-name")
    expect(names).to_have_count(len(provinces))
    assert sorted(names.all_inner_texts()) == [f"Sở Tài chính — {p}" for p in provinces]
    page.fill("#agency-search", "tai chinh ha tinh")
    expect(names).to_have_text(["Sở Tài chính — Hà Tĩnh"])
    names.first.click()

    expect(page.locator("#profile-current")).to_have_text("Đơn vị đã chọn: Sở Tài chính tỉnh Hà Tĩnh")
    expect(page.locator("#quick")).to_be_visible()
    page.get_by_role("button", name="Quý này", exact=True).click()
    expect(page.locator(".message.assistant .answer-heading").first).to_contain_text("Sở Tài chính, quý IV/2022 — KH CCHC 2022 Hà Tĩnh",
                                                                                      timeout=60_000)


def test_a_remembered_agency_without_province_asks_for_one_where_several_fit(page, live_server):
    open_page(page, live_server)
    page.evaluate("""localStorage.setItem("cchc.profile", JSON.stringify(
        {agency: {id: "so-tai-chinh", name: "Sở Tài chính"}, province: ""}))""")
    page.reload()
    page.wait_for_selector("body[data-ready=true]")

    expect(page.locator(".need-province")).to_contain_text("hãy chọn lại đơn vị kèm tỉnh")
    expect(page.locator("#quick")).to_be_hidden()


def test_back_closes_the_row_viewer_not_the_app(page, live_server):
    open_page(page, live_server)
    answer = ask(page, LISTING)
    answer.locator(".cite-num").first.click()
    dialog = page.locator("#citation-dialog")
    expect(dialog).to_be_visible()

    page.go_back()

    expect(dialog).to_be_hidden()
    assert page.url.startswith(live_server.url)  # still in the app
    expect(page.locator(".message.assistant .item")).to_have_count(20)


def test_a_not_found_answer_looks_different(page, live_server):
    open_page(page, live_server)
    answer = ask(page, "Thời tiết hôm nay thế nào?")
    background = answer.locator(".bubble").evaluate("node => getComputedStyle(node).backgroundColor")
    assert background != "rgb(255, 255, 255)"
