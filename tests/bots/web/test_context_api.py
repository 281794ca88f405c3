"""Context that follows the user, through the real HTTP API: the profile's province scopes a
question, «việc thứ 3» is the third item shown, a lost conversation is said to be lost, and an
agency of several provinces gets «tỉnh nào?»."""

from __future__ import annotations

import uuid

TODAY = "2022-11-01"
MY_UNIT = {"agency": "so-noi-vu", "province": "Hà Tĩnh"}  # «Đơn vị của tôi» = Sở Nội vụ — Hà Tĩnh


async def new_session(client) -> str:
    """A conversation id as the page gets one (issued by the server where it issues them)."""
    response = await client.post("/api/session")
    if response.status_code == 404:  # a server that lets the page choose its id
        return f"context-{uuid.uuid4().hex}"
    assert response.status_code == 201
    return response.json()["session"]


def shown(answer: dict) -> list[str]:
    return [item["id"] for block in answer["blocks"] if block["type"] == "group" for item in block["items"]]


async def test_the_profile_province_scopes_a_listing(client):
    body = {"question": "Đơn vị tôi phải làm gì trong quý IV/2022?", "today": TODAY, **MY_UNIT}
    answer = (await client.post("/api/ask", json=body)).json()

    assert answer["found"] and answer["citations"]
    assert {c["province"] for c in answer["citations"]} == {"Hà Tĩnh"}
    assert answer["query"]["provinces"] == ["Hà Tĩnh"] and answer["query"]["from_profile"] == ["agency", "province"]
    understood = [b["text"] for b in answer["blocks"] if b["type"] == "note" and b["text"].startswith("Đã hiểu: ")]
    assert understood and "Hà Tĩnh (theo đơn vị của bạn)" in understood[0]
    # without the province, the same agency exists in several provinces' plans: asked which one
    bare = (await client.post("/api/ask", json={**body, "province": None})).json()
    assert not bare["found"] and not bare["citations"] and bare["query"]["clarify"]["kind"] == "which_province"


async def test_the_stream_route_takes_the_profile_too(client, sse):
    body = {"question": "Đơn vị tôi phải làm gì trong quý IV/2022?", "today": TODAY, **MY_UNIT}
    async with client.stream("POST", "/api/ask/stream", json=body) as response:
        events = sse((await response.aread()).decode())
    done = events[-1][1]
    assert events[0][0] == "query" and events[0][1]["provinces"] == ["Hà Tĩnh"]
    streamed = [data for name, data in events if name == "citation"]
    assert done["found"] and streamed and {c["province"] for c in streamed} == {"Hà Tĩnh"}


async def test_a_province_no_plan_knows_is_refused_in_vietnamese(client):
    response = await client.post("/api/ask", json={"question": "Đơn vị tôi làm gì?", "agency": "so-noi-vu",
                                                   "province": "Atlantis"})
    assert response.status_code == 422 and "Atlantis" in response.json()["detail"]


async def test_the_third_item_is_the_third_row_shown(client):
    session = await new_session(client)
    listing = (await client.post("/api/ask", json={"question": "Đơn vị tôi phải làm gì trong quý IV/2022?",
                                                   "today": TODAY, "session": session, **MY_UNIT})).json()
    items = shown(listing)
    assert len(items) >= 3 and all(i.startswith("hatinh2022_") for i in items)

    third = (await client.post("/api/ask", json={"question": "việc thứ 3 hạn khi nào?", "today": TODAY,
                                                 "session": session, "continued": True, **MY_UNIT})).json()
    assert third["found"] and third["query"]["intent"] == "lookup"
    assert third["query"]["focus"] == items[2] and third["citations"][0]["id"] == items[2]
    assert third["citations"][0]["province"] == "Hà Tĩnh"


async def test_a_lost_conversation_is_said_to_be_lost(client):
    session = await new_session(client)  # a conversation the page had, whose turns the server no longer holds
    for question in ("còn quý 1?", "Còn Sở Tư pháp thì sao?", "việc thứ 2 hạn khi nào?"):
        answer = (await client.post("/api/ask", json={"question": question, "today": TODAY, "session": session,
                                                      "continued": True})).json()
        assert not answer["found"] and not answer["citations"], question
        assert answer["answer"].startswith("Cuộc trò chuyện trước đã hết hạn"), question
        assert answer["query"]["clarify"]["kind"] == "context_lost"


async def test_which_province_offers_one_full_question_per_province(client):
    answer = (await client.post("/api/ask", json={"question": "Sở Nội vụ có bao nhiêu nhiệm vụ chủ trì?",
                                                  "today": TODAY})).json()
    assert answer["answer"].startswith("Bạn hỏi Sở Nội vụ của tỉnh nào?")
    [choices] = [b["questions"] for b in answer["blocks"] if b["type"] == "follow_ups"]
    assert "Sở Nội vụ tỉnh Hà Tĩnh có bao nhiêu nhiệm vụ chủ trì?" in choices
    count = (await client.post("/api/ask", json={"question": choices[0], "today": TODAY})).json()
    assert count["found"] and count["query"]["intent"] == "count" and len(count["query"]["provinces"]) == 1
