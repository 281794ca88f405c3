"""Accessibility in real Chromium: axe-core (npm, installed by scripts/install-browser.sh) finds
no violation at any impact on the empty page, after a long answer, with the row viewer open and
on the duty board; a skip link, speaker labels, focus on the answer after a quick button, and the
agency picker's active option announced."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from playwright.sync_api import expect

from tests.bots.web.conftest import ARTIFACTS, ROOT
from tests.bots.web.pagehelpers import ask

pytestmark = pytest.mark.slow
TODAY = dt.date(2022, 11, 1)
LONG = "Sở Nội vụ tỉnh Hưng Yên phụ trách những việc gì?"
AXE = ROOT / ".cchc" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PROFILE = {"agency": {"id": "so-noi-vu", "name": "Sở Nội vụ"}, "province": "Hà Tĩnh"}


@pytest.fixture(scope="module", autouse=True)
def axe_installed():
    if not AXE.exists():
        pytest.fail("axe-core is missing: run scripts/install-browser.sh")


@pytest.fixture
def open_page(browser, server):
    contexts = []

    def opened(path=f"/?today={TODAY.isoformat()}", profile=None, dark=False):
        # bypass_csp: axe is injected as an inline script, which the page's own policy forbids.
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN", bypass_csp=True,
                                      color_scheme="dark" if dark else "light")
        contexts.append(context)
        if profile:
            context.add_init_script(f"localStorage.setItem('cchc.profile', {json.dumps(json.dumps(profile))})")
        page = context.new_page()
        page.goto(f"{server}{path}")
        page.wait_for_selector("body[data-ready=true]")
        return page

    yield opened
    for context in contexts:
        context.close()


def axe(page, name: str) -> list[dict]:
    """Every violation axe finds, at any impact, written to test-artifacts/ for reading."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))""")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    return found


def test_the_empty_page_has_no_violation(open_page):
    assert axe(open_page(), "empty") == []


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_a_long_answer_and_the_row_viewer_have_no_violation(open_page, dark):
    page = open_page(dark=dark)
    answer = ask(page, LONG)
    answer.get_by_role("button", name="Mở tất cả").click()
    assert axe(page, f"long-answer-{'dark' if dark else 'light'}") == []
    answer.locator(".cite-num").first.click()
    expect(page.locator("#citation-dialog table.row-table").first).to_be_visible()
    assert axe(page, f"row-viewer-{'dark' if dark else 'light'}") == []


def test_the_duty_board_has_no_violation(open_page):
    page = open_page(f"/bang-viec?today={TODAY.isoformat()}", profile=PROFILE)
    expect(page.locator(".lane-lead .task-row").first).to_be_visible()
    assert axe(page, "board") == []


def test_a_skip_link_speaker_labels_and_focus_on_the_answer_after_a_quick_button(open_page):
    page = open_page(profile=PROFILE)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, đến ô câu hỏi")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#question")).to_be_focused()  # one Tab and Enter, however long the chat

    page.get_by_role("button", name="Quý này", exact=True).click()
    answer = page.locator(".message.assistant").last
    expect(answer.locator(".feedback")).to_be_visible(timeout=60_000)
    expect(answer.locator(".answer-heading").first).to_be_focused()  # not left on the quick button
    expect(page.locator(".message.user .speaker")).to_have_text(["Bạn hỏi:"])
    expect(answer.locator(".speaker")).to_have_text("Trợ lý trả lời:")
    expect(answer.locator(".follow-ups")).to_have_attribute("role", "group")


def test_the_agency_picker_announces_its_active_option(open_page):
    page = open_page()
    page.get_by_role("button", name="Đơn vị của tôi").click()
    search = page.get_by_role("combobox")
    search.fill("so noi vu")
    expect(search).to_have_attribute("aria-activedescendant", "agency-option-0")
    search.press("ArrowDown")
    expect(search).to_have_attribute("aria-activedescendant", "agency-option-1")
    expect(page.locator("#agency-option-1")).to_have_attribute("aria-selected", "true")
    search.press("Escape")
    expect(search).not_to_have_attribute("aria-activedescendant", "agency-option-1")
