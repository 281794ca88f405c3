"""The chat conventions people expect, in real Chromium: stop, ask again, edit the question,
confirm before clearing, «Xuống cuối», copy one item, a link that asks again, dark mode."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.bots.web.conftest import screenshot
from tests.bots.web.pagehelpers import ask

pytestmark = pytest.mark.slow
TODAY = dt.date(2022, 11, 1)
LONG = "Sở Nội vụ tỉnh Hưng Yên phụ trách những việc gì?"
QUARTER = "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý IV?"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def open_page(browser, server):
    contexts = []

    def opened(viewport=DESKTOP, path=f"/?today={TODAY.isoformat()}", **options):
        context = browser.new_context(viewport=viewport, locale="vi-VN", permissions=["clipboard-read", "clipboard-write"],
                                      **options)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{server}{path}")
        page.wait_for_selector("body[data-ready=true]")
        return page

    yield opened
    for context in contexts:
        context.close()


def test_stop_while_streaming_keeps_the_question_to_send_again(open_page):
    page = open_page()
    page.route("**/api/ask/stream", lambda route: None)  # the answer never comes
    page.fill("#question", QUARTER)
    page.press("#question", "Enter")
    stop = page.get_by_role("button", name="Dừng")
    expect(stop).to_be_visible()
    stop.click()
    answer = page.locator(".message.assistant").last
    expect(answer.locator(".error")).to_have_text("Đã dừng theo yêu cầu. Bấm «Thử lại» để hỏi lại.")
    expect(stop).to_be_hidden()
    expect(page.locator("#question")).to_have_value(QUARTER)
    page.unroute("**/api/ask/stream")
    answer.get_by_role("button", name="Thử lại").click()
    expect(page.locator(".message.assistant").last.locator(".group").first).to_be_visible(timeout=60_000)


def test_an_offline_error_and_retry_are_in_sight_and_the_question_is_kept(open_page):
    page = open_page()
    answer = ask(page, LONG)
    follow_up = answer.locator(".follow-up").first
    question = follow_up.text_content()
    page.route("**/api/ask/stream", lambda route: route.abort())  # the network is gone
    follow_up.click()
    failed = page.locator(".message.assistant").last
    expect(failed.locator(".error")).to_have_text("Không kết nối được máy chủ. Kiểm tra mạng rồi bấm «Thử lại».")
    retry = failed.get_by_role("button", name="Thử lại")
    expect(retry).to_be_in_viewport()
    box_top = page.locator(".ask-area").bounding_box()["y"]
    assert retry.bounding_box()["y"] + retry.bounding_box()["height"] <= box_top  # not under the question box
    expect(page.locator("#question")).to_have_value(question)  # kept, to send again
    page.unroute("**/api/ask/stream")
    retry.click()
    expect(page.locator(".message.assistant").last.locator(".feedback")).to_be_visible(timeout=60_000)
    expect(page.locator(".message.assistant .error")).to_have_count(0)
    expect(page.locator("#question")).to_have_value("")  # answered: the box is free again


def test_ask_again_edit_and_confirm_before_clearing(open_page):
    page = open_page()
    answer = ask(page, QUARTER)
    page.fill("#question", "")
    answer.get_by_role("button", name="Sửa câu hỏi").click()
    expect(page.locator("#question")).to_have_value(QUARTER)
    expect(page.locator("#question")).to_be_focused()
    answer.get_by_role("button", name="Hỏi lại").click()
    expect(page.locator(".message.assistant .feedback")).to_have_count(2, timeout=60_000)
    expect(page.locator(".message.user .bubble")).to_have_text([QUARTER, QUARTER])

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Cuộc trò chuyện mới").click()
    expect(page.locator(".message.assistant")).to_have_count(2)  # kept: the official said no
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cuộc trò chuyện mới").click()
    expect(page.locator(".message")).to_have_count(0)


def test_scroll_to_latest_and_copy_one_item(open_page):
    page = open_page()
    answer = ask(page, LONG)
    latest = page.get_by_role("button", name="Xuống cuối ↓")
    page.evaluate("window.scrollTo(0, 0)")
    expect(latest).to_be_visible()
    latest.click()
    expect(latest).to_be_hidden()

    item = answer.locator(".item").first
    item.locator(".item-line").click()
    item.get_by_role("button", name="Sao chép việc này").click()
    expect(item.get_by_role("button", name="Đã sao chép")).to_be_visible()
    text = page.evaluate("navigator.clipboard.readText()")
    label = item.locator(".cite-num").get_attribute("title")
    assert text.endswith(f"[{label}]") and "thời hạn: Quý III–IV/2022" in text and "\n" not in text


def test_a_copied_link_asks_the_same_question_for_the_same_day_and_agency(open_page, server):
    page = open_page()
    answer = ask(page, QUARTER)
    first = answer.locator(".item .task").first.text_content()
    answer.get_by_role("button", name="Chép liên kết").click()
    link = page.evaluate("navigator.clipboard.readText()")
    assert link.startswith(server) and "today=2022-11-01" in link

    again = open_page(path=link.removeprefix(server))
    expect(again.locator(".message.user .bubble")).to_have_text([QUARTER])
    expect(again.locator(".message.assistant .item .task").first).to_have_text(first, timeout=60_000)
    assert "q=" not in again.url  # a reload does not ask it twice


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_dark_mode_follows_the_system_and_the_toggle(open_page, viewport):
    page = open_page(viewport, color_scheme="dark")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    ask(page, QUARTER)
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(20, 23, 28)"
    screenshot(page, f"dark-{'desktop' if viewport is DESKTOP else 'phone'}", full_page=False)
    toggle = page.get_by_role("button", name="Giao diện tối")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    toggle.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator("html")).to_have_attribute("data-theme", "light")  # the choice is kept


def test_conversations_are_kept_in_the_browser_to_reopen_rename_and_delete(open_page):
    page = open_page()
    ask(page, QUARTER)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cuộc trò chuyện mới").click()
    ask(page, LONG)

    page.get_by_role("button", name="Các cuộc trò chuyện").click()
    entries = page.locator(".conversation")
    expect(entries.locator(".conversation-title")).to_have_text([LONG, QUARTER])  # newest first
    expect(entries.first).to_contain_text("đang mở")

    page.once("dialog", lambda dialog: dialog.accept("Việc quý IV cần báo cáo giám đốc"))
    entries.nth(1).get_by_role("button", name="Đổi tên").click()
    expect(entries.nth(1).locator(".conversation-title")).to_have_text("Việc quý IV cần báo cáo giám đốc")

    entries.nth(1).get_by_role("button", name="Mở").click()  # back to the first conversation
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator(".message.user .bubble")).to_have_text([QUARTER])
    expect(page.locator(".message.assistant .group").first).to_be_visible()

    page.get_by_role("button", name="Các cuộc trò chuyện").click()
    expect(entries.locator(".conversation-title")).to_have_text([LONG, "Việc quý IV cần báo cáo giám đốc"])  # kept
    expect(entries.nth(1)).to_contain_text("đang mở")
    page.once("dialog", lambda dialog: dialog.accept())
    entries.nth(0).get_by_role("button", name="Xoá").click()
    expect(entries.locator(".conversation-title")).to_have_text(["Việc quý IV cần báo cáo giám đốc"])
