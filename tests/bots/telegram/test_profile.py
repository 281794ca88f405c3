"""/donvi through inline keyboards, kept across a restart; /quynay, /quysau, /phoihop on a fixed date."""

from __future__ import annotations

from bots.telegram import texts


async def test_donvi_keyboard_then_quynay_after_a_restart(tg) -> None:
    official = tg.user("Thu")
    settings = tg.settings(telegram_allowed_ids=[official.id])
    async with tg.bot(settings):
        await tg.api.send_text(official, "/quynay")
        [need] = await tg.api.wait_for_messages(official.id, 1)
        assert need["text"].startswith("Anh/chị chưa chọn đơn vị")

        await tg.api.send_text(official, "/donvi noi vu")
        choices = (await tg.api.wait_for_messages(official.id, 2))[1]
        assert choices["text"] == texts.DONVI_CHOOSE
        offered = tg.buttons(choices)
        assert list(offered)[0] == "ag:so-noi-vu" and offered["ag:so-noi-vu"] == "Sở Nội vụ"
        assert "donvi-cancel" in offered

        provinces = await tg.choose(official, choices, "ag:so-noi-vu")
        assert provinces["text"] == "Đơn vị: Sở Nội vụ. Anh/chị thuộc tỉnh nào?"
        by_name = {text: data for data, text in tg.buttons(provinces).items()}
        assert {"Hà Tĩnh", "Nam Định", "Sóc Trăng", "Khánh Hòa", "Hưng Yên"} <= set(by_name)

        saved = await tg.choose(official, provinces, by_name["Hà Tĩnh"])
        assert saved["text"].startswith("Đã lưu: Sở Nội vụ, tỉnh Hà Tĩnh.")
        assert "reply_markup" not in saved

    # a new Application over the same data dir: the choice was persisted
    async with tg.bot(settings):
        answer = await tg.ask(official, "/quynay")

    text = "\n".join(m["text"] for m in answer)
    assert text.startswith("📌 Sở Nội vụ — Hà Tĩnh: việc chủ trì trong quý này")
    # The same rows as the web chat's «Quý này» button and as the typed question.
    assert tg.lines(answer) == tg.expected_page("Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?")
    assert tg.lines(answer)[0].startswith("Sở Nội vụ, quý IV/2022")  # relative to the injected today
    titles = [line for line in tg.lines(answer) if line.endswith(":") and not line[0].isdigit()]
    assert titles and all(f"<b>{title}</b>" in "".join(m["raw_html"] for m in answer) for title in titles)
    assert "/row_hatinh2022_" in text
    assert any(data.startswith("row:hatinh2022_") for data in tg.buttons(answer[-1]))
    assert not tg.api.failures()


async def test_donvi_asks_for_a_name_then_quysau_and_phoihop(tg) -> None:
    official = tg.user("Bình")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        await tg.api.send_text(official, "/donvi")
        prompt = (await tg.api.wait_for_messages(official.id, 1))[0]
        assert prompt["text"] == texts.DONVI_PROMPT
        assert "«SNV»" in prompt["text"]
        offered = list(tg.buttons(prompt))  # buttons first: the agencies most provinces' plans name
        assert "ag:so-noi-vu" in offered and "ag:so-tu-phap" in offered and offered[-1] == "donvi-cancel"

        reply = await tg.api.send_text(official, "tư pháp", reply_to=prompt)
        choices = (await tg.api.wait_for_messages(official.id, 2))[1]
        assert choices["reply_to_message"]["message_id"] == reply["message_id"]
        assert list(tg.buttons(choices))[0] == "ag:so-tu-phap"
        provinces = await tg.choose(official, choices, "ag:so-tu-phap")
        by_name = {text: data for data, text in tg.buttons(provinces).items()}
        await tg.choose(official, provinces, by_name["Hà Tĩnh"])

        next_quarter_parts = await tg.ask(official, "/quysau")
        coordinating_parts = await tg.ask(official, "/phoihop")
    next_quarter = "\n".join(m["text"] for m in next_quarter_parts)
    coordinating = "\n".join(m["text"] for m in coordinating_parts)

    assert next_quarter.startswith("📌 Sở Tư pháp — Hà Tĩnh: việc chủ trì trong quý sau")
    assert "quý I/2023" in next_quarter  # relative to the injected today, 2022-11-01
    assert tg.lines(next_quarter_parts) == tg.expected_page("Sở Tư pháp tỉnh Hà Tĩnh chủ trì những việc gì trong quý sau?")
    assert coordinating.startswith("📌 Sở Tư pháp — Hà Tĩnh: việc phối hợp cả năm")
    assert tg.lines(coordinating_parts) == tg.expected_page("Sở Tư pháp tỉnh Hà Tĩnh phối hợp những việc gì trong năm 2022?")
    assert "/row_hatinh2022_" in coordinating
    assert not tg.api.failures()


async def test_donvi_unknown_name_cancel_and_someone_elses_keyboard(tg) -> None:
    official, colleague = tg.user("An"), tg.user("Bảo")
    group = tg.group()
    async with tg.bot(tg.settings(telegram_allowed_ids=[group.id])):
        await tg.api.send_text(official, "/donvi Sở Không Tồn Tại <xyz>", chat=group)
        [not_found] = await tg.api.wait_for_messages(group.id, 1)
        await tg.api.send_text(official, "/donvi Sở Y tế", chat=group)
        choices = (await tg.api.wait_for_messages(group.id, 2))[1]
        query = await tg.api.press(colleague, choices, "ag:so-y-te")
        await tg.api.wait_for(lambda: any(c.params.get("callback_query_id") == query
                                          for c in tg.api.called("answerCallbackQuery")))
        cancelled = await tg.choose(official, choices, "donvi-cancel")

    assert not_found["text"] == "Không tìm thấy đơn vị «Sở Không Tồn Tại <xyz>». " \
                                "Hãy thử tên đầy đủ hoặc tên viết tắt, ví dụ «Sở Nội vụ», «Sở TT&TT»."
    [refused_press] = [c for c in tg.api.called("answerCallbackQuery") if c.params["callback_query_id"] == query]
    assert refused_press.params["text"] == texts.NOT_YOUR_KEYBOARD and refused_press.params["show_alert"] is True
    assert cancelled["text"] == texts.DONVI_CANCELLED
    assert not tg.api.failures()


async def test_donvi_reads_only_a_name_and_never_outlives_a_restart(tg) -> None:
    official = tg.user("Cường")
    settings = tg.settings(telegram_allowed_ids=[official.id], telegram_donvi_timeout_seconds=600.0)
    question = "Sở Tư pháp tỉnh Hà Tĩnh chủ trì những việc gì trong quý này"  # no «?»: still a question
    async with tg.bot(settings):
        await tg.api.send_text(official, "/donvi")
        await tg.api.wait_for_messages(official.id, 1)
        await tg.api.send_text(official, "/cancel")
        [_, cancelled] = await tg.api.wait_for_messages(official.id, 2)
        await tg.api.send_text(official, "/donvi")
        await tg.api.wait_for_messages(official.id, 3)
        during = await tg.ask(official, question)
        await tg.api.send_text(official, "/donvi")  # left open when the bot restarts
        count = len(tg.api.bot_messages(official.id)) + 1
        await tg.api.wait_for_messages(official.id, count)
    async with tg.bot(settings):
        after_restart = await tg.ask(official, "Sở Nội vụ")

    assert cancelled["text"] == texts.DONVI_CANCELLED
    assert during[0]["text"].startswith("Sở Tư pháp, quý IV/2022")  # answered, not taken as a name
    assert not after_restart[0]["text"].startswith(texts.DONVI_CHOOSE)
    assert all("hết thời gian" not in m["text"] for m in tg.api.bot_messages(official.id))
