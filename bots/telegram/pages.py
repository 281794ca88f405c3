"""A long answer as pages of one Telegram message, browsed with ◀ ▶ by editing it.

Pages are cut from the answer's blocks, never from its text, and filled by length: a group goes
on where the previous one ended, and a page ends only when the next item would push it over
Telegram's limit. Items are numbered continuously across groups, in the order the Excel file
numbers them (STT). Each page repeats its plan heading and its group title ("(tiếp)" when the
group continues) and ends with its sources in a collapsed blockquote, each a /row_<id> command.
A lookup's fact card is a short labelled list with its one source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.contract import Answer, FactCardBlock, GroupBlock, HeadingBlock, Item, NoteBlock, Severity, SummaryBlock
from bots.telegram.formatting import ROW_COMMAND, answer_html, escape, split_html, utf16_len

PAGE_LIMIT = 3900  # UTF-16 units of a whole page, sources and page line included, under Telegram's 4096
PAGE_ITEMS = 12  # «📄 n» buttons: three lines of four
TEXT_PAGE_BUDGET = 3300  # a non-listing answer is cut here, leaving room for its sources


@dataclass
class Page:
    lines: list[str] = field(default_factory=list)
    rows: list[tuple[int, str, str]] = field(default_factory=list)  # (number, record id, label)

    def html(self, number: int, total: int) -> str:
        body = "\n".join(self.lines).strip()
        if self.rows:
            sources = "\n".join(f"{n}. /{ROW_COMMAND}_{rid} — {escape(label)}" for n, rid, label in self.rows)
            body += f"\n\n<blockquote expandable><b>Nguồn</b> (bấm mã để xem nguyên văn):\n{sources}</blockquote>"
        if total > 1:
            body += f"\n\n<i>Trang {number}/{total}</i>"
        return body

    def fits(self, lines: list[str], row: tuple[int, str, str] | None) -> bool:
        trial = Page([*self.lines, *lines], [*self.rows, *([row] if row else [])])
        return len(trial.rows) <= PAGE_ITEMS and utf16_len(trial.html(99, 99)) <= PAGE_LIMIT


def _item_html(number: int, item: Item, with_lead: bool) -> str:
    deadline = item.deadline_label or item.deadline or "Không ghi thời hạn"
    line = f"{number}. <b>{escape(deadline)}</b> — {escape(item.activity or item.task)}"
    if with_lead and item.lead:
        line += f"\n   <i>Chủ trì: {escape(item.lead)}</i>"
    if item.product:
        line += f"\n   <i>Sản phẩm: {escape(item.product)}</i>"
    return line


def numbered_ids(answer: Answer) -> list[str]:
    """Record ids in the order the pages number them (1, 2, …): group items first, then any other
    citation. The Excel file of the answer lists its rows in this order."""
    ordered = dict.fromkeys(item.id for block in answer.blocks if isinstance(block, GroupBlock) for item in block.items)
    ordered.update(dict.fromkeys(c.id for c in answer.citations))
    return list(ordered)


class _ListingPager:
    """Fills pages one item at a time; a page break repeats the heading and the group title."""

    def __init__(self, opening: list[str]):
        self.pages: list[Page] = []
        self.opening = opening
        self.heading = ""
        self.group = ""

    def _start(self, continued: bool) -> Page:
        page = Page(lines=list(self.opening) if not self.pages else [])
        if self.heading:
            page.lines.append(f"<b>{escape(self.heading)}</b>")
        if self.group and continued:
            page.lines.append(f"<b>{escape(self.group)} (tiếp):</b>")
        self.pages.append(page)
        return page

    def heading_line(self, text: str) -> None:
        self.heading, self.group = text, ""
        if self.pages and self.pages[-1].fits(["", f"<b>{escape(text)}</b>"], None):
            self.pages[-1].lines += ["", f"<b>{escape(text)}</b>"]
        else:
            self._start(continued=False)

    def line(self, text: str) -> None:
        """A line under the current heading (the deadline summary)."""
        (self.pages[-1] if self.pages else self._start(continued=False)).lines.append(text)

    def add(self, group_line: str | None, line: str, row: tuple[int, str, str]) -> None:
        """An item, after its group's title when it is the group's first."""
        extra = [group_line] if group_line else []
        page = self.pages[-1] if self.pages else self._start(continued=False)
        if not page.fits([*extra, line], row):
            page = self._start(continued=not extra)
        page.lines += [*extra, line]
        page.rows.append(row)


def _listing_pages(answer: Answer, title_line: str | None) -> list[Page]:
    # A warning (the asked period is outside every plan) comes first; other notes close the answer.
    warnings = [f"⚠️ {escape(b.text)}" for b in answer.blocks if b.type == "note" and b.severity.value == "warning"]
    notes = [escape(b.text) for b in answer.blocks if b.type == "note" and b.severity.value != "warning"]
    pager = _ListingPager([*([title_line] if title_line else []), *warnings])
    numbers = {record_id: n for n, record_id in enumerate(numbered_ids(answer), start=1)}
    for block in answer.blocks:
        if isinstance(block, HeadingBlock):
            pager.heading_line(block.text)
        elif isinstance(block, SummaryBlock):
            pager.line(f"<i>{escape(block.text)}</i>")
        elif isinstance(block, GroupBlock):
            pager.group = block.title
            with_lead = block.kind.value not in ("due", "overdue", "ongoing", "guidance", "lead")
            for index, item in enumerate(block.items):
                number = numbers.get(item.id, 0)
                group_line = f"<b>{escape(block.title)} ({block.count}):</b>" if index == 0 else None
                pager.add(group_line, _item_html(number, item, with_lead), (number, item.id, item.label))
    if pager.pages and notes:
        pager.pages[-1].lines += ["", *notes]
    return pager.pages


def _card_page(answer: Answer, card: FactCardBlock, title_line: str | None) -> Page:
    lines = [*([title_line] if title_line else []), f"<b>{escape(card.title)}</b>"]
    lines += [f"• <b>{escape(f.label)}:</b> {escape(f.value)}" for f in card.fields]
    # A caveat keeps its «Lưu ý:» (the web shows it by colour); «Đã hiểu» is plain information.
    lines += [escape(b.text if b.severity is Severity.INFO else f"Lưu ý: {b.text}")
              for b in answer.blocks if isinstance(b, NoteBlock)]
    label = next((c.label for c in answer.citations if c.id == card.citation), card.source)
    return Page(lines=lines, rows=[(1, card.citation, label)])


def answer_pages(answer: Answer, title: str | None = None) -> list[Page]:
    """Pages of a listing from its groups; a fact card as one page; any other answer as one page
    (cut only if too long). ``title`` (in italics) opens the first page."""
    title_line = f"<i>{escape(title)}</i>\n" if title else None
    if any(isinstance(b, GroupBlock) for b in answer.blocks):
        return _listing_pages(answer, title_line)
    cards = [b for b in answer.blocks if isinstance(b, FactCardBlock)]
    if len(cards) == 1:
        page = _card_page(answer, cards[0], title_line)
        if utf16_len(page.html(1, 1)) <= PAGE_LIMIT:
            return [page]
    text = answer_html(answer.model_copy(update={"citations": []}), title=title)
    chunks = split_html(text, limit=TEXT_PAGE_BUDGET)
    pages = [Page(lines=[chunk]) for chunk in chunks]
    pages[0].rows = [(n, c.id, c.label) for n, c in enumerate(answer.citations, start=1)]
    return pages
