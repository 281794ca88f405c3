"""What people expect of a chat bot: strangers always learn how to join, a thank-you gets a polite
reply, a photo's caption is read, /help names the buttons as they are, /ngay asks as of another
day (and every answer says so), /bangviec gives the agency's next 30 days."""

from __future__ import annotations

import re

from bots.telegram import texts

LISTING = "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?"


async def test_a_stranger_always_gets_start_and_help_answered(tg) -> None:
    stranger = tg.user("Khách")
    async with tg.bot(tg.settings(telegram_allowed_ids=[])):
        first = await tg.say(stranger, "/start")
        second = await tg.say(stranger, "/start")
        helped = await tg.say(stranger, "/help")
        count = len(tg.api.bot_messages(stranger.id))
        await tg.api.send_text(stranger, "Sở Nội vụ làm gì?")  # anything else: told no once already
        await tg.say(stranger, "/help")

    assert first["text"] == second["text"] == helped["text"] == texts.REFUSAL
    assert "mã tham gia" in texts.REFUSAL and "/start" in texts.REFUSAL
    assert len(tg.api.bot_messages(stranger.id)) == count + 1


async def test_thanks_gets_a_short_polite_reply(tg) -> None:
    official = tg.user("Yến")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        replies = [await tg.say(official, text) for text in ("cảm ơn", "Dạ em cảm ơn ạ!", "ok thanks")]
        question = await tg.ask(official, "Cảm ơn, cho hỏi Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?")

    assert [r["text"] for r in replies] == [texts.YOU_ARE_WELCOME] * 3
    assert question[0]["text"].startswith("Sở Nội vụ, quý IV/2022")


async def test_a_question_in_a_photo_caption_is_answered(tg) -> None:
    official = tg.user("Hoa")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        photo = await tg.api.send_photo(official, LISTING)
        reply = await tg.api.wait_for(lambda: next((m for m in tg.api.bot_messages(official.id)
                                                    if m.get("reply_to_message", {}).get("message_id") == photo["message_id"]), None))
        typed = await tg.ask(official, LISTING)

    assert reply["text"] == typed[0]["text"] and reply["text"].startswith("Sở Nội vụ, quý IV/2022")


async def test_help_names_the_buttons_as_they_are(tg) -> None:
    official = tg.user("Đức")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        help_text = (await tg.say(official, "/help"))["text"]
        [answer] = await tg.ask(official, LISTING)

    labels = [b["text"] for row in answer["reply_markup"]["inline_keyboard"] for b in row]
    assert "Xem dòng" not in help_text
    assert "📄 1" in labels and "📄 1, 📄 2…" in help_text
    assert texts.EXCEL_BUTTON in labels and texts.EXCEL_BUTTON in help_text
    assert texts.FEEDBACK_UP in labels and texts.FEEDBACK_UP in help_text
    assert "/bangviec" in help_text and "/ngay" in help_text


async def test_ngay_sets_the_day_every_answer_names_until_cleared(tg) -> None:
    official = tg.user("Giang")
    question = "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?"
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        bad = await tg.say(official, "/ngay 31/02/2022")
        set_ = await tg.say(official, "/ngay 2022-08-15")
        [during] = await tg.ask(official, question)
        cleared = await tg.say(official, "/ngay bo")
        [after] = await tg.ask(official, question)

    assert bad["text"].startswith("Ngày chưa đúng dạng")
    assert set_["text"].startswith("Đã đặt ngày tham chiếu 15/08/2022")
    assert during["text"].startswith("🗓 Đang hỏi theo ngày 15/08/2022")
    assert "quý III/2022" in during["text"]  # «quý này» counted from 15/08/2022
    assert cleared["text"] == texts.REFERENCE_CLEARED
    assert "🗓" not in after["text"] and "quý IV/2022" in after["text"]  # the clock's day again: 01/11/2022


async def test_bangviec_sends_the_next_30_days(tg) -> None:
    official = tg.user("Hiếu")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        await tg.pick_agency(official, "nội vụ", "so-noi-vu", "Hà Tĩnh")
        await tg.say(official, "/ngay 2022-12-05")
        board = await tg.say(official, "/bangviec")
        full = await tg.press_for_message(official, board, next(iter(tg.buttons(board))))

    lines = board["text"].split("\n")
    assert lines[0].startswith("🗓 Đang hỏi theo ngày 05/12/2022")
    assert lines[1] == "🗂 Bảng việc: Sở Nội vụ — Hà Tĩnh, 30 ngày tới"
    assert "Đến hạn từ 05/12 đến 04/01/2023: 4 việc" in board["text"]
    assert all(re.match(r"• 31/12/2022 — ", line) for line in lines if line.startswith("• "))
    assert list(tg.buttons(board).values()) == [texts.DIGEST_ALL_BUTTON]
    assert "30 ngày tới" in full["text"] and "/row_hatinh2022_" in full["text"]


async def test_lich_replies_with_the_calendar_address(tg) -> None:
    official = tg.user("Lâm")
    base = "https://cong.example.gov.vn/tro-ly"
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id], public_url=base)):
        need = await tg.say(official, "/lich")
        await tg.pick_agency(official, "nội vụ", "so-noi-vu", "Hà Tĩnh")
        link = await tg.say(official, "/lich")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id], public_url=None)):
        unset = await tg.say(official, "/lich")

    assert need["text"].startswith("Anh/chị chưa chọn đơn vị")
    assert f"{base}/api/lich/so-noi-vu-ha-tinh.ics" in link["text"].split("\n")
    assert link["text"].startswith("📅 Lịch nhiệm vụ của Sở Nội vụ — Hà Tĩnh")
    assert unset["text"] == texts.LICH_NO_ADDRESS
