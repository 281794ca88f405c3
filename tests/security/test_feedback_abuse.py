"""Feedback that could be taken over or flooded (issue 21, part 4), through the real app over HTTP:
each answer has its own id, a reviewed vote keeps its verdict, posts are limited per client and
overall with a Vietnamese reason, and one client can never fill the feedback database."""

from __future__ import annotations

import pytest

from bots.feedback import FeedbackStore
from bots.web.app import create_app
from tests.bots.web.conftest import AppClient

QUESTION = "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý IV năm 2022?"
OTHERS = [
    "Sở Tư pháp tỉnh Hà Tĩnh chủ trì những việc gì?",
    "Sở Tài chính tỉnh Hà Tĩnh chủ trì những việc gì?",
    "Văn phòng UBND tỉnh Hà Tĩnh chủ trì những việc gì?",
    "Sở Thông tin và Truyền thông tỉnh Hà Tĩnh chủ trì những việc gì?",
    "Sở Nội vụ tỉnh Nam Định chủ trì những việc gì?",
    "Sở Tư pháp tỉnh Nam Định chủ trì những việc gì?",
]


@pytest.fixture
def settings(built_settings, tmp_path):
    return built_settings.model_copy(update={"data_dir": tmp_path / "data", "rate_limit": "10000/minute"})


async def _ask(http, question: str = QUESTION) -> dict:
    response = await http.post("/api/ask", json={"question": question, "today": "2022-11-01"})
    assert response.status_code == 200
    return response.json()


def _vote(question: str, answer: dict, rating: str = "up", comment: str | None = None) -> dict:
    return {"answer_id": answer["answer_id"], "rating": rating, "question": question, "answer": answer["answer"],
            "comment": comment, "citations": [c["id"] for c in answer["citations"]]}


async def test_the_same_question_gets_two_answer_ids_and_two_votes(settings, index, assistant):
    app = create_app(settings, index=index, assistant=assistant)
    async with AppClient(app, "10.0.0.1") as official, AppClient(app, "10.0.0.2") as stranger:
        mine = await _ask(official)
        theirs = await _ask(stranger)
        first = await official.post("/api/feedback", json=_vote(QUESTION, mine, "down", "Thiếu nhiệm vụ 3.5"))
        second = await stranger.post("/api/feedback", json=_vote(QUESTION, theirs, "up"))

    assert mine["answer"] == theirs["answer"] and mine["answer_id"] != theirs["answer_id"]
    assert first.status_code == second.status_code == 201
    stored = {f.answer_id: f for f in FeedbackStore(settings.feedback_db).all()}
    assert (stored[mine["answer_id"]].rating, stored[mine["answer_id"]].comment) == ("down", "Thiếu nhiệm vụ 3.5")
    assert stored[theirs["answer_id"]].rating == "up"


@pytest.mark.parametrize("verdict", ["accepted", "rejected"])
async def test_a_reviewed_vote_is_never_reset_by_a_later_post(settings, index, assistant, verdict):
    app = create_app(settings, index=index, assistant=assistant)
    async with AppClient(app) as http:
        answer = await _ask(http)
        first = await http.post("/api/feedback", json=_vote(QUESTION, answer, "down", "Thiếu nhiệm vụ 3.5"))
        FeedbackStore(settings.feedback_db).review(first.json()["id"], verdict)
        again = await http.post("/api/feedback", json=_vote(QUESTION, answer, "up", "đã sửa"))

    assert again.status_code == 403
    assert again.json()["detail"] == "Góp ý cho câu trả lời này đã được xem xét nên không thay đổi được nữa."
    [kept] = FeedbackStore(settings.feedback_db).all()
    assert (kept.rating, kept.comment, kept.status) == ("down", "Thiếu nhiệm vụ 3.5", verdict)


async def test_posts_per_client_are_limited_with_a_vietnamese_reason(settings, index, assistant):
    app = create_app(settings.model_copy(update={"feedback_per_client": "3/hour"}), index=index, assistant=assistant)
    async with AppClient(app, "10.0.0.7") as flooder, AppClient(app, "10.0.0.8") as official:
        answer = await _ask(flooder)
        replays = [(await flooder.post("/api/feedback", json=_vote(QUESTION, answer, rating))).status_code
                   for rating in ("up", "down", "up", "down", "up")]
        refused = await flooder.post("/api/feedback", json=_vote(QUESTION, answer, "down"))
        other = await official.post("/api/feedback", json=_vote(QUESTION, await _ask(official)))

    assert replays == [201, 201, 201, 429, 429]
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.json()["detail"].startswith("Bạn đã gửi quá nhiều góp ý (tối đa 3 góp ý mỗi giờ). Xin thử lại sau ")
    assert other.status_code == 201  # someone else is not held back by the flooder
    assert [f.rating for f in FeedbackStore(settings.feedback_db).all()] == ["up", "up"]


async def test_posts_from_everyone_together_are_limited(settings, index, assistant):
    app = create_app(settings.model_copy(update={"feedback_overall": "4/hour"}), index=index, assistant=assistant)
    codes = []
    for client in range(6):
        async with AppClient(app, f"10.0.1.{client}") as http:
            response = await http.post("/api/feedback", json=_vote(QUESTION, await _ask(http)))
            codes.append(response.status_code)

    assert codes == [201] * 4 + [429] * 2
    assert response.json()["detail"].startswith("Hệ thống đang nhận quá nhiều góp ý cùng lúc. Xin thử lại sau ")


async def test_one_client_never_fills_the_feedback_database(settings, index, assistant):
    # 400 KB for everyone, at most 5% of it (20 KB) per client: a second client still votes afterwards.
    capped = settings.model_copy(update={"feedback_max_mb": 0.4, "feedback_client_share": 0.05})
    app = create_app(capped, index=index, assistant=assistant)
    async with AppClient(app, "10.0.2.1") as flooder, AppClient(app, "10.0.2.2") as official:
        responses = [await flooder.post("/api/feedback", json=_vote(QUESTION, await _ask(flooder), "down", "x" * 1000))
                     for _ in range(12)]
        other = await official.post("/api/feedback", json=_vote(QUESTION, await _ask(official)))

    codes = [r.status_code for r in responses]
    first_refusal = codes.index(429)
    assert first_refusal > 0 and codes[first_refusal:] == [429] * (len(codes) - first_refusal)
    assert responses[-1].json()["detail"].startswith("Bạn đã gửi rất nhiều góp ý nên hệ thống tạm không nhận thêm góp ý từ bạn.")
    assert other.status_code == 201
    held = [f for f in FeedbackStore(capped.feedback_db).all() if f.rating == "down"]
    assert len(held) == first_refusal
    assert sum(len(f.answer.encode()) + len(f.comment or "") for f in held) <= 20_000


async def test_the_quota_is_shared_by_every_worker_through_redis(settings, index, assistant, redis_server):
    # Deployment mode: two workers, one Redis; a client cannot double its quota by changing worker.
    shared = settings.model_copy(update={"redis_url": redis_server.url, "feedback_per_client": "3/hour"})
    worker_a = create_app(shared, index=index, assistant=assistant)
    worker_b = create_app(shared, index=index, assistant=assistant)
    codes = []
    async with AppClient(worker_a, "10.0.3.1") as on_a, AppClient(worker_b, "10.0.3.1") as on_b:
        for http in (on_a, on_b, on_a, on_b):
            codes.append((await http.post("/api/feedback", json=_vote(QUESTION, await _ask(http)))).status_code)

    assert codes == [201, 201, 201, 429]
