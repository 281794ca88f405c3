"""Answers officials act on, in real Chromium: a 57-task listing deadline first and compact, a
lookup as a card of labelled fields, one answer printed with its header and sources.

One server and one browser serve the whole module; screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.bots.web.conftest import ARTIFACTS, screenshot
from tests.bots.web.pagehelpers import ask

pytestmark = pytest.mark.slow
TODAY = dt.date(2022, 11, 1)
LONG = "Sở Nội vụ tỉnh Hưng Yên phụ trách những việc gì?"  # 57 tasks
QUARTER = "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý IV?"
LOOKUP = "Kinh phí và thời hạn xây dựng nền tảng tích hợp và chia sẻ dữ liệu LGSP ở Hà Tĩnh?"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def open_page(browser, server):
    contexts = []

    def opened(viewport=DESKTOP, **options):
        context = browser.new_context(viewport=viewport, locale="vi-VN", **options)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto(f"{server}/?today={TODAY.isoformat()}")
        page.wait_for_selector("body[data-ready=true]")
        return page

    yield opened
    for context in contexts:
        context.close()


def groups_of(answer):
    return [b for b in answer.blocks if b.type == "group"]


def test_the_57_task_listing_opens_deadline_first_and_fits_a_few_screens(open_page, assistant):
    expected = assistant.ask(LONG, today=TODAY)
    groups = groups_of(expected)
    items = [i for g in groups for i in g.items]
    assert len(items) == 57 == len(expected.citations)
    page = open_page()

    answer = ask(page, LONG)

    summary = next(b for b in expected.blocks if b.type == "summary")
    expect(answer.locator(".listing-summary")).to_have_text(summary.text)
    assert summary.text.startswith("Sắp đến hạn: 5 · Quá hạn: 11 · Đang thực hiện/thường xuyên: 32")
    expect(answer.locator(".group > summary")).to_have_text([f"{g.title} ({g.count})" for g in groups])
    expect(answer.locator(".item .badge.deadline")).to_have_text([i.deadline_label for i in items if i.deadline_kind])
    expect(answer.locator(".item .cite-num")).to_have_text([str(n) for n in range(1, 58)])  # [1]…[57] down the page
    for group in groups:  # sorted by end date within a group
        ends = [i.deadline_end for i in group.items if i.deadline_end]
        assert ends == sorted(ends)
    colours = {status: answer.locator(f".item .badge.status-{status}").first.evaluate("n => getComputedStyle(n).backgroundColor")
               for status in ("due", "overdue", "recurring", "event")}
    assert len(set(colours.values())) == 4  # one colour per kind, explained by the legend
    expect(answer.locator(".legend li")).to_have_count(4)

    height = answer.bounding_box()["height"]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "listing-57-height.txt").write_text(f"{height:.0f} px at 1366x768\n", encoding="utf-8")
    assert height < 4000, height
    screenshot(page, "listing-57-desktop", full_page=True)

    first = answer.locator(".item").first
    expect(first.locator(".product")).to_be_hidden()
    first.locator(".item-line").click()  # the product and the plan's own words unfold
    expect(first.locator(".product")).to_have_text(f"Sản phẩm: {items[0].product}")
    expect(first.locator(".original-deadline")).to_contain_text(items[0].deadline.strip())

    answer.get_by_role("button", name="Mở tất cả").click()
    expect(answer.locator("details.item-details:not([open])")).to_have_count(0)
    answer.get_by_role("button", name="Thu gọn tất cả").click()
    expect(answer.locator("details.group[open]")).to_have_count(0)
    expect(answer.locator(".item").first).to_be_hidden()
    assert page.errors == []


def test_the_listing_on_a_phone_stays_one_column(open_page):
    page = open_page(PHONE, is_mobile=True, has_touch=True)
    answer = ask(page, QUARTER)
    expect(answer.locator(".group").first.locator("summary strong")).to_have_text("Đến hạn trong quý IV/2022")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    small = page.evaluate("""() => [...document.querySelectorAll('.message button, .message summary')]
        .filter(b => b.offsetParent !== null && b.getBoundingClientRect().height < 36).map(b => b.textContent)""")
    assert small == []
    screenshot(page, "listing-phone", full_page=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_lookup_is_a_card_of_labelled_fields_with_one_citation(open_page, assistant, viewport):
    expected = assistant.ask(LOOKUP, today=TODAY)
    card = next(b for b in expected.blocks if b.type == "fact_card")
    page = open_page(viewport)

    answer = ask(page, LOOKUP)

    shown = answer.locator(".fact-card")
    expect(shown.locator(".card-title")).to_have_text("3.6. Xây dựng nền tảng tích hợp và chia sẻ dữ liệu cấp tỉnh (LGSP)")
    # Asked first, in the question's order; then the rest of the row.
    expect(shown.locator("dt")).to_have_text(["Kinh phí", "Thời hạn", "Chủ trì", "Phối hợp", "Sản phẩm"])
    expect(shown.locator("dd")).to_have_text([f.value for f in card.fields])
    expect(shown.locator("dd.budget")).to_have_text("12.000 triệu đồng")
    expect(shown.locator("dd.lead")).to_have_text("Sở Thông tin và Truyền thông")
    expect(answer.locator(".cite-num")).to_have_count(1)  # one citation, on the card
    expect(answer.locator(".fact")).to_have_count(0)  # no second, unlabelled copy of the same row
    expect(answer.locator(".sources")).to_be_hidden()
    expect(answer.get_by_role("button", name="Tải Excel")).to_have_count(0)  # nothing to tabulate
    expect(answer.get_by_role("button", name="Sao chép")).to_be_visible()
    answer.locator(".cite-num").click()
    expect(page.locator("#citation-title")).to_have_text("KH CCHC 2022 Hà Tĩnh, VII.A.5 › 3.6")
    page.locator("#citation-close").click()
    screenshot(page, f"fact-card-{'desktop' if viewport is DESKTOP else 'phone'}")
    assert page.errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_printing_one_answer_unfolds_it_under_a_header(open_page, viewport):
    page = open_page(viewport)
    ask(page, LOOKUP)
    answer = ask(page, QUARTER)
    answer.locator(".group > summary").first.click()  # folded on screen…
    page.evaluate("() => { window.print = () => {}; }")  # the dialog itself is the browser's
    answer.get_by_role("button", name="In").click()
    page.emulate_media(media="print")

    expect(answer.locator(".print-header")).to_contain_text(f"Câu hỏi: {QUARTER}")
    expect(answer.locator(".print-header")).to_contain_text("Ngày hỏi: 01/11/2022")
    expect(answer.locator(".print-header")).to_contain_text("Kế hoạch: Phụ lục: Khung nhiệm vụ cải cách hành chính trọng tâm năm 2022 của tỉnh Hà Tĩnh, số 520")
    expect(answer.locator(".item").first).to_be_visible()  # …unfolded on paper
    expect(answer.locator(".item .product").first).to_be_visible()
    assert answer.locator(".cite-num").first.evaluate("n => getComputedStyle(n, '::before').content") == '"["'
    expect(answer.locator(".chip").first).to_be_visible()  # the sources, listed
    expect(page.locator(".message.assistant").first).to_be_hidden()  # only this answer
    expect(page.locator("#ask-form")).to_be_hidden()
    screenshot(page, f"print-{'desktop' if viewport is DESKTOP else 'phone'}", full_page=True)
