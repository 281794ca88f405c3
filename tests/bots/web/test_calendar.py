"""GET /api/lich/{agency}-{province}.ics: parsed back with icalendar, the events are exactly the
agency's dated tasks (on their end dates); recurring and event-triggered ones are in the feed's
description, not given invented dates."""

from __future__ import annotations

import datetime as dt
import warnings

from icalendar import Calendar

TODAY = "2022-11-01"


async def test_the_feed_holds_the_agencys_dated_tasks(client):
    listing = (await client.post("/api/duties", json={"agency": "so-noi-vu", "province": "Hà Tĩnh", "period": "all",
                                                      "role": "any", "today": TODAY})).json()
    items = {i["id"]: i for b in listing["blocks"] if b["type"] == "group" for i in b["items"]}
    dated = {i["id"]: dt.date.fromisoformat(i["deadline_end"]) for i in items.values() if i["deadline_kind"] == "dated"}
    undated = [i for i in items.values() if i["deadline_kind"] != "dated"]

    response = await client.get("/api/lich/so-noi-vu-ha-tinh.ics")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the feed imports without a warning
        feed = Calendar.from_ical(response.content)
    events = feed.walk("VEVENT")

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    assert str(feed["version"]) == "2.0" and "Sở Nội vụ — Hà Tĩnh" in str(feed["x-wr-calname"])
    assert {str(e["uid"]).split("@")[0]: e.decoded("dtstart") for e in events} == dated
    assert all(e.decoded("dtend") - e.decoded("dtstart") == dt.timedelta(days=1) for e in events)
    assert all(str(e["url"]).endswith(f"/api/rows/{str(e['uid']).split('@')[0]}") for e in events)
    description = str(feed["description"])
    assert undated and "Thường xuyên" in description and description.count("\n• ") == len(undated)
    first = min(events, key=lambda e: e.decoded("dtstart"))
    assert "Vai trò: " in str(first["description"]) and "Nguồn: KH CCHC 2022 Hà Tĩnh › " in str(first["description"])


async def test_an_unknown_feed_is_a_404_in_vietnamese(client):
    unknown_agency = await client.get("/api/lich/so-khong-co-ha-tinh.ics")
    unknown_province = await client.get("/api/lich/so-noi-vu-ca-mau.ics")

    assert unknown_agency.status_code == 404 and "so-khong-co" in unknown_agency.json()["detail"]
    assert unknown_province.status_code == 404 and unknown_province.json()["detail"].startswith("Không có lịch")
