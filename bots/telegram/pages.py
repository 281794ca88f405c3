"""A long answer as pages of one Telegram message, browsed with ◀ ▶ by editing it.

Pages are cut from the answer's blocks, never from its text: each page repeats its plan heading
and its group title ("(tiếp)" when the group continues), numbers items as the answer does, and
ends with the page's sources in a collapsed blockquote, each a /row_<id> command.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.contract import Answer, GroupBlock, HeadingBlock, Item
from bots.telegram.formatting import ROW_COMMAND, answer_html, escape, split_html, utf16_len

PAGE_ITEMS = 6  # a phone screen or two; six buttons fit on two lines
PAGE_BUDGET = 3300  # UTF-16 units of body text, leaving room for the sources quote under 4096


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


def _item_html(number: int, item: Item, with_lead: bool) -> str:
    line = f"{number}. <b>{escape(item.deadline or 'Không ghi thời hạn')}</b> — {escape(item.activity or item.task)}"
    if with_lead and item.lead:
        line += f"\n   <i>Chủ trì: {escape(item.lead)}</i>"
    if item.product:
        line += f"\n   <i>Sản phẩm: {escape(item.product)}</i>"
    return line


def _listing_pages(answer: Answer, title_line: str | None) -> list[Page]:
    numbers = {c.id: n for n, c in enumerate(answer.citations, start=1)}
    pages: list[Page] = []
    heading = ""
    # A warning (the asked period is outside every plan) comes first; other notes close the answer.
    warnings = [f"⚠️ {escape(b.text)}" for b in answer.blocks if b.type == "note" and b.severity.value == "warning"]
    notes = [escape(b.text) for b in answer.blocks if b.type == "note" and b.severity.value != "warning"]

    def new_page(title: str) -> Page:
        page = Page(lines=[title_line] if title_line and not pages else [])
        if not pages:
            page.lines += warnings
        page.lines += [f"<b>{escape(heading)}</b>", f"<b>{escape(title)}</b>"]
        pages.append(page)
        return page

    for block in answer.blocks:
        if isinstance(block, HeadingBlock):
            heading = block.text
        elif isinstance(block, GroupBlock):
            page = new_page(f"{block.title} ({block.count}):")
            with_lead = block.kind.value not in ("due", "ongoing", "guidance", "lead")
            for item in block.items:
                line = _item_html(numbers.get(item.id, 0), item, with_lead)
                if len(page.rows) >= PAGE_ITEMS or utf16_len("\n".join([*page.lines, line])) > PAGE_BUDGET:
                    page = new_page(f"{block.title} (tiếp):")
                page.lines.append(line)
                page.rows.append((numbers.get(item.id, 0), item.id, item.label))
    if pages and notes:
        pages[-1].lines += ["", *notes]
    return pages


def answer_pages(answer: Answer, title: str | None = None) -> list[Page]:
    """Pages of a listing from its groups; any other answer as one page (cut only if too long).
    ``title`` (in italics) opens the first page."""
    title_line = f"<i>{escape(title)}</i>\n" if title else None
    if any(isinstance(b, GroupBlock) for b in answer.blocks):
        return _listing_pages(answer, title_line)
    text = answer_html(answer.model_copy(update={"citations": []}), title=title)
    chunks = split_html(text, limit=PAGE_BUDGET)
    pages = [Page(lines=[chunk]) for chunk in chunks]
    pages[0].rows = [(n, c.id, c.label) for n, c in enumerate(answer.citations, start=1)]
    return pages
