"""/start, /help, the allow-list, the join code, strangers, and groups (answered only when addressed)."""

from __future__ import annotations

import pickle

from bots.telegram import texts
from bots.telegram.bot import STATE_FILE


async def test_start_greets_lists_the_indexed_plans_and_publishes_the_menu(tg, index) -> None:
    official = tg.user("Hòa")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        asked = await tg.api.send_text(official, "/start")
        [greeting] = await tg.api.wait_for_messages(official.id, 1)
        await tg.api.send_text(official, "/help")
        help_message = (await tg.api.wait_for_messages(official.id, 2))[1]

    assert greeting["reply_to_message"]["message_id"] == asked["message_id"]
    assert greeting["text"].startswith("Xin chào Hòa!")
    for plan in index.plans.values():
        assert plan.short_title in greeting["text"]
    assert "/donvi" in greeting["text"] and "<b>Trợ lý CCHC</b>" in greeting["raw_html"]
    assert "Còn Sở Tài chính thì sao?" in help_message["text"]
    assert "/quynay" in help_message["text"] and "/row_" in help_message["text"]

    [menu] = tg.api.called("setMyCommands")
    assert [c["command"] for c in menu.params["commands"]] == list(texts.COMMANDS)
    assert tg.api.called("deleteWebhook"), "polling starts by removing any webhook"
    assert all(c.params.get("allowed_updates") == ["message", "callback_query", "my_chat_member"]
               for c in tg.api.called("getUpdates"))
    assert not tg.api.failures()


async def test_join_code_admits_and_is_remembered_strangers_are_refused_once(tg) -> None:
    stranger, joiner = tg.user("Khách"), tg.user("Minh")
    settings = tg.settings()
    async with tg.bot(settings):
        await tg.api.send_text(stranger, "Sở Nội vụ chủ trì những việc gì?")
        [refusal] = await tg.api.wait_for_messages(stranger.id, 1)
        await tg.api.send_text(stranger, "Cho tôi hỏi lại")
        await tg.api.send_text(stranger, "/start sai-ma")
        await tg.api.send_text(stranger, "/quynay")

        await tg.api.send_text(joiner, "/start")  # no code yet: refused
        await tg.api.wait_for_messages(joiner.id, 1)
        await tg.api.send_text(joiner, f"/start {tg.JOIN_CODE}")
        welcome = (await tg.api.wait_for_messages(joiner.id, 2))[1]

    assert refusal["text"] == texts.REFUSAL
    # One refusal, then silence, except that a wrong join code is always answered (throttled).
    assert [m["text"] for m in tg.api.bot_messages(stranger.id)] == [texts.REFUSAL, texts.WRONG_CODE]
    assert welcome["text"].startswith(texts.JOINED)
    assert "Xin chào Minh!" in welcome["text"]
    assert tg.JOIN_CODE not in welcome["text"]

    # remembered across a restart: the joined user asks without the code again
    state = pickle.loads((settings.data_dir / STATE_FILE).read_bytes())
    assert joiner.id in state["bot_data"]["joined_user_ids"]
    async with tg.bot(settings):
        await tg.api.send_text(joiner, "/help")
        reply = (await tg.api.wait_for_messages(joiner.id, 3))[2]
    assert reply["text"].startswith("Ví dụ câu hỏi")
    assert not tg.api.failures()


async def test_allow_list_accepts_a_whole_group_which_is_served_only_when_addressed(tg) -> None:
    member, outsider_group_user = tg.user("Tú"), tg.user("Ngọc")
    group = tg.group()
    other_group = tg.group("Nhóm khác")
    username = tg.api.bot["username"]
    async with tg.bot(tg.settings(telegram_allowed_ids=[group.id], telegram_join_code=None)):
        await tg.api.send_text(member, "Hôm nay họp lúc mấy giờ?", chat=group)  # not for the bot
        await tg.api.send_text(member, "/quynay@another_bot", chat=group)  # for another bot
        await tg.api.send_text(member, "/help", chat=group)
        await tg.api.wait_for_messages(group.id, 1)
        mention = await tg.api.send_text(
            member, f"@{username} Ai chủ trì rà soát văn bản quy phạm pháp luật ở Nam Định?", chat=group)
        answer = (await tg.api.wait_for_messages(group.id, 2))[1]
        follow_up = await tg.api.send_text(member, "Thời hạn thế nào?", chat=group, reply_to=answer)
        await tg.api.wait_for_messages(group.id, 3)
        await tg.api.send_text(outsider_group_user, f"/help@{username}", chat=other_group)
        await tg.api.wait_for_messages(other_group.id, 1)

    group_messages = tg.api.bot_messages(group.id)
    assert len(group_messages) == 3, [m["text"][:60] for m in group_messages]
    assert group_messages[0]["text"].startswith("Ví dụ câu hỏi")
    assert answer["reply_to_message"]["message_id"] == mention["message_id"]
    assert "— KH CCHC 2022 Nam Định, I › " in answer["text"]
    assert group_messages[2]["reply_to_message"]["message_id"] == follow_up["message_id"]
    assert [m["text"] for m in tg.api.bot_messages(other_group.id)] == [texts.REFUSAL]
    assert not tg.api.failures()
