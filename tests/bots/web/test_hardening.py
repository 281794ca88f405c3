"""The web app under careless and hostile input: invisible characters, forged client addresses,
admin-token guessing, crashes, oversized feedback, a full feedback database."""

from __future__ import annotations

import sqlite3

import httpx
import pytest
from pydantic import SecretStr

from bots.feedback import FeedbackStore
from bots.web.app import create_app
from bots.web.server import uvicorn_options
from cchc.settings import Settings, get_settings

TOKEN = "quan-tri-" + "7f3a9c41d2e8b6a05f17" * 2
QUESTION = "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?"


@pytest.mark.parametrize("dirty", ["Sở Nội vụ\u0000 tỉnh Hà Tĩnh", "Sở\u200b Nội vụ tỉnh Hà\u202e Tĩnh", "\ufeffSở Nội vụ tỉnh Hà Tĩnh"])
async def test_invisible_characters_in_a_question_are_ignored(client, dirty):
    question = QUESTION.replace("Sở Nội vụ tỉnh Hà Tĩnh", dirty)
    clean = (await client.post("/api/ask", json={"question": QUESTION, "today": "2022-11-01"})).json()

    response = await client.post("/api/ask", json={"question": question, "today": "2022-11-01"})

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["citations"]] == [c["id"] for c in clean["citations"]]


@pytest.mark.parametrize("invisible", ["\u0000", "\u200b\u200c\u200d", " \ufeff\u2066 \u0007 "])
async def test_a_question_of_only_invisible_characters_is_empty(client, invisible):
    for path in ("/api/ask", "/api/ask/stream"):
        response = await client.post(path, json={"question": invisible})
        assert response.status_code == 422
        assert response.json()["detail"].startswith("Câu hỏi đang trống")


async def test_a_field_without_a_vietnamese_name_is_not_shown_in_english(client):
    response = await client.get("/api/rows/" + "x" * 201)

    assert response.status_code == 422
    assert "record_id" not in response.json()["detail"].lower()
    assert response.json()["detail"] == "Mã dòng dài quá 200 ký tự."


class _Broken:
    """An assistant that fails the way an unforeseen bug would."""

    def __init__(self, real):
        self.search, self.generator, self.sessions = real.search, real.generator, real.sessions

    def ask(self, *args, **kwargs):
        raise RuntimeError("bug")


async def test_an_unexpected_error_is_a_vietnamese_500_with_the_security_headers(web_settings, index, assistant, app_client):
    app = create_app(web_settings, index=index, assistant=_Broken(assistant))

    async with app_client(app) as http:
        response = await http.post("/api/ask", json={"question": QUESTION})

    assert response.status_code == 500
    assert response.json()["detail"].startswith("Hệ thống gặp lỗi ngoài dự kiến")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_failed_admin_attempts_are_throttled(web_settings, index, assistant, app_client):
    settings = web_settings.model_copy(update={"admin_token": SecretStr(TOKEN), "admin_attempts": "5/minute"})
    app = create_app(settings, index=index, assistant=assistant)

    async with app_client(app) as http:
        right = {"Authorization": f"Bearer {TOKEN}"}
        allowed = await http.get("/api/admin/reindex", headers=right)  # success costs nothing
        guesses = [await http.get("/api/admin/reindex", headers={"Authorization": f"Bearer guess-{i}"}) for i in range(6)]
        after = await http.get("/api/admin/reindex", headers=right)
        other_routes = await http.post("/api/ask", json={"question": QUESTION})

    assert allowed.status_code == 200
    assert [r.status_code for r in guesses] == [403] * 5 + [429]
    assert after.status_code == 429 and "Retry-After" in after.headers  # even the right token waits
    assert "quá nhiều" in after.json()["detail"]
    assert other_routes.status_code == 200


@pytest.mark.parametrize("token", ["ngan", "x" * 31])
def test_an_admin_token_shorter_than_32_characters_is_refused(token, monkeypatch):
    monkeypatch.setenv("CCHC_ADMIN_TOKEN", token)
    with pytest.raises(ValueError, match="ít nhất 32 ký tự"):
        get_settings()


@pytest.mark.parametrize(("trusted", "shared_bucket"), [("", True), ("127.0.0.1", False)])
def test_forwarded_addresses_count_only_from_a_configured_proxy(web_settings, index, assistant, threaded_server,
                                                                 trusted, shared_bucket):
    settings = web_settings.model_copy(update={"rate_limit": "2/minute", "forwarded_allow_ips": trusted})
    app = create_app(settings, index=index, assistant=assistant)

    with threaded_server(app, **uvicorn_options(settings)) as server:
        base = f"http://127.0.0.1:{server.port}"
        codes = [
            httpx.post(f"{base}/api/ask", json={"question": QUESTION}, timeout=60,
                       headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
            for i in range(3)
        ]

    # Default: every request counts against the real peer, whatever header it sends.
    assert codes == ([200, 200, 429] if shared_bucket else [200, 200, 200])


def test_default_settings_trust_no_proxy():
    assert Settings.model_fields["forwarded_allow_ips"].default == ""


async def test_oversized_feedback_fields_are_refused(client, web_settings):
    answer = (await client.post("/api/ask", json={"question": QUESTION, "today": "2022-11-01"})).json()
    body = {"answer_id": answer["answer_id"], "rating": "down", "question": QUESTION, "answer": answer["answer"],
            "citations": [c["id"] for c in answer["citations"]]}

    too_long = [{"comment": "x" * 1001}, {"answer": "x" * 30_001}, {"question": "x" * 1001},
                {"citations": [f"r{i}" for i in range(301)]}]
    codes = [(await client.post("/api/feedback", json={**body, **change})).status_code for change in too_long]

    assert codes == [422] * 4
    assert FeedbackStore(web_settings.feedback_db).all() == []


async def test_a_full_feedback_database_refuses_clearly(web_settings, index, assistant, app_client):
    settings = web_settings.model_copy(update={"feedback_max_mb": 0.001})
    app = create_app(settings, index=index, assistant=assistant)

    async with app_client(app) as http:
        answer = (await http.post("/api/ask", json={"question": QUESTION, "today": "2022-11-01"})).json()
        response = await http.post("/api/feedback", json={
            "answer_id": answer["answer_id"], "rating": "up", "question": QUESTION, "answer": answer["answer"],
            "citations": [c["id"] for c in answer["citations"]]})

    assert response.status_code == 507
    assert response.json()["detail"].startswith("Kho góp ý đã đầy")
    assert FeedbackStore(settings.feedback_db).all() == []


def test_feedback_database_runs_in_wal_mode(tmp_path):
    FeedbackStore(tmp_path / "feedback.sqlite3")

    with sqlite3.connect(tmp_path / "feedback.sqlite3") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
