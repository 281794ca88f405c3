"""A flood from one user, updates the bot cannot read, failing handlers and failing Bot API calls:
the bot logs, apologises where someone is waiting, and keeps serving everyone else."""

from __future__ import annotations

import logging
import statistics
import threading
import time
from typing import Any

from bots.telegram import texts

QUESTIONS = [
    "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý IV/2022?",
    "Ai chủ trì rà soát văn bản quy phạm pháp luật ở Nam Định?",
    "Sở Tư pháp tỉnh Hà Tĩnh phối hợp những nhiệm vụ nào?",
    "Sở Thông tin và Truyền thông tỉnh Hưng Yên có những nhiệm vụ gì trong quý III/2022?",
    "Kinh phí cho chứng thực điện tử ở Hà Tĩnh là bao nhiêu?",
]


def answers_in(api: Any, chat_id: int) -> list[dict]:
    """Messages ending an answer (they carry the 👍/👎 keyboard)."""
    return [m for m in api.bot_messages(chat_id)
            if any(b.get("callback_data", "").startswith("fb:")
                   for row in m.get("reply_markup", {}).get("inline_keyboard", []) for b in row)]


class Gated:
    """The real assistant, except that one chat's answers wait (in their worker thread) for a gate."""

    def __init__(self, real: Any, session: str):
        self.real, self.search, self.session = real, real.search, session
        self.gate = threading.Event()

    def ask(self, question: str, today: Any = None, session: str | None = None, **context: Any):
        if session == self.session:
            assert self.gate.wait(120), "the test never opened the gate"
        return self.real.ask(question, today=today, session=session, **context)


async def test_a_flood_from_one_user_does_not_stop_another_user(tg, assistant, caplog) -> None:
    flooder, colleague = tg.user("Ồ Ạt"), tg.user("Kiên")
    limit, flood = 3, 20
    settings = tg.settings(telegram_allowed_ids=[flooder.id, colleague.id], telegram_rate_limit=f"{limit}/hour")
    gated = Gated(assistant, f"telegram:{flooder.id}")
    async with tg.bot(settings, assistant=gated):
        for number in range(flood):
            await tg.api.send_text(flooder, QUESTIONS[number % len(QUESTIONS)])
        await tg.api.wait_for(lambda: any(m["text"].startswith("Anh/chị gửi hơi nhanh.")
                                          for m in tg.api.bot_messages(flooder.id)), what="the rate-limit notice")
        # the flooder's first answer is still being prepared (held at the gate) ...
        [answer] = await tg.ask(colleague, QUESTIONS[1])
        assert not answers_in(tg.api, flooder.id)
        gated.gate.set()  # ... and only now may it finish
        await tg.api.wait_for(lambda: len(answers_in(tg.api, flooder.id)) == limit, what="the flooder's answers")

    flooder_texts = [m["text"] for m in tg.api.bot_messages(flooder.id)]
    notices = [t for t in flooder_texts if t.startswith("Anh/chị gửi hơi nhanh.")]
    assert tg.lines([answer]) == tg.expected_page(QUESTIONS[1])
    assert len(answers_in(tg.api, flooder.id)) == limit
    assert len(notices) == 1, "one notice per rate window: a reply to every flooded message would flood back"
    assert notices == ["Anh/chị gửi hơi nhanh. Vui lòng chờ khoảng 60 phút rồi hỏi tiếp."]
    replies = [m for m in tg.api.bot_messages(flooder.id) if "reply_to_message" in m]
    assert len(replies) == limit + 1, "three answers and one notice; every other message was only counted"
    assert not tg.api.failures()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_answers_per_second_under_a_flood(tg, capsys) -> None:
    """Measured, not asserted: one official floods 60 questions while five others ask five each."""
    flooder, officials = tg.user("Ồ Ạt"), [tg.user(f"Cán bộ {n}") for n in range(5)]
    settings = tg.settings(telegram_allowed_ids=[flooder.id] + [o.id for o in officials],
                           telegram_rate_limit="5/hour")
    asked: dict[int, list[float]] = {o.id: [] for o in officials}
    async with tg.bot(settings):
        started = time.perf_counter()
        for round_ in range(len(QUESTIONS)):
            for number in range(12):
                await tg.api.send_text(flooder, QUESTIONS[(round_ + number) % len(QUESTIONS)])
            for official in officials:
                asked[official.id].append(time.time())
                await tg.api.send_text(official, QUESTIONS[round_])
        await tg.api.wait_for(lambda: all(len(answers_in(tg.api, o.id)) == len(QUESTIONS) for o in officials)
                              and len(answers_in(tg.api, flooder.id)) == 5, timeout=300, what="every answer")
        seconds = time.perf_counter() - started
    answers = sum(len(answers_in(tg.api, o.id)) for o in [flooder, *officials])
    assert answers == 30 and not tg.api.failures()
    # each official's questions are answered in order: pair the i-th question with the i-th answer
    sent_at = {(c.result["chat"]["id"], c.result["message_id"]): c.at for c in tg.api.called("sendMessage")}
    latencies = sorted(sent_at[o.id, answer["message_id"]] - asked_at for o in officials
                       for asked_at, answer in zip(asked[o.id], answers_in(tg.api, o.id), strict=True))
    with capsys.disabled():
        print(f"\n[telegram flood] 60 questions from one official (limit 5/hour) + 25 from five others: "
              f"{answers} answers in {seconds:.2f} s = {answers / seconds:.1f} answers/s; the others' answers "
              f"took median {statistics.median(latencies):.2f} s, max {latencies[-1]:.2f} s")


async def test_updates_it_cannot_read_are_logged_and_skipped(tg, caplog) -> None:
    official = tg.user("Phúc")
    caplog.set_level(logging.INFO)
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        garbage = await tg.api.push_update({"message": {"message_id": "x", "chat": "oops", "date": "nope"}})
        broken_press = await tg.api.push_update({"callback_query": {"id": 5, "data": 7}})
        unknown = await tg.api.push_update({"brand_new_update_kind": {"foo": 1}})
        channel = await tg.api.push_update({"channel_post": {"message_id": 1, "date": 0, "text": "tin",
                                                             "chat": {"id": -1001, "type": "channel"}}})
        await tg.api.send_text(official, "/help")
        [reply] = await tg.api.wait_for_messages(official.id, 1)

    assert reply["text"].startswith("Ví dụ câu hỏi")
    offsets = [c.params.get("offset") or 0 for c in tg.api.called("getUpdates")]
    assert max(offsets) > max(u["update_id"] for u in (garbage, broken_press, unknown, channel)), \
        "every update was acknowledged"
    messages = [r.getMessage() for r in caplog.records]
    for update in (garbage, broken_press):
        assert f"Skipping update {update['update_id']}: it cannot be read" in "\n".join(messages)
    assert f"Ignoring update {unknown['update_id']}: nothing this bot handles (brand_new_update_kind)" in messages
    assert f"Ignoring update {channel['update_id']}: nothing this bot handles (channel_post)" in messages
    assert not tg.api.failures()


class Failing:
    """The real assistant, except that one question raises an unexpected error."""

    TRIGGER = "Câu hỏi làm hỏng trợ lý"

    def __init__(self, real: Any):
        self.real = real
        self.search = real.search

    def ask(self, question: str, *args: Any, **kwargs: Any):
        if question == self.TRIGGER:
            raise RuntimeError("something broke deep inside")
        return self.real.ask(question, *args, **kwargs)


async def test_errors_are_logged_then_apologised_for_and_the_bot_goes_on(tg, assistant, caplog) -> None:
    official = tg.user("Sơn")
    tg.expect_apology()
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id]), assistant=Failing(assistant)):
        await tg.api.send_text(official, Failing.TRIGGER)
        [apology] = await tg.api.wait_for_messages(official.id, 1)
        tg.api.fail_next("sendMessage", 400,
                         'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0')
        await tg.api.send_text(official, "/help")
        second_apology = (await tg.api.wait_for_messages(official.id, 2))[1]
        refused = await tg.say(official, "Sở Nội vụ chủ trì " * 40)
        [answer] = await tg.ask(official, QUESTIONS[1])

    assert apology["text"] == texts.APOLOGY and second_apology["text"] == texts.APOLOGY
    assert refused["text"].startswith("Câu hỏi dài") and "vượt giới hạn 500 ký tự" in refused["text"]
    assert tg.lines([answer]) == tg.expected_page(QUESTIONS[1])
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("bots.telegram")]
    assert [str(r.exc_info[1]) for r in errors] == [
        "something broke deep inside", 'Can\'t parse entities: unsupported start tag "x" at byte offset 0']
    apologies = [c for c in tg.api.called("sendMessage") if c.params["text"] == texts.APOLOGY]
    assert [r.created <= c.at for r, c in zip(errors, apologies, strict=True)] == [True, True], \
        "logged first, then apologised"
