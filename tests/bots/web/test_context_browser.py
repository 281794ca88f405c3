"""In a real browser (Debian's Chromium): «Đơn vị của tôi» sends its province with every question,
and «việc thứ 3» answers about the third row the page showed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from playwright.sync_api import expect
from tests.bots.web.pagehelpers import ask

pytestmark = pytest.mark.slow
TODAY = dt.date(2022, 11, 1)


def open_page(page, server) -> None:
    page.goto(f"{server.url}/?today={TODAY.isoformat()}")
    page.wait_for_selector("body[data-ready=true]")


def test_the_page_sends_the_province_of_my_unit_and_ordinals_follow_the_page(page, live_server, assistant):
    sent: list[dict] = []
    page.on("request", lambda request: sent.append(json.loads(request.post_data or "{}"))
            if request.url.endswith("/api/ask/stream") else None)
    open_page(page, live_server)
    page.click("#profile-toggle")
    page.fill("#agency-search", "so noi vu ha tinh")
    option = page.locator("#agency-results [role=option]").first
    expect(option.locator(".option-name")).to_have_text("Sở Nội vụ — Hà Tĩnh")
    option.click()

    listing = ask(page, "Đơn vị tôi phải làm gì trong quý IV/2022?")
    assert sent[0]["agency"] == "so-noi-vu" and sent[0]["province"] == "Hà Tĩnh" and "continued" not in sent[0]
    expect(listing.locator(".understood")).to_contain_text("Hà Tĩnh (theo đơn vị của bạn)")
    expected = assistant.ask("Đơn vị tôi phải làm gì trong quý IV/2022?", today=TODAY,
                             profile=_profile())
    rows = [i for b in expected.blocks if b.type == "group" for i in b.items]
    expect(listing.locator(".chip")).to_have_count(len(expected.citations))
    assert all(c.province == "Hà Tĩnh" for c in expected.citations)
    assert listing.locator(".note", has_text="Đã hiểu:").count() == 0  # shown once, in its own line

    third = ask(page, "việc thứ 3 hạn khi nào?")
    assert sent[1]["province"] == "Hà Tĩnh" and sent[1]["continued"] is True
    expect(third.locator(".understood")).to_contain_text(rows[2].label)
    assert page.errors == []


def _profile():
    from assistant.contract import AgencyMention, Profile

    return Profile(agency=AgencyMention(id="so-noi-vu", name="Sở Nội vụ"), province="Hà Tĩnh")
