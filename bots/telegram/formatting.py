"""Telegram HTML for answers and rows, and the splitter that keeps every message under the limit.

Everything that comes from a document or a user is passed through :func:`escape`; the only tags
this module writes are ``<b>`` and ``<i>``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from assistant.contract import Answer
from indexer.records import ProseSection, RowRecord

MAX_MESSAGE = 4096  # Telegram's limit, in UTF-16 code units
ROW_COMMAND = "row"

# A tag, an entity, a line break, a run of other blanks, a piece of a word (at most 64
# characters, so an endless "word" can still be cut), or any single leftover character.
_TOKEN = re.compile(r"<[^<>]*>|&#?[A-Za-z0-9]+;|\n|[^\S\n]+|[^<&\s]{1,64}|.", re.DOTALL)
_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)[^<>]*>")
_GROUP_TITLE = re.compile(r"^[^\d\s\-•].{2,200}:$")
_LISTING_HEAD = re.compile(r" — .+: \d+ nhiệm vụ\.$")

Stack = tuple[tuple[str, str], ...]  # (tag name, opening tag as written), outermost first


def escape(text: str) -> str:
    """Text from documents or users, made inert for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def visible_text(fragment: str) -> str:
    """What a user sees of an HTML fragment: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", fragment))


# -- splitting ---------------------------------------------------------------------------------


def _after(stack: Stack, token: str) -> Stack:
    match = _TAG.fullmatch(token)
    if not match:
        return stack
    closing, name = match.group(1), match.group(2).lower()
    if not closing:
        return (*stack, (name, token))
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth][0] == name:
            return stack[:depth]
    return stack


def _opening(stack: Stack) -> str:
    return "".join(tag for _, tag in stack)


def _closing(stack: Stack) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _cut_point(tokens: list[str]) -> tuple[int, int]:
    """(end of the first message, tokens dropped there): the last line break, else the last blank,
    else everything gathered so far."""
    for wanted in ("\n", None):
        for index in range(len(tokens) - 1, -1, -1):
            token = tokens[index]
            if (token == "\n") if wanted else (token.isspace() and token != "\n"):
                return index, 1
    return len(tokens), 0


def split_html(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Cut Telegram HTML into messages of at most ``limit`` UTF-16 units, at line ends when possible.

    Never cuts inside a tag or an entity. A tag still open at a cut is closed at the end of that
    message and opened again at the start of the next one. Whitespace-only pieces are dropped.
    """
    if limit < 256:
        raise ValueError(f"limit must leave room for a line of text, got {limit}")
    chunks: list[str] = []
    opened: Stack = ()  # tags open where the current message starts
    tokens: list[str] = []
    stacks: list[Stack] = []  # tags open after each gathered token
    size = 0

    def emit(end: int, skip: int) -> None:
        nonlocal opened, tokens, stacks, size
        end_stack = stacks[end - 1] if end else opened
        body = "".join(tokens[:end]).strip("\n")
        chunk = _opening(opened) + body + _closing(end_stack)
        if visible_text(chunk).strip():
            chunks.append(chunk)
        if end + skip:
            opened = stacks[end + skip - 1]
        tokens, stacks = tokens[end + skip:], stacks[end + skip:]
        size = utf16_len(_opening(opened)) + sum(utf16_len(t) for t in tokens)

    for token in _TOKEN.findall(text):
        stack = _after(stacks[-1] if stacks else opened, token)
        cost = utf16_len(token)
        while tokens and size + cost + utf16_len(_closing(stack)) > limit:
            emit(*_cut_point(tokens))
            stack = _after(stacks[-1] if stacks else opened, token)
        if not tokens:
            size = utf16_len(_opening(opened))
            if size + cost + utf16_len(_closing(stack)) > limit:
                raise ValueError("a single tag does not fit in one message")
        tokens.append(token)
        stacks.append(stack)
        size += cost
    emit(len(tokens), 0)
    return chunks


# -- answers and rows --------------------------------------------------------------------------


def _answer_line(line: str) -> str:
    text = escape(line)
    stripped = line.strip()
    if stripped and (_GROUP_TITLE.match(stripped) or _LISTING_HEAD.search(stripped)):
        return f"<b>{text}</b>"
    return text


def answer_html(answer: Answer, title: str | None = None) -> str:
    """The assistant's answer, its group titles in bold, then one /row_<id> command per source.

    ``title`` (the question the bot asked on the user's behalf, /quynay …) is shown first.
    """
    lines: list[str] = []
    if title:
        lines += [f"<i>{escape(title)}</i>", ""]
    lines += [_answer_line(line) for line in answer.answer.splitlines()]
    if answer.citations:
        lines += ["", "<b>Nguồn</b> (bấm mã để xem nguyên văn dòng):"]
        lines += [f"/{ROW_COMMAND}_{c.id} — {escape(c.label)}" for c in answer.citations]
    return "\n".join(lines).strip()


def _cells(pairs: Iterable[tuple[str, str]]) -> list[str]:
    return [f"<b>{escape(heading)}:</b> {escape(text)}" for heading, text in pairs if text.strip()]


def record_html(record: RowRecord | ProseSection) -> str:
    """A cited row in full, cell by cell under the document's own column headings."""
    lines = [f"<b>📄 {escape(record.label)}</b>", f"<i>{escape(record.section)}</i>", ""]
    if isinstance(record, ProseSection):
        lines += [f"<b>{escape(record.heading)}</b>", escape(record.text)]
    elif isinstance(record, RowRecord) and record.cells:
        lines += _cells((cell.heading or "Cột", cell.text) for cell in record.cells)
    else:
        lines.append(escape(record.text))
    lines += ["", f"<i>Dòng {record.lines[0]}–{record.lines[1]} của văn bản gốc · mã {escape(record.id)}</i>"]
    return "\n".join(lines)


def bullet_list(items: Iterable[str]) -> str:
    """Already-escaped items as a bulleted list."""
    return "\n".join(f"• {item}" for item in items)
