"""Pure functions: the HTML splitter, escaping of document text, answers, rows, keyboards."""

from __future__ import annotations

import random
import re

import pytest

from assistant.contract import Answer, Citation, Intent, Query
from bots.telegram import keyboards
from bots.telegram.formatting import (
    MAX_MESSAGE,
    answer_html,
    escape,
    record_html,
    split_html,
    utf16_len,
    visible_text,
)
from indexer.agencies import AgencyTable
from indexer.records import Cell, Period, PeriodKind, RowRecord

_TAG = re.compile(r"<(/?)([a-z-]+)[^>]*>")


def balanced(chunk: str) -> bool:
    stack: list[str] = []
    for closing, name in _TAG.findall(chunk):
        if closing:
            if not stack or stack.pop() != name:
                return False
        else:
            stack.append(name)
    return not stack


def long_answer_html(lines: int = 108) -> str:
    """About 10,000 characters of realistic answer HTML: bold titles, escaped document text."""
    out = []
    for number in range(lines):
        if number % 20 == 0:
            out.append(f"<b>Chủ trì, đến hạn trong quý {number // 20 + 1}:</b>")
        line = f'{number}. Rà soát <văn bản> QPPL & thủ tục "một cửa" — Sở Nội vụ [KH CCHC 2022, IV.{number}]'
        out.append(escape(line))
    return "\n".join(out)


def test_short_text_is_one_message_and_empty_is_none() -> None:
    assert split_html("<b>Xin chào</b>") == ["<b>Xin chào</b>"]
    assert split_html("") == []
    assert split_html("\n \n") == []


def test_ten_thousand_characters_split_at_line_ends(fake) -> None:
    text = long_answer_html()
    assert 10_000 <= len(text) <= 10_200
    chunks = split_html(text)
    assert len(chunks) == 3
    original_lines = text.split("\n")
    rebuilt: list[str] = []
    for number, chunk in enumerate(chunks):
        assert utf16_len(chunk) <= MAX_MESSAGE
        assert utf16_len(fake.parse_html(chunk)) <= MAX_MESSAGE  # Telegram's parser accepts it
        assert balanced(chunk)
        if number + 1 < len(chunks):  # greedy: the next line would not have fitted
            assert utf16_len(chunk + "\n" + chunks[number + 1].split("\n")[0]) > MAX_MESSAGE
        rebuilt += chunk.split("\n")
    # whole lines only, in order, nothing lost, nothing repeated
    assert rebuilt == original_lines


def test_a_tag_open_at_the_cut_is_closed_and_reopened(fake) -> None:
    text = "<b>" + " ".join(f"từ{n}" for n in range(3000)) + "</b>\nhết"
    chunks = split_html(text, limit=1000)
    assert len(chunks) > 10
    for chunk in chunks:
        assert utf16_len(chunk) <= 1000
        assert balanced(chunk)
        fake.parse_html(chunk)
    assert all(chunk.startswith("<b>") for chunk in chunks[:-1])
    assert " ".join(visible_text(c) for c in chunks).split() == visible_text(text).split()


def test_never_cuts_inside_an_entity_or_a_tag() -> None:
    for limit in range(256, 300):
        text = "x" * 250 + "&amp;" * 40 + '<a href="https://example.gov.vn/a?b=1&amp;c=2">liên kết</a>' + "&lt;" * 60
        for chunk in split_html(text, limit=limit):
            assert utf16_len(chunk) <= limit
            assert not re.search(r"&[#\w]*$", chunk), chunk[-10:]  # no entity cut at the end
            assert not re.match(r"^[#\w]*;", chunk)  # nor at the start
            assert chunk.count("<") == chunk.count(">")
            assert balanced(chunk)


def test_a_word_longer_than_a_message_is_still_cut(fake) -> None:
    text = "đ" * 9000
    chunks = split_html(text)
    assert [len(c) for c in chunks] == [4096, 4096, 808]
    assert "".join(chunks) == text


def test_emoji_count_twice() -> None:
    text = "👍" * 3000  # 6,000 UTF-16 units
    chunks = split_html(text)
    assert len(chunks) == 2
    assert all(utf16_len(c) <= MAX_MESSAGE for c in chunks)
    assert "".join(chunks) == text


def test_random_documents_always_fit(fake) -> None:
    rng = random.Random(7)
    words = ["Sở", "Nội", "vụ", "&lt;b&gt;", "&amp;", "<b>đậm</b>", "<i>nghiêng</i>", "👍", "\n", "\n\n", "x" * 70]
    for _ in range(40):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(100, 3000)))
        limit = rng.choice([300, 1000, MAX_MESSAGE])
        chunks = split_html(text, limit=limit)
        for chunk in chunks:
            assert utf16_len(chunk) <= limit
            fake.parse_html(chunk)
        assert " ".join(visible_text(c) for c in chunks).split() == visible_text(text).split()


def test_limit_too_small_is_refused() -> None:
    with pytest.raises(ValueError):
        split_html("x", limit=10)


def _row(cells: list[Cell]) -> RowRecord:
    return RowRecord(
        id="thu2022_1a2b3c4d", document="thu2022", province="Hà Tĩnh", year=2022,
        section="I. Cải cách <thể chế> & pháp luật", label="KH thử 2022, I › 1.1",
        period=Period(text="Quý IV/2022", kind=PeriodKind.DATED), cells=cells,
        text="\n".join(f"{c.heading}: {c.text}" for c in cells), lines=(7, 7),
    )


def test_row_shows_every_cell_under_its_heading_escaped(fake) -> None:
    row = _row([Cell(heading="Nhiệm vụ", text="Rà soát <b>văn bản</b> <script>alert(1)</script>"),
                Cell(heading="Cơ quan chủ trì", text="Sở Tư pháp & Sở Nội vụ")])
    rendered = record_html(row)
    assert "<script>" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    seen = fake.parse_html(rendered)
    assert "Nhiệm vụ: Rà soát <b>văn bản</b> <script>alert(1)</script>" in seen
    assert "Cơ quan chủ trì: Sở Tư pháp & Sở Nội vụ" in seen
    assert "I. Cải cách <thể chế> & pháp luật" in seen


def _answer(text: str, citations: list[Citation]) -> Answer:
    query = Query(question="q", today="2022-11-01", intent=Intent.LISTING)
    return Answer(answer=text, found=bool(citations), citations=citations, query=query)


def test_answer_bolds_group_titles_and_lists_row_commands(fake) -> None:
    citation = Citation(id="hatinh2022_76389adf", label="KH CCHC 2022 Hà Tĩnh, IV.1 › 3.3", province="Hà Tĩnh",
                        year=2022, section="IV", row="3.3", text="…")
    text = ("Sở Nội vụ, quý IV/2022 — KH CCHC 2022 Hà Tĩnh: 1 nhiệm vụ.\n"
            "Chủ trì, đến hạn trong quý IV/2022:\n"
            "1. Xây dựng <Đề án> & kế hoạch; thời hạn: Quý IV/2022 [KH CCHC 2022 Hà Tĩnh, IV.1 › 3.3]")
    rendered = answer_html(_answer(text, [citation]), title="Câu hỏi: Sở Nội vụ có những nhiệm vụ gì trong quý này?")
    assert "<b>Sở Nội vụ, quý IV/2022 — KH CCHC 2022 Hà Tĩnh: 1 nhiệm vụ.</b>" in rendered
    assert "<b>Chủ trì, đến hạn trong quý IV/2022:</b>" in rendered
    assert "1. Xây dựng &lt;Đề án&gt; &amp; kế hoạch" in rendered
    assert "/row_hatinh2022_76389adf — KH CCHC 2022 Hà Tĩnh, IV.1 › 3.3" in rendered
    assert fake.parse_html(rendered).startswith("Câu hỏi: Sở Nội vụ có những nhiệm vụ gì trong quý này?")


def test_callback_data_fits_64_bytes_for_every_agency_and_province() -> None:
    table = AgencyTable.load()
    longest = max((a for a in table.all() if not a.collective), key=lambda a: len(a.id))
    markup = keyboards.province_choices(longest.id, [f"Bà Rịa - Vũng Tàu {n}" for n in range(70)])
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    data += [b.callback_data for row in keyboards.agency_choices(table.all()[:6]).inline_keyboard for b in row]
    assert all(1 <= len(d.encode()) <= 64 for d in data)
    with pytest.raises(ValueError):
        keyboards.callback_data("row", "x" * 70)


def test_page_keyboard_has_a_row_button_per_row_pages_excel_and_feedback() -> None:
    rows = [(n + 1, f"hatinh2022_{n:08x}", f"KH CCHC 2022 Hà Tĩnh, IV.{n} › 3.{n}") for n in range(5)]
    markup = keyboards.page_keyboard(rows, 1, 3, "abcd1234")
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert data == [f"row:hatinh2022_{n:08x}" for n in range(5)] + [
        "pg:abcd1234:0", "pj:abcd1234", "pg:abcd1234:2", "xl:abcd1234", "fb:up:abcd1234", "fb:down:abcd1234"]
    assert [b.text for row in markup.inline_keyboard for b in row][:2] == ["📄 1", "📄 2"]
    rated = keyboards.without_feedback(markup)
    assert [b.callback_data for row in rated.inline_keyboard for b in row][-1] == "xl:abcd1234"


def test_no_arrow_leads_nowhere_and_the_counter_lists_every_page() -> None:
    def paging(page: int, pages: int) -> list[str]:
        markup = keyboards.page_keyboard([], page, pages, "k")
        return [b.text for row in markup.inline_keyboard for b in row if (b.callback_data or "").startswith(("pg:", "pj:"))]

    assert paging(0, 3) == ["1/3 ☰", "▶"] and paging(2, 3) == ["◀", "3/3 ☰"] and paging(1, 3) == ["◀", "2/3 ☰", "▶"]
    jump = keyboards.jump_keyboard("k", 7, 8)
    buttons = [(b.text, b.callback_data) for row in jump.inline_keyboard for b in row]
    assert buttons[:2] == [("1", "pg:k:0"), ("2", "pg:k:1")] and ("· 8 ·", "pg:k:7") in buttons
    assert buttons[-1] == ("↩ Quay lại", "pg:k:7")
