"""The real servers start and the stores work on them: feedback in PostgreSQL, sessions in Redis,
a build's vectors on a Chroma server."""

from __future__ import annotations

import datetime as dt

from assistant.contract import Intent, Query
from assistant.session import RedisSessionStore, Turn
from bots.feedback import Feedback, FeedbackStore
from service.shared import redis_client
from cchc.settings import get_settings


def test_feedback_lands_in_postgresql_and_replaces_a_second_vote(postgres_server) -> None:
    store = FeedbackStore(postgres_server.url)
    vote = Feedback(channel="web", rating="up", answer_id="pg-1", question="Ai chủ trì?", answer="Sở Nội vụ.",
                    citations=["hatinh2022_1"], today=dt.date(2022, 11, 1))
    first = store.add(vote)
    again = store.add(vote.model_copy(update={"rating": "down", "comment": "thiếu dòng"}))
    stored = [f for f in FeedbackStore(postgres_server.url).all() if f.answer_id == "pg-1"]
    assert first == again and len(stored) == 1
    assert (stored[0].rating, stored[0].comment, stored[0].citations) == ("down", "thiếu dòng", ["hatinh2022_1"])
    assert store.review(first, "accepted") and FeedbackStore(postgres_server.url).all(status="accepted")


def test_a_session_in_redis_expires_with_its_ttl(redis_server) -> None:
    client = redis_client(get_settings(redis_url=redis_server.url))
    sessions = RedisSessionStore(client, ttl_seconds=30)
    query = Query(question="Sở Nội vụ làm gì?", today=dt.date(2022, 11, 1), intent=Intent.LISTING)
    turn = Turn(query=query, shown=["hatinh2022_3", "hatinh2022_1"])
    sessions.put("web:abc", turn)
    assert sessions.get("web:abc") == turn  # the items shown keep their order
    client.set(RedisSessionStore.KEY + "web:old", query.model_dump_json())  # written before turns were stored
    assert sessions.get("web:old") is None
    assert 0 < client.ttl(RedisSessionStore.KEY + "web:abc") <= 30
    assert sessions.get("web:other") is None


def test_questions_and_answers_go_on_while_redis_is_unreachable(tmp_path) -> None:
    from types import SimpleNamespace

    import pytest
    from limits.storage import storage_from_string

    from bots.answer_ids import AnswerIds
    from bots.web.ratelimit import ClientRateLimit
    from cchc.errors import SharedStoreError
    from tests.servers import free_port

    import redis

    down = f"redis://127.0.0.1:{free_port()}/0"
    limit = ClientRateLimit("1/minute", storage=storage_from_string(down))
    request = SimpleNamespace(client=SimpleNamespace(host="127.0.0.1"))
    for _ in range(3):  # not counted, not refused: a limit must not stop the service
        limit.check(request, "ask")
    ids = AnswerIds(b"key", 30, registry=redis.Redis.from_url(down, socket_connect_timeout=1))
    answer_id = ids.issue("Ai chủ trì?", "Sở Nội vụ.", ["hatinh2022_1"])  # the answer still goes out
    with pytest.raises(SharedStoreError, match="thử lại sau"):
        ids.read(answer_id)
