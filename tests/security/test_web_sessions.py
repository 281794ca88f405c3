"""Conversations cannot be reached across channels or guessed (issue 21, part 5), through the real
app over HTTP: the web refuses Telegram's session names and any id it did not issue, and issues
its own random, signed ids, remembered in the web's own namespace."""

from __future__ import annotations

import datetime as dt

import pytest

from bots.web.app import create_app
from bots.web.sessions import NOT_ISSUED, OTHER_CHANNEL, WebSessions
from tests.bots.web.conftest import AppClient

TODAY = dt.date(2022, 11, 1)
LISTING = "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?"
FOLLOW_UP = "Còn quý sau thì sao?"


@pytest.fixture
async def http(built_settings, tmp_path, index, assistant):
    settings = built_settings.model_copy(update={"data_dir": tmp_path / "data", "rate_limit": "10000/minute"})
    async with AppClient(create_app(settings, index=index, assistant=assistant)) as client:
        yield client


async def test_a_telegram_conversation_cannot_be_read_or_steered_from_the_web(http, assistant):
    chat = "telegram:-100987654"  # what the bot calls a chat's conversation
    assistant.ask(LISTING, today=TODAY, session=chat)  # an official asked the bot

    read = await http.post("/api/ask", json={"question": FOLLOW_UP, "today": "2022-11-01", "session": chat})
    steer = await http.post("/api/ask", json={"question": "Sở Tài chính tỉnh Nam Định chủ trì những gì?",
                                              "today": "2022-11-01", "session": chat})
    streamed = await http.post("/api/ask/stream", json={"question": FOLLOW_UP, "session": chat})
    duties = await http.post("/api/duties", json={"agency": "so-tai-chinh", "session": chat})

    for response in (read, steer, streamed, duties):
        assert response.status_code == 422
        assert response.json()["detail"] == OTHER_CHANNEL
    follow_up = assistant.ask(FOLLOW_UP, today=TODAY, session=chat)  # the official's next question
    assert follow_up.query.agency.id == "so-noi-vu" and follow_up.query.provinces == ["Hà Tĩnh"]
    assert follow_up.query.period.label == "quý I/2023"


@pytest.mark.parametrize("made_up", [
    "web:abc", "follow-up-1", "0123456789abcdef0123456789abcdef", "w1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA",
])
async def test_ids_the_server_did_not_issue_are_refused(http, made_up):
    response = await http.post("/api/ask", json={"question": LISTING, "session": made_up})

    assert response.status_code == 422
    assert response.json()["detail"] == (OTHER_CHANNEL if ":" in made_up else NOT_ISSUED)
    assert response.json()["errors"][0]["field"] == "session"


async def test_an_id_signed_with_another_key_is_refused(http):
    foreign = WebSessions(b"another deployment's key").issue()
    response = await http.post("/api/ask", json={"question": LISTING, "session": foreign})
    assert response.status_code == 422 and response.json()["detail"] == NOT_ISSUED


async def test_issued_ids_are_random_and_keep_their_own_conversation(http):
    issued = [(await http.post("/api/session")).json()["session"] for _ in range(20)]
    mine, theirs = issued[0], issued[1]

    await http.post("/api/ask", json={"question": LISTING, "today": "2022-11-01", "session": mine})
    followed = (await http.post("/api/ask", json={"question": FOLLOW_UP, "today": "2022-11-01", "session": mine})).json()
    alone = (await http.post("/api/ask", json={"question": FOLLOW_UP, "today": "2022-11-01", "session": theirs})).json()

    assert len(set(issued)) == 20 and all(len(i.split(".")[1]) == 22 for i in issued)  # 128 random bits each
    assert followed["query"]["agency"]["id"] == "so-noi-vu" and "agency" in followed["query"]["inherited"]
    assert alone["query"]["agency"] is None and alone["query"]["inherited"] == []
