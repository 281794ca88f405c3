"""The /donvi profile follows every question, and a reply to an earlier answer refers to its items,
against the loopback Bot API server."""

from __future__ import annotations

import re

from assistant.contract import AgencyMention, GroupBlock, Profile

MY_UNIT = Profile(agency=AgencyMention(id="so-noi-vu", name="Sở Nội vụ"), province="Hà Tĩnh")
ROW = re.compile(r"/row_(\w+)")


def cited(parts: list[dict]) -> list[str]:
    """The row ids an answer's messages cite, in order (its /row_<id> commands)."""
    return list(dict.fromkeys(ROW.findall("\n".join(p["text"] for p in parts))))


async def test_the_donvi_province_scopes_a_question_and_a_reply_refers_to_that_answer(tg) -> None:
    official = tg.user("Hạnh")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        await tg.pick_agency(official, "noi vu", "so-noi-vu", "Hà Tĩnh")
        listing = await tg.ask(official, "Đơn vị tôi phải làm gì trong quý IV/2022?")
        other = await tg.ask(official, "Sở Tư pháp tỉnh Nam Định chủ trì những việc gì trong năm 2022?")
        # a reply to the first answer, after another one: «việc thứ 2» is the first answer's second item
        second = await tg.ask(official, "việc thứ 2 ai phối hợp?", reply_to=listing[-1])

    expected = tg.assistant.ask("Đơn vị tôi phải làm gì trong quý IV/2022?", today=tg.TODAY, profile=MY_UNIT)
    items = [item.id for block in expected.blocks if isinstance(block, GroupBlock) for item in block.items]
    assert cited(listing) and all(i.startswith("hatinh2022_") for i in cited(listing))
    assert cited(listing) == items[:len(cited(listing))]  # the first page shows the items in order
    assert "Đã hiểu: tra một nhiệm vụ" in "\n".join(p["text"] for p in second)  # how it was read, shown
    assert cited(other) and all(i.startswith("namdinh2022_") for i in cited(other))
    assert cited(second) == [items[1]]
    assert not tg.api.failures()


async def test_a_reply_with_no_previous_answer_and_own_unit_with_no_profile(tg) -> None:
    official = tg.user("Khoa")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        lost = await tg.say(official, "việc thứ 2 hạn khi nào?")
        unit = await tg.say(official, "Đơn vị tôi phải làm gì trong quý IV/2022?")

    assert lost["text"].startswith("Chưa có câu trả lời trước trong cuộc trò chuyện này")
    assert "/row_" not in lost["text"]
    assert unit["text"].startswith("Anh/chị chưa chọn đơn vị") and "/donvi" in unit["text"]
    assert not tg.api.failures()


async def test_which_province_comes_with_one_button_per_province(tg) -> None:
    official = tg.user("Minh")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        asked = await tg.ask(official, "Sở Nội vụ chủ trì những việc gì trong quý IV/2022?")
        buttons = tg.buttons(asked[-1])
        choices = {text: data for data, text in buttons.items() if data.startswith("fu:")}
        assert "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý IV/2022?" in choices
        before = len(tg.api.bot_messages(official.id))
        await tg.api.press(official, asked[-1], choices["Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý IV/2022?"])
        answer = await tg.api.wait_for(
            lambda: next((m for m in tg.api.bot_messages(official.id)[before:]
                          if any(d.startswith("fb:") for d in tg.buttons(m))), None), what="the chosen question's answer")

    assert asked[0]["text"].startswith("Bạn hỏi Sở Nội vụ của tỉnh nào?")
    assert "Câu hỏi: Sở Nội vụ tỉnh Hà Tĩnh" in answer["text"] or "Sở Nội vụ tỉnh Hà Tĩnh" in answer["text"]
    assert cited([answer]) and all(i.startswith("hatinh2022_") for i in cited([answer]))
    assert not tg.api.failures()
