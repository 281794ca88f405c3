"""Joining the Telegram bot cannot be guessed or forced (issue 21, part 8), with the real PTB
Application polling the loopback fake Bot API: join codes must be long and random, wrong codes are
limited per user and for everyone (then joining locks, across a restart), and a group a stranger
adds the bot to gets one message before the bot leaves."""

from __future__ import annotations

import time

import pytest
from pydantic import SecretStr

from bots.telegram import texts
from bots.telegram.access import MIN_JOIN_CODE
from bots.telegram.bot import build_application, check_settings
from bots.feedback import FeedbackStore
from cchc.errors import CchcError
from tests.bots.telegram.conftest import TOKEN, Harness, _load_fake_api


@pytest.fixture
async def tg(built_settings, tmp_path, assistant):
    fake = _load_fake_api()
    server = fake.FakeBotApi(TOKEN)
    await server.start()
    try:
        yield Harness(server, fake, built_settings, tmp_path / "bot-data", assistant)
    finally:
        await server.stop()


@pytest.mark.parametrize("code", ["ab", "ma-tham-gia", "cchc-ht-2022", "aaaaaaaaaaaaaaaa", "1212121212121212"])
def test_a_short_or_guessable_join_code_stops_the_bot_with_one_line(tg, code):
    settings = tg.settings(telegram_join_code=SecretStr(code))
    with pytest.raises(CchcError) as at_check:
        check_settings(settings, webhook=False)
    with pytest.raises(CchcError) as at_build:
        build_application(settings, tg.assistant, feedback=FeedbackStore(settings.feedback_db))

    message = texts.WEAK_JOIN_CODE.format(length=MIN_JOIN_CODE)
    assert str(at_check.value) == str(at_build.value) == message
    assert "\n" not in message and code not in message


async def test_a_user_who_guesses_too_often_is_locked_out_even_with_the_right_code(tg):
    guesser, other = tg.user("Khoa"), tg.user("Lan")
    async with tg.bot(tg.settings(telegram_join_guesses_per_user="2/day")):
        for guess in ("doan-mot", "doan-hai"):
            await tg.say(guesser, f"/start {guess}")
        locked = await tg.say(guesser, f"/start {tg.JOIN_CODE}")
        still_stranger = await tg.say(guesser, "Sở Nội vụ chủ trì những việc gì?")
        welcome = await tg.say(other, f"/start {tg.JOIN_CODE}")  # others are not held back

    assert locked["text"].startswith("Anh/chị đã nhập sai mã tham gia quá nhiều lần. Vui lòng thử lại sau khoảng ")
    assert still_stranger["text"] == texts.REFUSAL
    assert welcome["text"].startswith(texts.JOINED)


async def test_too_many_wrong_codes_overall_lock_joining_even_across_a_restart(tg):
    settings = tg.settings(telegram_join_guesses_overall="3/hour", telegram_join_lockout_minutes=30)
    guessers, official = [tg.user(f"Đoán {i}") for i in range(4)], tg.user("Hạnh")
    async with tg.bot(settings):
        answers = [(await tg.say(user, f"/start sai-{i}"))["text"] for i, user in enumerate(guessers)]
        paused = await tg.say(official, f"/start {tg.JOIN_CODE}")
    async with tg.bot(settings):  # the lockout is kept in the bot's persistence
        after_restart = await tg.say(official, f"/start {tg.JOIN_CODE}")

    assert answers == [texts.WRONG_CODE] * 4  # the fourth wrong code spent the budget
    for reply in (paused, after_restart):
        assert reply["text"].startswith("Việc nhập mã tham gia đang tạm khóa vì có quá nhiều lần thử sai. "
                                        "Vui lòng thử lại sau khoảng ")
    assert "30 phút" in paused["text"]


def _added(tg, group, adder) -> dict:
    bot = tg.api.bot
    return {"my_chat_member": {"chat": group.to_dict(), "from": adder.to_dict(), "date": int(time.time()),
                               "old_chat_member": {"user": bot, "status": "left"},
                               "new_chat_member": {"user": bot, "status": "member"}}}


async def test_the_bot_leaves_a_group_a_stranger_adds_it_to_after_one_message(tg):
    stranger, official = tg.user("Người lạ"), tg.user("Nga")
    foreign, ours = tg.group("Nhóm lạ"), tg.group("Tổ CCHC")
    async with tg.bot(tg.settings()):
        await tg.say(official, f"/start {tg.JOIN_CODE}")  # joined with the code: may add the bot to groups
        await tg.api.push_update(_added(tg, foreign, stranger))
        await tg.api.wait_for(lambda: tg.api.called("leaveChat"), what="the bot to leave")
        await tg.api.push_update(_added(tg, ours, official))
        [greeting] = await tg.api.wait_for_messages(ours.id, 1)

    [goodbye] = tg.api.bot_messages(foreign.id)
    assert goodbye["text"] == texts.GROUP_NOT_ALLOWED
    assert [c.params["chat_id"] for c in tg.api.called("leaveChat")] == [foreign.id]
    assert foreign.bot_left and not ours.bot_left
    assert greeting["text"].startswith("Xin chào cả nhóm! Tôi là Trợ lý CCHC")
