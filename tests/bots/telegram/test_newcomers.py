"""Newcomers and groups: join codes typed any case, never in a group, wrong ones answered but
throttled; the bot greets a group it is added to; shared row links; button presses are free of
the question rate limit; error reports reach the admin chat."""

from __future__ import annotations

import time

from bots.telegram import texts


async def test_a_join_code_is_read_whatever_its_case(tg) -> None:
    newcomer = tg.user("Thảo")
    async with tg.bot(tg.settings(telegram_allowed_ids=[])):
        await tg.api.send_text(newcomer, f"/start {tg.JOIN_CODE.upper()}")
        [welcome] = await tg.api.wait_for_messages(newcomer.id, 1)
    assert welcome["text"].startswith(texts.JOINED)


async def test_a_code_typed_in_a_group_is_refused_there(tg) -> None:
    member = tg.user("Sơn")
    group = tg.group("Phòng CCHC")
    async with tg.bot(tg.settings(telegram_allowed_ids=[])):
        username = tg.api.bot["username"]
        await tg.api.send_text(member, f"/start@{username} {tg.JOIN_CODE}", chat=group)
        [reply] = await tg.api.wait_for_messages(group.id, 1)
        await tg.api.send_text(member, "/help")  # still a stranger in private
        [private] = await tg.api.wait_for_messages(member.id, 1)
    assert reply["text"] == texts.CODE_IN_GROUP
    assert private["text"] == texts.REFUSAL


async def test_wrong_codes_are_always_answered_but_throttled(tg) -> None:
    guesser = tg.user("Khoa")
    async with tg.bot(tg.settings(telegram_allowed_ids=[])):
        for guess in range(5):
            await tg.api.send_text(guesser, f"/start doan-{guess}")
        await tg.api.wait_for(lambda: len(tg.api.called("sendMessage")) >= 3, what="three answers")
        await tg.api.send_text(guesser, f"/start {tg.JOIN_CODE}")
        await tg.api.wait_for(lambda: any(m["text"].startswith(texts.JOINED) for m in tg.api.bot_messages(guesser.id)),
                              what="the right code admitted")
    answers = [m["text"] for m in tg.api.bot_messages(guesser.id)]
    assert answers[:3] == [texts.WRONG_CODE] * 3 and answers[3].startswith(texts.JOINED)


async def test_the_bot_greets_a_group_it_is_added_to(tg) -> None:
    adder = tg.user("Nga")
    group = tg.group("Tổ công tác CCHC")
    async with tg.bot(tg.settings(telegram_allowed_ids=[adder.id])):
        bot = tg.api.bot
        await tg.api.push_update({"my_chat_member": {
            "chat": group.to_dict(), "from": adder.to_dict(), "date": int(time.time()),
            "old_chat_member": {"user": bot, "status": "left"},
            "new_chat_member": {"user": bot, "status": "member"},
        }})
        [greeting] = await tg.api.wait_for_messages(group.id, 1)
    assert greeting["text"].startswith("Xin chào cả nhóm! Tôi là Trợ lý CCHC")


async def test_a_shared_row_link_opens_the_row(tg, index) -> None:
    official = tg.user("Phúc")
    row = index.rows[0]
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        await tg.api.send_text(official, f"/start row_{row.id}")
        [shown] = await tg.api.wait_for_messages(official.id, 1)
    assert shown["text"].startswith(f"📄 {row.label}")


async def test_button_presses_do_not_use_up_the_question_limit(tg) -> None:
    official = tg.user("Quân")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id], telegram_rate_limit="2/hour")):
        [message] = await tg.ask(official, "Sở Nội vụ tỉnh Hưng Yên và tỉnh Hà Tĩnh chủ trì những gì?")
        for _ in range(4):  # turning pages is not asking
            text = message["text"]
            await tg.api.press(official, message, [d.get("callback_data") for row in message["reply_markup"]["inline_keyboard"]
                                                   for d in row if d.get("callback_data", "").startswith("pg:")][-1])
            await tg.api.wait_for(lambda: message["text"] != text, what="a page turned")
        [second] = await tg.ask(official, "Sở Tư pháp tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?")
    assert second["text"].startswith("Sở Tư pháp, quý IV/2022")


class _Broken:
    def __init__(self, real):
        self.search, self.sessions, self.generator = real.search, real.sessions, real.generator

    def ask(self, *args, **kwargs):
        raise RuntimeError("bug")


async def test_an_error_is_reported_to_the_admin_chat(tg, assistant) -> None:
    official, admin = tg.user("Vân"), tg.user("Quản trị")
    tg.expect_apology()
    tg.api.chat(admin.id)
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id], telegram_admin_chat_id=admin.id),
                      assistant=_Broken(assistant)):
        await tg.api.send_text(official, "Sở Nội vụ làm gì?")
        [report] = await tg.api.wait_for_messages(admin.id, 1)
        [apology] = await tg.api.wait_for_messages(official.id, 1)
    assert report["text"].startswith("⚠️ Lỗi khi xử lý cập nhật") and "RuntimeError" in report["text"]
    assert "bug" not in report["text"]  # the kind of error, not data from it
    assert apology["text"] == texts.APOLOGY
