"""The duty board (/bang-viec) in real Chromium: the chosen agency's year on a timeline, lead and
coordinating lanes, today marked, and filters that drive the screen, the printout and Excel."""

from __future__ import annotations

import datetime as dt
import io
import json

import httpx
import openpyxl
import pytest
from playwright.sync_api import expect

from tests.bots.web.conftest import screenshot

pytestmark = pytest.mark.slow
TODAY = dt.date(2022, 11, 1)
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
PROFILE = {"agency": {"id": "so-noi-vu", "name": "Sở Nội vụ"}, "province": "Hà Tĩnh"}


def duties_of(server, today: dt.date) -> dict[str, list[dict]]:
    """What the board shows: the agency's rows of every period, both roles, from the API."""
    answer = httpx.post(f"{server}/api/duties", json={"agency": "so-noi-vu", "province": "Hà Tĩnh", "period": "all",
                                                     "role": "any", "today": today.isoformat()}, timeout=60).json()
    items = [(g["kind"], i) for g in answer["blocks"] if g["type"] == "group" for i in g["items"]]
    return {"lead": [i for kind, i in items if kind != "coordination"],
            "coordinating": [i for kind, i in items if kind == "coordination"]}


@pytest.fixture(scope="module")
def duties(server):
    return duties_of(server, TODAY)


@pytest.fixture
def board(browser, server):
    contexts = []

    def opened(viewport=DESKTOP, query=f"?today={TODAY.isoformat()}", profile=PROFILE, **options):
        context = browser.new_context(viewport=viewport, locale="vi-VN", accept_downloads=True, **options)
        contexts.append(context)
        if profile:  # «Đơn vị của tôi», as the chat page keeps it
            context.add_init_script(f"localStorage.setItem('cchc.profile', {json.dumps(json.dumps(profile))})")
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.goto(f"{server}/bang-viec{query}")
        page.wait_for_selector("body[data-ready=true]")
        return page

    yield opened
    for context in contexts:
        context.close()


def test_the_board_lays_the_agencys_year_out_in_two_lanes_with_today_marked(board, duties):
    page = board()

    expect(page.locator("h1")).to_have_text("Bảng việc: Sở Nội vụ tỉnh Hà Tĩnh")
    lead, coordinating = page.locator(".lane-lead"), page.locator(".lane-coordinating")
    expect(lead.locator("h2")).to_have_text(f"Chủ trì ({len(duties['lead'])})")
    expect(coordinating.locator("h2")).to_have_text(f"Phối hợp ({len(duties['coordinating'])})")
    expect(lead.locator(".task-link")).to_have_text([i["activity"] or i["task"] for i in duties["lead"]])
    expect(lead.locator(".scale-label")).to_have_text("Năm 2022")
    expect(lead.locator(".quarter")).to_have_text(["Quý I", "Quý II", "Quý III", "Quý IV"])

    # A task due in quý IV/2022 spans October to December; today's line sits at the start of November.
    row = lead.locator(".task-row").filter(has=page.locator(".badge", has_text="Quý IV/2022")).first
    bar, months = row.locator(".bar").bounding_box(), lead.locator(".month")
    october, december = months.nth(9).bounding_box(), months.nth(11).bounding_box()
    assert abs(bar["x"] - october["x"]) < 4 and abs(bar["x"] + bar["width"] - december["x"] - december["width"]) < 4
    marker = lead.locator(".today-marker")
    expect(marker).to_contain_text("Hôm nay 01/11/2022")
    assert abs(marker.bounding_box()["x"] - months.nth(10).bounding_box()["x"]) < 4
    screenshot(page, "board-desktop", full_page=True)
    assert page.errors == []


def test_filters_narrow_the_board_and_the_excel_file_alike(board, server):
    today = dt.date(2022, 12, 5)  # quý IV ends within 30 days
    page = board(query=f"?today={today.isoformat()}")
    duties = duties_of(server, today)
    everything = duties["lead"] + duties["coordinating"]
    overdue = [i for i in everything if i["status"] == "overdue"]
    soon = [i for i in everything if i["deadline_end"] and today <= dt.date.fromisoformat(i["deadline_end"]) <= today + dt.timedelta(days=30)]
    assert overdue and soon and len(soon) < len(everything)

    page.get_by_label("Quá hạn").check()
    expect(page.locator(".task-row")).to_have_count(len(overdue))
    expect(page.locator("#board-shown")).to_have_text(f"Quá hạn · KH CCHC 2022 Hà Tĩnh: {len(overdue)} nhiệm vụ")
    assert set(page.locator(".task-row .badge").evaluate_all("ns => ns.map(n => n.className)")) == {"badge deadline status-overdue"}

    page.get_by_label("30 ngày tới").check()
    expect(page.locator(".task-row")).to_have_count(len(soon))
    assert "show=next30" in page.url  # a link or a reload keeps the view
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải Excel").click()
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c}
    assert all(any((i["activity"] or i["task"]).strip() in c for c in cells) for i in soon)
    shown = {(i["activity"] or i["task"]).strip() for i in soon}
    assert not any((i["activity"] or i["task"]).strip() in cells for i in overdue if (i["activity"] or i["task"]).strip() not in shown)

    page.emulate_media(media="print")  # the printout is the filtered board, saying which filter
    expect(page.locator(".board-filters")).to_be_hidden()
    expect(page.locator("#board-shown")).to_have_text(f"30 ngày tới · KH CCHC 2022 Hà Tĩnh: {len(soon)} nhiệm vụ")
    expect(page.locator(".task-row")).to_have_count(len(soon))
    screenshot(page, "board-print", full_page=True)


def test_the_board_on_a_phone_and_without_a_chosen_agency(board):
    page = board(PHONE, is_mobile=True, has_touch=True)
    expect(page.locator(".lane-lead .task-row").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "board-phone", full_page=True)

    empty = board(profile=None)
    expect(empty.locator("#board-status")).to_contain_text("Chưa chọn đơn vị")


def test_every_agency_listing_links_to_its_board(board, server):
    page = board(query="", profile=None)
    page.goto(f"{server}/?today={TODAY.isoformat()}")
    page.wait_for_selector("body[data-ready=true]")
    page.fill("#question", "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý IV?")
    page.press("#question", "Enter")
    page.get_by_role("link", name="Bảng việc của Sở Nội vụ").click()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator("h1")).to_have_text("Bảng việc: Sở Nội vụ tỉnh Hà Tĩnh")
    expect(page.locator(".lane-lead .task-row").first).to_be_visible()
