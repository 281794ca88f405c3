"""Every route of the HTTP API, through the real app and the real index of the seed corpus."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import pytest

from assistant.contract import Answer
from bots.feedback import FeedbackStore
from bots.web.app import create_app
from service.wiring import agency_table

TODAY = dt.date(2022, 11, 1)
LISTING = "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?"


async def test_ask_returns_the_assistants_answer_unchanged(client, assistant):
    response = await client.post("/api/ask", json={"question": LISTING, "today": TODAY.isoformat()})

    assert response.status_code == 200
    answer = Answer.model_validate(response.json())
    assert answer.found and answer.citations
    assert answer.query.agency is not None and answer.query.agency.id == "so-noi-vu"
    assert answer.query.period is not None and answer.query.period.label == "quý IV/2022"
    expected = assistant.ask(LISTING, today=TODAY)
    body = response.json()
    assert body.pop("answer_id").startswith("a2.")  # the id feedback must quote, added by the server
    assert body == expected.model_dump(mode="json", exclude={"answer_id"})


async def test_follow_up_in_the_same_session_keeps_the_province(client):
    session = (await client.post("/api/session")).json()["session"]  # issued by the server, never made up
    first = await client.post("/api/ask", json={"question": LISTING, "today": "2022-11-01", "session": session})
    follow = await client.post(
        "/api/ask", json={"question": "Còn Sở Tư pháp thì sao?", "today": "2022-11-01", "session": session}
    )
    fresh = await client.post("/api/ask", json={"question": "Còn Sở Tư pháp thì sao?", "today": "2022-11-01"})

    assert first.status_code == follow.status_code == fresh.status_code == 200
    query = follow.json()["query"]
    assert query["agency"]["id"] == "so-tu-phap"
    assert query["provinces"] == ["Hà Tĩnh"] and "provinces" in query["inherited"]
    assert fresh.json()["query"]["provinces"] == []


async def test_my_agency_is_understood_from_the_profile(client):
    response = await client.post(
        "/api/ask",
        json={"question": "Đơn vị tôi chủ trì những việc gì trong quý này?", "today": "2022-11-01", "agency": "so-tu-phap"},
    )
    unknown = await client.post("/api/ask", json={"question": "Đơn vị tôi làm gì?", "agency": "khong-co"})

    assert response.status_code == 200
    assert response.json()["query"]["agency"] == {"id": "so-tu-phap", "name": "Sở Tư pháp"}
    assert unknown.status_code == 422
    assert "khong-co" in unknown.json()["detail"]


async def test_stream_emits_query_citations_deltas_and_the_same_done_answer(client, sse):
    body = {"question": LISTING, "today": "2022-11-01"}
    async with client.stream("POST", "/api/ask/stream", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse((await response.aread()).decode())
    plain = (await client.post("/api/ask", json=body)).json()

    names = [name for name, _ in events]
    assert names[0] == "query" and names[-1] == "done"
    assert "error" not in names
    assert names.count("done") == 1 and "delta" in names and "citation" in names
    done = events[-1][1]
    assert done.pop("answer_id") != plain.pop("answer_id")  # each answer is its own (a random nonce)
    # The last event repeats neither the text nor the citations: the deltas and citation events
    # carried them, and together they are the same answer /api/ask gives.
    assert "answer" not in done and "citations" not in done
    streamed = {data["id"]: data for name, data in events if name == "citation"}
    assert done.pop("citation_ids") == [c["id"] for c in plain["citations"]]
    citations = plain.pop("citations")
    assert [streamed[c["id"]] for c in citations] == citations and len(streamed) == len(citations)
    text = "".join(data["text"] for name, data in events if name == "delta")
    assert text.strip() == plain.pop("answer")
    assert done == plain
    # Each citation is announced before the answer line that cites it.
    assert names.index("citation") < len(names) - 1
    assert events[0][1]["question"] == LISTING


async def test_stream_of_a_question_outside_the_plans_ends_not_found(client, sse):
    async with client.stream("POST", "/api/ask/stream", json={"question": "Thời tiết hôm nay thế nào?"}) as response:
        events = sse((await response.aread()).decode())

    assert events[-1][0] == "done"
    assert events[-1][1]["found"] is False and events[-1][1]["citation_ids"] == []


async def test_row_has_its_original_cells_and_plan(client, index):
    answer = (await client.post("/api/ask", json={"question": LISTING, "today": "2022-11-01"})).json()
    row_id = answer["citations"][0]["id"]

    response = await client.get(f"/api/rows/{row_id}")

    assert response.status_code == 200
    detail = response.json()
    assert detail["kind"] == "row"
    assert detail["record"] == index.get(row_id).model_dump(mode="json")
    assert detail["record"]["cells"] and all(cell["heading"] for cell in detail["record"]["cells"])
    assert detail["plan"]["id"] == "hatinh2022" == detail["record"]["document"]
    assert detail["plan"]["short_title"] == "KH CCHC 2022 Hà Tĩnh"


async def test_prose_section_is_served_too(client, index):
    section = index.sections[0]

    detail = (await client.get(f"/api/rows/{section.id}")).json()

    assert detail["kind"] == "prose"
    assert detail["record"]["heading"] == section.heading and detail["record"]["text"] == section.text


async def test_unknown_row_is_404_in_vietnamese(client):
    response = await client.get("/api/rows/khongco_123")

    assert response.status_code == 404
    assert response.json()["detail"] == "Không có dòng nào mang mã «khongco_123» trong chỉ mục."


async def test_agencies_list_names_shorts_and_aliases(client):
    agencies = (await client.get("/api/agencies")).json()

    by_id = {a["id"]: a for a in agencies}
    assert len(agencies) == len(agency_table().all())
    assert by_id["so-noi-vu"]["name"] == "Sở Nội vụ" and by_id["so-noi-vu"]["short"] == "SNV"
    assert "Sở NV" in by_id["so-noi-vu"]["aliases"]
    assert by_id["so-noi-vu"]["kind"] == "department" and by_id["so-noi-vu"]["collective"] is False
    assert any(a["collective"] for a in agencies)
    assert set(agencies[0]) == {"id", "name", "short", "kind", "collective", "aliases"}


async def test_plans_list_what_the_index_holds(client, index):
    plans = (await client.get("/api/plans")).json()

    assert [p["id"] for p in plans] == list(index.plans)
    assert sum(p["rows"] for p in plans) == len(index.rows)
    hatinh = next(p for p in plans if p["id"] == "hatinh2022")
    assert hatinh == {
        "id": "hatinh2022", "province": "Hà Tĩnh", "year": 2022,
        "title": "Phụ lục: Khung nhiệm vụ cải cách hành chính trọng tâm năm 2022 của tỉnh Hà Tĩnh",
        "short_title": "KH CCHC 2022 Hà Tĩnh", "doc_number": "520", "doc_date": "2021-12-24",
        "rows": sum(r.document == "hatinh2022" for r in index.rows),
    }


async def test_health_describes_the_loaded_index(client, index, web_settings):
    health = (await client.get("/api/health")).json()

    assert health["loaded"] is True
    assert health["build"] == index.build.name
    assert health["embedding"] == index.meta.embedding == "fake:hashed-words-256"
    assert health["stale"] == []
    assert health["rows"] == index.meta.rows == len(index.rows)
    assert health["sections"] == len(index.sections)
    assert health["plans"] == len(index.plans) == 5
    assert health["generator"] == "deterministic"
    assert health["reindex"] == "idle"
    assert health["max_question_chars"] == web_settings.max_question_chars
    assert dt.datetime.fromisoformat(health["built_at"]) == index.meta.built_at


async def test_without_an_index_the_server_starts_and_says_so(built_settings, tmp_path, app_client):
    empty = built_settings.model_copy(update={"data_dir": tmp_path / "empty"})
    app = create_app(empty)

    async with app_client(app) as http:
        health = (await http.get("/api/health")).json()
        ask = await http.post("/api/ask", json={"question": LISTING})
        page = await http.get("/")

    assert health["loaded"] is False and health["build"] is None
    assert ask.status_code == 503
    assert "Chỉ mục kế hoạch chưa sẵn sàng" in ask.json()["detail"]
    assert page.status_code == 200


async def _rated(client, rating: str, **changes):
    session = (await client.post("/api/session")).json()["session"]
    answer = (await client.post("/api/ask", json={"question": LISTING, "today": "2022-11-01", "session": session})).json()
    body = {
        "answer_id": answer["answer_id"], "rating": rating, "question": LISTING, "answer": answer["answer"],
        "comment": "Thiếu nhiệm vụ 3.5", "session": session, "today": "2022-11-01",
        "citations": [c["id"] for c in answer["citations"]], **changes,
    }
    return body, await client.post("/api/feedback", json=body)


async def test_feedback_is_stored_in_sqlite_pending_review(client, web_settings):
    body, response = await _rated(client, "down")

    assert response.status_code == 201
    stored = FeedbackStore(web_settings.feedback_db).all()
    assert [f.id for f in stored] == [response.json()["id"]]
    saved = stored[0]
    assert (saved.channel, saved.rating, saved.question, saved.comment) == ("web", "down", LISTING, "Thiếu nhiệm vụ 3.5")
    assert saved.citations == body["citations"] and saved.today == TODAY
    assert saved.session == "web:" + body["session"].split(".")[1]  # the web's own namespace
    assert saved.status == "pending" and saved.answer_id == body["answer_id"]


async def test_a_second_vote_on_the_same_answer_replaces_the_first(client, web_settings):
    body, first = await _rated(client, "down")
    second = await client.post("/api/feedback", json={**body, "rating": "up", "comment": None})

    assert first.status_code == second.status_code == 201
    stored = FeedbackStore(web_settings.feedback_db).all()
    assert [(f.rating, f.comment) for f in stored] == [("up", None)]


@pytest.mark.parametrize(
    "forgery",
    [
        {"answer_id": "a1.eyJxIjoiIn0.AAAA"},  # made up
        {"citations": ["hatinh2022_2f7de833", "namdinh2022_invented"]},  # rows the answer never cited
        {"citations": []},  # a liked refusal that was not a refusal
        {"question": "Sở Tài chính chủ trì những gì?"},  # another question
        {"answer": "Sở Nội vụ không có nhiệm vụ nào."},  # another answer
    ],
)
async def test_forged_feedback_is_refused_and_stores_nothing(client, web_settings, forgery):
    _, response = await _rated(client, "up", **forgery)

    assert response.status_code == 403
    assert "câu trả lời" in response.json()["detail"]
    assert FeedbackStore(web_settings.feedback_db).all() == []


async def test_feedback_with_a_bad_rating_is_refused_in_vietnamese(client, web_settings):
    response = await client.post("/api/feedback", json={"answer_id": "x", "rating": "meh", "question": "q", "answer": "a"})

    assert response.status_code == 422
    assert response.json()["detail"] == "Đánh giá (rating) chỉ nhận một trong các giá trị: 'up' hoặc 'down'."
    assert FeedbackStore(web_settings.feedback_db).all() == []


async def test_page_and_its_scripts_are_served_with_a_strict_policy(client):
    page = await client.get("/")
    script = await client.get("/static/app.js")
    api = await client.get("/api/health")

    assert page.status_code == 200 and 'lang="vi"' in page.text and "Trợ lý CCHC" in page.text
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    for response in (page, script, api):
        policy = response.headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no other origin
        assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in page.text  # the page has no inline script for the policy to block


def test_page_scripts_never_parse_data_as_html():
    from bots.web.routers.page import STATIC_DIR

    sinks = re.compile(r"\.innerHTML\b|\.outerHTML\s*=|insertAdjacentHTML\s*\(|document\.write\s*\(|\beval\s*\(|new Function\s*\(")
    offenders = [
        f"{path.name}:{number}"
        for path in sorted(STATIC_DIR.glob("*.js"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if sinks.search(line)
    ]
    assert offenders == []


async def test_openapi_documents_the_api(client):
    docs = await client.get("/docs")
    schema = (await client.get("/openapi.json")).json()

    assert docs.status_code == 404  # Swagger UI only with CCHC_API_DOCS (test_api_docs.py)
    assert {"/api/ask", "/api/ask/stream", "/api/rows/{record_id}", "/api/agencies", "/api/plans", "/api/health",
            "/api/feedback"} <= set(schema["paths"])
    assert not any(path.startswith("/api/admin") for path in schema["paths"])


async def test_concurrent_questions_are_all_answered_correctly(client, assistant):
    questions = [
        LISTING,
        "Sở Tư pháp tỉnh Nam Định chủ trì những việc gì trong quý này?",
        "Ai chủ trì việc đo lường sự hài lòng của người dân?",
        "Sở Thông tin và Truyền thông tỉnh Hưng Yên phối hợp những việc gì trong cả năm?",
    ] * 6
    expected = {q: assistant.ask(q, today=TODAY).model_dump(mode="json") for q in set(questions)}

    async def ask(question: str, streaming: bool):
        body = {"question": question, "today": "2022-11-01"}
        if streaming:
            async with client.stream("POST", "/api/ask/stream", json=body) as response:
                return response.status_code, (await response.aread()).decode()
        response = await client.post("/api/ask", json=body)
        return response.status_code, response.json()

    results = await asyncio.gather(*(ask(q, i % 2 == 1) for i, q in enumerate(questions)))

    assert [status for status, _ in results] == [200] * len(questions)
    for i, (question, (_, payload)) in enumerate(zip(questions, results)):
        if i % 2 == 1:
            assert '"found":true' in payload.rsplit("event: done", 1)[1]
            assert "event: error" not in payload
        else:
            assert payload.pop("answer_id") and {**payload, "answer_id": None} == expected[question]


@pytest.mark.parametrize("path", ["/api/admin/reindex"])
async def test_admin_routes_are_absent_without_a_token(client, path):
    assert (await client.post(path)).status_code == 404
    assert (await client.get(path, headers={"Authorization": "Bearer anything"})).status_code == 404


async def test_a_failure_inside_the_stream_becomes_an_error_event(web_settings, index, assistant, app_client, sse):
    # The web layer allows longer questions than this assistant's parser (built for 500): the
    # parser's refusal then happens inside the stream, after the 200 and its headers are sent.
    roomy = web_settings.model_copy(update={"max_question_chars": 2000})
    app = create_app(roomy, index=index, assistant=assistant)
    question = ("Sở Nội vụ chủ trì những việc gì? " * 30)[:600]

    async with app_client(app) as http:
        async with http.stream("POST", "/api/ask/stream", json={"question": question}) as response:
            status = response.status_code
            events = sse((await response.aread()).decode())
        plain = await http.post("/api/ask", json={"question": question})

    assert status == 200
    assert events == [("error", {"detail": "Câu hỏi dài 600 ký tự, vượt giới hạn 500 ký tự. Hãy hỏi ngắn gọn hơn."})]
    assert plain.status_code == 422
