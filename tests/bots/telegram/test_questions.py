"""Free questions: cited rows, «Xem dòng» and /row_<id>, follow-ups, 👍/👎, long answers, HTML in documents."""

from __future__ import annotations

import copy
import re
import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

from bots.telegram import texts

QUESTION = "Ai chủ trì rà soát văn bản quy phạm pháp luật ở Nam Định?"


def forward_of(message: dict) -> str | None:
    buttons = [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
    return next((b["callback_data"] for b in buttons if b["text"] == "▶"), None)


def data_of(message: dict) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row]


async def test_question_answered_with_citations_row_button_and_row_command(tg, index) -> None:
    official = tg.user("Hương")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id])):
        [answer] = await tg.ask(official, QUESTION)
        row_id = next(d.split(":", 1)[1] for d in data_of(answer) if d.startswith("row:"))
        before = len(tg.api.bot_messages(official.id))
        await tg.api.press(official, answer, f"row:{row_id}")
        by_button = (await tg.api.wait_for_messages(official.id, before + 1))[-1]
        await tg.api.send_text(official, f"/row_{row_id}")
        by_command = (await tg.api.wait_for_messages(official.id, before + 2))[-1]
        await tg.api.send_text(official, "/row_namdinh2022_00000000")
        unknown = (await tg.api.wait_for_messages(official.id, before + 3))[-1]

    # the answer: a reply, cited rows, "typing…" first
    # a lookup is a fact card: the task, its labelled fields, its one source
    assert tg.lines([answer]) == tg.expected_page(QUESTION)
    assert "• Chủ trì: " in answer["text"] and "— KH CCHC 2022 Nam Định, I › " in answer["text"]
    assert f"/row_{row_id} — " in answer["text"]
    assert data_of(answer)[-2:] == [d for d in data_of(answer) if d.startswith("fb:")]
    typing = [i for i, c in enumerate(tg.api.calls) if c.method == "sendChatAction" and c.params["action"] == "typing"]
    sent = [i for i, c in enumerate(tg.api.calls)
            if c.method == "sendMessage" and c.result["message_id"] == answer["message_id"]]
    assert typing and typing[0] < sent[0]

    # the row, in full, with the document's own column headings
    row = index.get(row_id)
    assert by_button["text"] == by_command["text"]
    assert by_button["text"].startswith(f"📄 {row.label}")
    for cell in row.cells:
        if cell.text.strip():
            assert f"{cell.heading}: {cell.text}" in by_button["text"]
    assert by_button["reply_to_message"]["message_id"] == answer["message_id"]
    assert unknown["text"] == "Không có dòng nào mang mã «namdinh2022_00000000» trong chỉ mục."
    assert not tg.api.failures()


async def test_follow_up_keeps_the_chat_context_and_other_chats_do_not(tg) -> None:
    official, other = tg.user("Quang"), tg.user("Vy")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id, other.id])):
        first = await tg.ask(official, "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý IV/2022?")
        follow_up = await tg.ask(official, "Còn Sở Tư pháp thì sao?")
        elsewhere = await tg.ask(other, "Còn Sở Tư pháp thì sao?")

    question = "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý IV/2022?"
    assert tg.lines(first) == tg.expected_page(question)
    assert tg.lines(follow_up) == tg.expected_page(question, "Còn Sở Tư pháp thì sao?")
    assert tg.lines(follow_up)[0].startswith("Sở Tư pháp, quý IV/2022")
    assert tg.lines(elsewhere) == tg.expected_page("Còn Sở Tư pháp thì sao?") != tg.lines(follow_up)
    assert not tg.api.failures()


async def test_feedback_buttons_store_a_rating_once(tg) -> None:
    official = tg.user("Đức")
    settings = tg.settings(telegram_allowed_ids=[official.id])
    async with tg.bot(settings):
        [answer] = await tg.ask(official, QUESTION)
        up = next(d for d in data_of(answer) if d.startswith("fb:up:"))
        as_first_shown = copy.deepcopy(answer)  # a quick second tap still sees the buttons
        first = await tg.api.press(official, answer, up)
        await tg.api.wait_for(lambda: not any(d.startswith("fb:") for d in data_of(answer)),
                              what="feedback buttons removed")  # `answer` is the server's live copy
        second = await tg.api.press(official, as_first_shown, up)
        await tg.api.wait_for(lambda: not {first, second} & tg.api.open_queries, what="both presses answered")

    [stored] = tg.feedback(settings).all()
    assert (stored.channel, stored.rating, stored.question) == ("telegram", "up", QUESTION)
    assert [line for line in stored.answer.split("\n") if line.strip()] == tg.expected(QUESTION)
    assert stored.today == tg.TODAY
    assert stored.citations and f"row:{stored.citations[0]}" in data_of(answer)  # the fact card's one source
    assert stored.session == f"telegram:{official.id}"
    answers = {c.params["callback_query_id"]: c.params.get("text") for c in tg.api.called("answerCallbackQuery")}
    assert answers == {first: texts.THANKS_UP, second: texts.ALREADY_RATED}
    remaining = data_of(tg.api.chats[official.id].messages[answer["message_id"]])
    assert remaining and not any(d.startswith("fb:") for d in remaining) and any(d.startswith("row:") for d in remaining)
    assert not tg.api.failures()


class LongAnswers:
    """The real assistant, except that one question gets a 10,000-character answer."""

    TRIGGER = "Cho tôi câu trả lời thật dài"

    def __init__(self, real: Any):
        self.real = real
        self.search = real.search
        self.text = "\n".join(
            f"{n}. Rà soát <văn bản> QPPL & thủ tục «một cửa» — Sở Nội vụ [KH CCHC 2022 Hà Tĩnh, IV.{n}]"
            for n in range(1, 200)
        )[:10_000]

    def ask(self, question: str, today: dt.date | None = None, session: str | None = None, **context: Any):
        answer = self.real.ask(QUESTION, today=today, session=session)
        if question == self.TRIGGER:  # a long text with no listing structure: paged by its text
            return answer.model_copy(update={"answer": self.text, "blocks": []})
        return self.real.ask(question, today=today, session=session, **context)


async def test_a_ten_thousand_character_answer_is_one_message_paged_in_place(tg, assistant) -> None:
    official = tg.user("Long")
    long = LongAnswers(assistant)
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id]), assistant=long):
        [message] = await tg.ask(official, LongAnswers.TRIGGER)
        seen = [message["text"]]
        while (forward := forward_of(message)) and len(seen) < 10:  # the last page has no ▶
            await tg.api.press(official, message, forward)
            await tg.api.wait_for(lambda: message["text"] != seen[-1], what="page edited")
            seen.append(message["text"])

    assert len(seen) == 4 and len(tg.api.bot_messages(official.id)) == 1  # one message, edited
    assert all(len(text) <= 4096 for text in seen)
    body = "\n".join(re.split(r"\n+(?:Nguồn \(bấm mã|Trang \d+/\d+)", text)[0] for text in seen)
    assert body.replace("\n\n", "\n") == long.text  # every line, in order, escaped and unescaped back exactly
    assert not tg.api.failures()


def _tiny_corpus(root: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "manifest.toml").write_text(textwrap.dedent("""
        [[plan]]
        id = "thunghiem2022"
        file = "thu-nghiem.txt"
        province = "Hà Tĩnh"
        year = 2022
        title = "Kế hoạch thử nghiệm <b>in đậm</b> & ký tự đặc biệt"
        short_title = "KH thử <b> & <script>"
        layout = "tsv"
        columns = ["section", "task", "activity", "lead", "coordinating", "period", "budget"]
    """), encoding="utf-8")
    heading = "\t".join(["Nhiệm vụ", "Nhiệm vụ cụ thể", "Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp",
                         "Thời gian thực hiện", "Kinh phí dự kiến"])
    row = "\t".join(["<b>I. Cải cách thể chế</b>",
                     "1. Rà soát &lt;b&gt;văn bản&lt;/b&gt; &amp; quy trình khi a < b, c > d",
                     "1.1 Báo cáo &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;i&gt;rà soát&lt;/i&gt;",
                     "Sở Nội vụ", "Sở Tư pháp", "Quý IV/2022",
                     "Kinh phí thường xuyên"])
    (corpus / "thu-nghiem.txt").write_text(f"**Phụ lục**\n\n{heading}\n{row}\n", encoding="utf-8")
    return corpus


async def test_html_in_documents_is_shown_as_text(tg, tmp_path) -> None:
    from service.wiring import build, build_assistant, open_index

    settings = tg.base.model_copy(update={"corpus_dir": _tiny_corpus(tmp_path), "data_dir": tmp_path / "tiny-index"})
    report = build(settings)
    assert not report.failed, [d.error for d in report.documents]
    tiny = build_assistant(settings, open_index(settings))
    official = tg.user("Mai")
    async with tg.bot(tg.settings(telegram_allowed_ids=[official.id]), assistant=tiny):
        await tg.api.send_text(official, "/start")
        [greeting] = await tg.api.wait_for_messages(official.id, 1)
        [answer] = await tg.ask(official, "Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý IV/2022?")
        row_id = next(d.split(":", 1)[1] for d in data_of(answer) if d.startswith("row:"))
        await tg.api.press(official, answer, f"row:{row_id}")
        row = (await tg.api.wait_for_messages(official.id, 3))[-1]

    assert "KH thử <b> & <script> — Kế hoạch thử nghiệm <b>in đậm</b> & ký tự đặc biệt" in greeting["text"]
    # Escaped markup in a cell is markup, decoded then removed (never live tags); «a < b» stays text.
    assert "1. Quý IV/2022 — 1.1 Báo cáo alert(1) & rà soát" in answer["text"]
    assert "Báo cáo alert(1) &amp; rà soát" in answer["raw_html"]
    assert "Nhiệm vụ cụ thể: 1. Rà soát văn bản & quy trình khi a < b, c > d" in row["text"]
    assert "quy trình khi a &lt; b, c &gt; d" in row["raw_html"]
    assert "Sản phẩm: 1.1 Báo cáo alert(1) & rà soát" in row["text"]
    assert not tg.api.failures(), [c.error for c in tg.api.failures()]
