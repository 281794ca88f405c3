"""Bad input gets a clear Vietnamese 4xx, never a 500; the rate limit answers 429 with Retry-After."""

from __future__ import annotations

import pytest

from bots.web.app import MAX_BODY_BYTES, create_app

ROUTES = ["/api/ask", "/api/ask/stream"]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("question", "says"),
    [("", "Câu hỏi đang trống"), ("   \t\n ", "Câu hỏi đang trống")],
    ids=["empty", "spaces"],
)
async def test_empty_questions_are_refused(client, route, question, says):
    response = await client.post(route, json={"question": question})

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["detail"].startswith(says)
    assert response.json()["errors"][0]["field"] == "question"


@pytest.mark.parametrize("route", ROUTES)
async def test_over_long_questions_are_refused_at_the_configured_limit(client, web_settings, route):
    limit = web_settings.max_question_chars
    longest = ("Sở Nội vụ chủ trì những việc gì trong quý này? " * 20)[:limit]

    too_long = await client.post(route, json={"question": longest + "x"})
    at_limit = await client.post(route, json={"question": longest, "today": "2022-11-01"})

    assert too_long.status_code == 422
    assert too_long.json()["detail"] == f"Câu hỏi dài {limit + 1} ký tự, vượt giới hạn {limit} ký tự. Hãy hỏi ngắn gọn hơn."
    assert at_limit.status_code == 200


@pytest.mark.parametrize("route", [*ROUTES, "/api/feedback"])
async def test_malformed_json_is_a_clear_400(client, route):
    response = await client.post(route, content='{"question": "Sở Nội vụ'.encode(), headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Nội dung gửi lên không phải JSON hợp lệ.")


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({}, "Thiếu câu hỏi."),
        (["Sở Nội vụ làm gì?"], "Nội dung gửi lên phải là một đối tượng JSON."),
        ({"question": 42}, "Câu hỏi sai kiểu dữ liệu."),
        ({"question": "Sở Nội vụ làm gì?", "today": "1/11/2022"}, "Ngày tham chiếu (today) phải là ngày dạng NĂM-THÁNG-NGÀY, ví dụ 2022-11-01."),
        ({"question": "Sở Nội vụ làm gì?", "session": "<script>"}, "Mã phiên (session) chỉ được gồm chữ không dấu, số và các dấu - _ . : (tối đa 100 ký tự)."),
    ],
    ids=["missing", "array", "number", "bad-date", "bad-session"],
)
async def test_invalid_bodies_are_422_in_vietnamese(client, body, detail):
    response = await client.post("/api/ask", json=body)

    assert response.status_code == 422
    assert response.json()["detail"] == detail


async def test_a_form_post_is_not_mistaken_for_json(client):
    response = await client.post("/api/ask", data={"question": "Sở Nội vụ làm gì?"})

    assert response.status_code == 422
    assert response.json()["detail"] == "Nội dung gửi lên phải là một đối tượng JSON."


async def test_an_oversized_body_is_refused(client):
    response = await client.post(
        "/api/ask", content=b'{"question": "' + b"a" * MAX_BODY_BYTES + b'"}', headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json()["detail"] == "Nội dung gửi lên quá lớn."


async def test_an_oversized_chunked_body_is_refused_too(client):
    async def chunks():
        yield b'{"question": "'
        for _ in range(MAX_BODY_BYTES // 65536 + 1):
            yield b"a" * 65536
        yield b'"}'

    response = await client.post("/api/ask", content=chunks(), headers={"Content-Type": "application/json"})

    assert response.status_code == 413
    assert response.json()["detail"] == "Nội dung gửi lên quá lớn."


async def test_unknown_paths_and_methods_answer_in_vietnamese(client):
    missing = await client.get("/api/khong-co")
    wrong_method = await client.delete("/api/plans")

    assert missing.status_code == 404 and missing.json()["detail"] == "Không tìm thấy địa chỉ này."
    assert wrong_method.status_code == 405 and wrong_method.json()["detail"] == "Địa chỉ này không nhận phương thức DELETE."


async def test_rate_limit_answers_429_with_retry_after(web_settings, index, assistant, app_client):
    settings = web_settings.model_copy(update={"rate_limit": "3/minute"})
    app = create_app(settings, index=index, assistant=assistant)
    body = {"question": "Sở Nội vụ làm gì?", "today": "2022-11-01"}

    async with app_client(app, client_host="203.0.113.7") as first, app_client(app, client_host="203.0.113.8") as second:
        allowed = [(await first.post("/api/ask", json=body)).status_code for _ in range(3)]
        limited = await first.post("/api/ask", json=body)
        streamed = await first.post("/api/ask/stream", json=body)
        # A forged X-Forwarded-For from an untrusted client does not buy a new budget.
        forged = await first.post("/api/ask", json=body, headers={"X-Forwarded-For": "198.51.100.1"})
        other_client = await second.post("/api/ask", json=body)
        health = await first.get("/api/health")  # reading status is not limited

    assert allowed == [200, 200, 200]
    for response in (limited, streamed, forged):
        assert response.status_code == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert response.json()["detail"].startswith("Bạn đã gửi quá nhiều yêu cầu (giới hạn 3/minute).")
    assert other_client.status_code == 200
    assert health.status_code == 200


def test_a_malformed_rate_limit_setting_fails_at_startup_in_vietnamese(web_settings):
    from cchc.errors import CchcError

    with pytest.raises(CchcError, match="CCHC_RATE_LIMIT «lots» không hợp lệ"):
        create_app(web_settings.model_copy(update={"rate_limit": "lots"}))
