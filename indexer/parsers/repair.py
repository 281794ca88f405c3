"""Cell-level repairs for rows whose columns are shifted, missing or packed into paragraphs."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from indexer.vntext import fold, strip_html

TEXT_ROLES = {"section", "target", "task", "activity", "product"}
_BARE_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.?$")
_TASK_NUMBER = re.compile(r"^\d+\.\s")
_ACTIVITY_NUMBER = re.compile(r"^\d+\.\d+")
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL | re.IGNORECASE)


def _slot_for(text: str, roles: list[str]) -> str | None:
    plain = strip_html(text)
    if _ACTIVITY_NUMBER.match(plain) and "activity" in roles:
        return "activity"
    if _TASK_NUMBER.match(plain) and "task" in roles:
        return "task"
    return None


def merge_bare_numbers(cells: list[str], roles: list[str]) -> tuple[list[str], bool]:
    """A cell holding only a row number ("7.1") in a text column belongs to the text after it.

    Returns the repaired cells and whether anything changed.
    """
    text_count = 0
    for role in roles:
        if role not in TEXT_ROLES:
            break
        text_count += 1
    bare = next(
        (i for i in range(min(text_count, len(cells))) if _BARE_NUMBER.match(strip_html(cells[i]))),
        None,
    )
    if bare is None:
        return cells, False
    number = strip_html(cells[bare]).rstrip(".")
    merged = cells[:bare] + cells[bare + 1 :]
    target = next((i for i in range(bare, len(merged)) if strip_html(merged[i])), None)
    if target is None:
        return cells, False
    merged[target] = f"{number} {merged[target]}"
    leading, tail = merged[: target + 1], merged[target + 1 :]
    slots = [""] * text_count
    free = 0
    for cell in leading:
        if not strip_html(cell):
            continue
        role = _slot_for(cell, roles[:text_count])
        index = roles.index(role) if role else None
        if index is None or slots[index]:
            while free < text_count and slots[free]:
                free += 1
            index = min(free, text_count - 1)
        slots[index] = cell
    return slots + tail, True


def fit_width(
    cells: list[str], roles: list[str], score: Callable[[list[str]], float]
) -> tuple[list[str], str | None]:
    """Pad short rows; drop the spurious empty cell of long rows (the one that scores best)."""
    width = len(roles)
    if len(cells) <= width:
        note = "thiếu ô, đã bổ sung ô trống" if len(cells) < width else None
        return cells + [""] * (width - len(cells)), note
    candidates = [i for i in range(len(cells)) if not strip_html(cells[i])]
    best = cells[:width]
    best_score = float("-inf")
    for index in reversed(candidates):
        trial = cells[:index] + cells[index + 1 :]
        if len(trial) > width:
            trial, _ = fit_width(trial, roles, score)
        trial_score = score(trial)
        if trial_score > best_score:
            best, best_score = trial, trial_score
    return best, "thừa ô trống, đã bỏ để các cột thẳng hàng"


def paragraphs(cell: str) -> list[str]:
    """The <p> items of a cell, or the whole cell as one item."""
    items = [item.strip() for item in _PARAGRAPH.findall(cell)]
    return [item for item in items if strip_html(item)] or ([cell] if cell.strip() else [])


def _group_by_dash_runs(items: list[str]) -> list[list[str]]:
    groups: list[list[str]] = []
    previous_dash = False
    for item in items:
        dash = strip_html(item).startswith("-")
        if dash and previous_dash:
            groups[-1].append(item)
        else:
            groups.append([item])
        previous_dash = dash
    return groups


def _group_ending_with_report(items: list[str]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    for item in items:
        groups[-1].append(item)
        if strip_html(item).lstrip("- ").lower().startswith("báo cáo"):
            groups.append([])
    return [group for group in groups if group]


def align_items(items: list[str], count: int) -> list[str] | None:
    """Share a cell's items out over `count` split rows; None when no rule lines them up."""
    if len(items) == count:
        return items
    if len(items) <= 1:
        return [items[0] if items else ""] * count
    if len(items) % count == 0:
        size = len(items) // count
        return [" ".join(items[i * size : (i + 1) * size]) for i in range(count)]
    for grouping in (_group_by_dash_runs, _group_ending_with_report):
        groups = grouping(items)
        if len(groups) == count:
            return [" ".join(group) for group in groups]
    return None


def split_paragraph_row(cells: list[str], task_index: int) -> tuple[list[list[str]], list[str]] | None:
    """One row whose task cell holds several numbered <p> tasks -> one row per task.

    Returns the rows and notes on cells that could not be lined up (shared whole instead).
    """
    tasks = paragraphs(cells[task_index])
    numbered = [t for t in tasks if re.match(r"^\d+\.", strip_html(t))]
    if len(tasks) < 2 or len(numbered) < 2:
        return None
    rows: list[list[str]] = [[] for _ in tasks]
    notes: list[str] = []
    for index, cell in enumerate(cells):
        shared = align_items(paragraphs(cell), len(tasks))
        if shared is None:
            notes.append(f"cột {index + 1} không chia được theo {len(tasks)} nhiệm vụ, giữ nguyên cả ô")
            shared = [cell] * len(tasks)
        for row, value in zip(rows, shared):
            row.append(value)
    return rows, notes


# A Vietnamese syllable, diacritics folded: onset, one vowel group, coda. Pieces of a word cut by a
# page break ("ngh" + "iệp") are not syllables; the word they make is.
_SYLLABLE = re.compile(r"^(ngh|ng|gh|gi|kh|nh|ph|qu|th|tr|ch|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$")
_WORD_START = re.compile(r"^\w+")
_WORD_END = re.compile(r"\w+$")


def vocabulary(cells: list[str]) -> Counter[str]:
    """How often each word occurs in a table's cells (lower case): the document is its own dictionary."""
    return Counter(word.lower() for cell in cells for word in re.findall(r"\w+", strip_html(cell)))


def _syllable(word: str) -> bool:
    return bool(_SYLLABLE.match(fold(word)))


def join_fragment(before: str, fragment: str, words: Counter[str]) -> str:
    """A cell's text and its continuation after a page break, glued where the break cut a word.

    Glued when the two pieces are not syllables but together are one, or when the whole word occurs
    elsewhere in the document and one of the pieces occurs nowhere else."""
    left, right = _WORD_END.search(before), _WORD_START.match(fragment)
    if not before or not left or not right:
        return f"{before} {fragment}".strip()
    a, b = left.group(), right.group()
    whole = (a + b).lower()
    pieces_are_words = _syllable(a) and _syllable(b)
    glue = (not pieces_are_words and (_syllable(whole) or words[whole] > 0)) or (
        words[whole] > 0 and min(words[a.lower()], words[b.lower()]) <= 1)
    return before + fragment if glue else f"{before} {fragment}".strip()


_FIRST_PARAGRAPH = re.compile(r"^\s*<p>(.*?)</p>", re.IGNORECASE | re.DOTALL)
_LAST_PARAGRAPH_END = re.compile(r"</p>\s*$", re.IGNORECASE)


def continue_cell(before: str, fragment: str, words: Counter[str]) -> str:
    """A cell and its continuation at the top of the next page, one cell again."""
    plain = strip_html(before)
    if not plain or not plain[-1].isalnum():
        return f"{before} {fragment}".strip()
    # The page broke mid-sentence: the fragment's first paragraph finishes the cell's last one.
    match = _FIRST_PARAGRAPH.match(fragment)
    first, rest = (match.group(1), fragment[match.end():]) if match else (fragment, "")
    end = _LAST_PARAGRAPH_END.search(before)
    if end:
        return join_fragment(before[: end.start()], first, words) + "</p>" + rest
    return join_fragment(before, first, words) + rest
