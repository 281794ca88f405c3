"""Page turns are safe to repeat: the page shown is kept per answer, «message is not modified» is no
error, no arrow leads nowhere, the counter offers every page; the Excel STT matches the numbers on
the pages; an old answer's buttons keep working while it is kept."""

from __future__ import annotations

import copy
import io
import re

import openpyxl

LONG = "Sở Nội vụ tỉnh Hưng Yên và tỉnh Hà Tĩnh chủ trì những gì?"
NOT_MODIFIED = "Bad Request: message is not modified"


def buttons(message: dict) -> dict[str, str]:
    """button text -> callback data."""
    return {b["text"]: b["callback_data"] for row in message.get("reply_markup", {}).get("inline_keyboard", [])
            for b in row if "callback_data" in b}


async def answered(tg, query_id: str) -> None:
    await tg.api.wait_for(lambda: any(c.params.get("callback_query_id") == query_id and c.done
                                      for c in tg.api.called("answerCallbackQuery", ok=None)), what="the press answered")


async def test_double_taps_and_the_ends_are_no_errors(tg) -> None:
    official = tg.user("Thảo")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        [message] = await tg.ask(official, LONG)
        first = copy.deepcopy(message)
        total = int(re.search(r"Trang 1/(\d+)", first["text"]).group(1))
        await tg.api.press(official, first, buttons(first)["▶"])
        await tg.api.wait_for(lambda: f"Trang 2/{total}" in message["text"], what="page 2")
        # The same ▶ again, from the keyboard as it was (a double tap): nothing to change.
        await answered(tg, await tg.api.press(official, first, buttons(first)["▶"]))
        # Every call answered, but the bot's long poll for the next update (it returns only at its timeout).
        await tg.api.wait_for(lambda: tg.api.called("editMessageReplyMarkup", ok=None)
                              and all(c.done for c in tg.api.calls if c.method != "getUpdates"),
                              what="the repeated press handled")
        second = copy.deepcopy(message)
        # The counter lists every page; a number goes there, and the last page has no ▶.
        await tg.api.press(official, message, buttons(message)[f"2/{total} ☰"])
        await tg.api.wait_for(lambda: str(total) in buttons(message), what="the page list")
        listed = copy.deepcopy(message)
        await tg.api.press(official, message, buttons(message)[str(total)])
        await tg.api.wait_for(lambda: f"Trang {total}/{total}" in message["text"], what="the last page")
        last = copy.deepcopy(message)
        # «Quay lại» from the list, on the page shown: the keyboard comes back, the text stays.
        await tg.api.press(official, message, buttons(message)[f"{total}/{total} ☰"])
        await tg.api.wait_for(lambda: "↩ Quay lại" in buttons(message), what="the page list again")
        await tg.api.press(official, message, buttons(message)["↩ Quay lại"])
        await tg.api.wait_for(lambda: "◀" in buttons(message), what="the page keyboard back")

    assert "◀" not in buttons(first) and "▶" in buttons(first)  # page 1: nothing before it
    assert "◀" in buttons(second) and f"Trang 2/{total}" in second["text"]
    assert [text for text in buttons(listed) if text.isdigit() or "·" in text] == \
        [str(n) if n != 2 else "· 2 ·" for n in range(1, total + 1)]
    assert "▶" not in buttons(last) and "◀" in buttons(last)
    assert message["text"] == last["text"] and buttons(message) == buttons(last)
    assert {c.error for c in tg.api.failures()} <= {c.error for c in tg.api.failures() if NOT_MODIFIED in c.error}
    assert not tg.apologies()


async def test_excel_rows_are_numbered_as_the_pages_are(tg) -> None:
    official = tg.user("Quang")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        [message] = await tg.ask(official, LONG)
        page_one = message["text"].split("\n\nNguồn")[0]
        await tg.api.press(official, message, buttons(message)["📥 Tải Excel"])
        await tg.api.wait_for(lambda: tg.api.documents, what="the .xlsx")

    rows = list(openpyxl.load_workbook(io.BytesIO(tg.api.documents[0][1])).active.iter_rows(values_only=True))
    numbered = {int(n): text for n, text in re.findall(r"^(\d+)\. [^—]+ — (.+)$", page_one, re.M)}
    by_stt = {row[0]: (row[3] or row[2]).split("\n")[0] for row in rows[3:]}  # a page shows an activity line by line
    assert len(numbered) >= 6 and {n: by_stt[n] for n in numbered} == numbered


async def test_an_old_answers_buttons_work_after_twenty_newer_ones(tg) -> None:
    official = tg.user("Nhung")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        [old] = await tg.ask(official, LONG)
        for _ in range(21):
            await tg.ask(official, "Ai chủ trì việc đo lường sự hài lòng của người dân ở Nam Định?")
        await tg.api.press(official, old, buttons(old)["▶"])
        await tg.api.wait_for(lambda: "Trang 2/" in old["text"], what="page 2 of the old answer")
        await tg.api.press(official, old, buttons(old)["📥 Tải Excel"])
        await tg.api.wait_for(lambda: tg.api.documents, what="the old answer's .xlsx")

    assert tg.api.documents[0][0].startswith("nhiem-vu-so-noi-vu")
