"""Turn a RawTable (any layout) into RowRecords: sections, merged cells, page-split rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import hashlib
import re
from dataclasses import dataclass, field

from indexer.budget import parse_budget
from indexer.parsers.repair import fit_width, continue_cell, merge_bare_numbers, split_paragraph_row, vocabulary
from indexer.parsers.table import RawRow, RawTable
from indexer.periods import parse_period
from indexer.records import AgencyRef, Cell, ParseIssue, PlanDocument, RowRecord
from indexer.vntext import squash, strip_html

if TYPE_CHECKING:
    from indexer.agencies import AgencyTable

_SECTION_MARK = re.compile(r"^(?P<code>[IVXLC]+|[A-H])\.?(?:\s+(?P<title>\S.*))?$")
_SECTION_CELL = re.compile(r"^(?P<code>[IVXLC]+)\.\s*(?P<title>.+)$")
_LEADING_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)*)\.?\s")
_ACTIVITY_NUMBERS = re.compile(r"(?m)^\s*(\d+\.\d+)\.?\s")
_BLOCK_BREAK = re.compile(r"</?(p|li|br)\b[^>]*>", re.IGNORECASE)
_INLINE_BULLET = re.compile(r"(?<=\S)\s+(?=- )")


def display_text(cell: str) -> str:
    """Cell text for people: tags gone, paragraphs and bullets on their own lines."""
    text = _BLOCK_BREAK.sub("\n", cell)
    lines: list[str] = []
    for line in text.split("\n"):
        line = squash(strip_html(line))
        # " - " starts a new bullet only in a cell written as a bulleted list.
        lines.extend(_INLINE_BULLET.split(line) if line.startswith("-") else [line])
    return "\n".join(line for line in lines if line)


@dataclass
class _Group:
    """Rows sharing a merged task (or target) cell."""

    number: str = ""
    target: str = ""
    task: str = ""
    heading: str = ""  # a heading-only row (no assignee) that titles the rows below it
    rows: int = 0


@dataclass
class _Draft:
    cells: list[str]
    lines: tuple[int, int]
    section_titles: list[str]
    section_codes: list[str]
    group: _Group
    index_in_group: int
    notes: list[str] = field(default_factory=list)
    confidence: list[float | None] | None = None  # OCR, per cell
    page: int | None = None


class Assembler:
    def __init__(self, plan: PlanDocument, table: RawTable, agencies: AgencyTable):
        self.plan = plan
        self.table = table
        self.agencies = agencies
        self.roles = table.roles
        budget_index = table.role_index("budget")
        # "Kinh phí (triệu đồng)": bare numbers in that column are millions.
        self.budget_in_millions = budget_index is not None and "triệu" in table.headings[budget_index].lower()
        self.issues: list[ParseIssue] = []
        self.drafts: list[_Draft] = []
        self.sections: list[tuple[str, str]] = []  # (code, title) per level
        self.top_marker_kind: str | None = None
        self.group = _Group()
        self.words = vocabulary([cell for row in table.rows for cell in row.cells])

    # -- cell access -------------------------------------------------------------------------
    def _get(self, cells: list[str], role: str) -> str:
        index = self.table.role_index(role)
        return cells[index] if index is not None and index < len(cells) else ""

    def _plain(self, cells: list[str], role: str) -> str:
        return strip_html(self._get(cells, role))

    def _score(self, cells: list[str]) -> float:
        period = parse_period(self._get(cells, "period"), self.plan.year)
        lead = self.agencies.extract(self._get(cells, "lead"))
        coordinating = self.agencies.extract(self._get(cells, "coordinating"))
        score = 2.0 * period.understood + any(a.known for a in lead) + any(a.known for a in coordinating)
        if _LEADING_NUMBER.match(self._plain(cells, "section") + " "):
            score -= 2  # a numbered task does not belong in the section column
        return score

    # -- sections ----------------------------------------------------------------------------
    def _set_section(self, code: str, title: str) -> None:
        kind = "letter" if re.fullmatch(r"[A-H]", code) else "roman" if code else "plain"
        if self.sections and self.sections[-1] == (code, title):
            return  # a section cell repeated at the top of a page
        if self.top_marker_kind is None:
            self.top_marker_kind = kind
        if kind == self.top_marker_kind or not self.sections:
            self.sections = [(code, title)]
        else:
            self.sections = [self.sections[0], (code, title)]
        self.group = _Group()

    def _section_row(self, cells: list[str]) -> bool:
        """Rows like "II | CẢI CÁCH THỂ CHẾ" or "II CÔNG TÁC TUYÊN TRUYỀN" that only open a section."""
        if "stt" not in self.roles:
            return False
        match = _SECTION_MARK.match(self._plain(cells, "stt"))
        assignee_cells = ("lead", "coordinating", "period", "product", "activity")
        if not match or any(self._plain(cells, role) for role in assignee_cells):
            return False
        others = [strip_html(c) for i, c in enumerate(cells) if self.roles[i] != "stt" and strip_html(c)]
        title = match.group("title") or (others[0] if others else "")
        self._set_section(match.group("code"), title)
        return True

    # -- rows --------------------------------------------------------------------------------
    def _is_heading_row(self, cells: list[str]) -> bool:
        """A numbered row naming a task but assigning nothing: it titles the rows below."""
        has_number = bool(self._plain(cells, "stt"))
        content = ("lead", "coordinating", "period", "product", "activity", "budget")
        return has_number and bool(self._plain(cells, "task")) and not any(
            self._plain(cells, role) for role in content
        )

    def _continues_previous(self, row: RawRow, cells: list[str]) -> bool:
        """The first row after a page break that only finishes the previous row's cells."""
        if not row.after_break or not self.drafts or self._plain(cells, "stt"):
            return False
        if self._plain(cells, "section"):
            return False
        before = self.drafts[-1].cells
        if any(strip_html(cell) and not strip_html(before[i]) for i, cell in enumerate(cells[: len(before)])):
            return False  # a cell empty above cannot run on: a new row whose merged cells are blank
        period = self._plain(cells, "period")
        if not period or period[0].islower():  # a deadline cell never starts in lower case
            return True
        previous = self._plain(self.drafts[-1].cells, "period")
        alone = parse_period(previous, self.plan.year).understood
        joined = parse_period(f"{previous} {period}", self.plan.year).understood
        return not alone and joined

    def _merge_into_previous(self, row: RawRow, cells: list[str]) -> None:
        draft = self.drafts[-1]
        for index, fragment in enumerate(cells):
            if strip_html(fragment) and index < len(draft.cells):
                draft.cells[index] = continue_cell(draft.cells[index], fragment, self.words)
        if row.confidence is not None:
            mine = draft.confidence or [None] * len(row.confidence)
            draft.confidence = [min((x for x in pair if x is not None), default=None) for pair in zip(mine, row.confidence)]
        draft.lines = (draft.lines[0], row.lines[1])
        draft.notes.append(f"nối phần tiếp theo ở dòng {row.lines[0]} (hàng bị ngắt trang)")
        if draft.index_in_group == 1:
            self._refresh_group_from(draft.cells)

    def _refresh_group_from(self, cells: list[str]) -> None:
        if self._plain(cells, "target"):
            self.group.target = display_text(self._get(cells, "target"))
        if self._plain(cells, "task"):
            self.group.task = display_text(self._get(cells, "task"))

    def _starts_group(self, row: RawRow, cells: list[str]) -> bool:
        if "stt" in self.roles:
            return bool(self._plain(cells, "stt")) or bool(self._plain(cells, "target"))
        task = self._plain(cells, "task")
        return bool(task) and not (row.after_break and task[0].islower())

    def feed(self, row: RawRow) -> None:
        cells, repaired = merge_bare_numbers(row.cells, self.roles)
        notes = ["số thứ tự nằm lệch cột, đã ghép lại"] if repaired else []
        cells, note = fit_width(cells, self.roles, self._score)
        if note:
            notes.append(note)
        if self._section_row(cells):
            return
        section = self._plain(cells, "section")
        if section:
            match = _SECTION_CELL.match(section)
            self._set_section(match["code"], match["title"]) if match else self._set_section("", section)
        if self._continues_previous(row, cells):
            self._merge_into_previous(row, cells)
            return
        if self._is_heading_row(cells):
            number = self._plain(cells, "stt")
            parent = self.group.heading if "." in number else ""
            self.group = _Group(number=number, heading=f"{number}. {self._plain(cells, 'task')}")
            if parent:
                self.group.heading = parent
            return
        task_fragment = self._plain(cells, "task")
        if self._starts_group(row, cells):
            heading = self.group.heading if "." in self._plain(cells, "stt") else ""
            self.group = _Group(number=self._plain(cells, "stt"), heading=heading)
            match = _LEADING_NUMBER.match(task_fragment + " ")
            if not self.group.number and match:
                self.group.number = match.group(1)
            self._refresh_group_from(cells)
        elif row.after_break and task_fragment and task_fragment[0].islower():
            # A merged task cell that runs on after a page break: the text belongs to the group.
            self.group.task = f"{self.group.task} {display_text(self._get(cells, 'task'))}".strip()
            cells = list(cells)
            cells[self.table.role_index("task")] = ""
        split = split_paragraph_row(cells, self.table.role_index("task")) if "task" in self.roles else None
        pieces = [cells]
        if split:
            pieces, split_notes = split
            notes = notes + [f"tách ô nhiều đoạn thành {len(pieces)} hàng"] + split_notes
        for piece in pieces:
            if split:
                self.group = _Group(heading=self.group.heading)
                self._refresh_group_from(piece)
                match = _LEADING_NUMBER.match(self._plain(piece, "task") + " ")
                self.group.number = match.group(1) if match else ""
            self.group.rows += 1
            self.drafts.append(
                _Draft(
                    cells=list(piece),
                    lines=row.lines,
                    section_titles=[f"{code}. {title}" if code else title for code, title in self.sections],
                    section_codes=[code or title for code, title in self.sections],
                    group=self.group,
                    index_in_group=self.group.rows,
                    notes=list(notes),
                    confidence=row.confidence,
                    page=row.page,
                )
            )

    # -- records -----------------------------------------------------------------------------
    def _agencies(self, cell: str, line: int, what: str) -> list[AgencyRef]:
        found = self.agencies.extract(cell)
        for agency in found:
            if not agency.known:
                self.issues.append(
                    ParseIssue(document=self.plan.id, line=line, message=f"{what} chưa có trong bảng cơ quan: «{agency.name}»")
                )
        return found

    def _row_ref(self, draft: _Draft) -> str:
        activity = display_text(self._get(draft.cells, "activity"))
        numbers = _ACTIVITY_NUMBERS.findall(activity + " ")
        if numbers:
            return numbers[0] if len(numbers) == 1 else f"{numbers[0]}–{numbers[-1]}"
        own_stt = self._plain(draft.cells, "stt")
        match = _LEADING_NUMBER.match(self._plain(draft.cells, "task") + " ")
        # Where the STT numbers targets (already in the section code), the task number is the address.
        if own_stt and "target" not in self.roles:
            return own_stt
        if match:
            return match.group(1)
        if "target" in self.roles:
            return f"dòng {draft.index_in_group}"
        return f"{draft.group.number}, dòng {draft.index_in_group}" if draft.group.number else f"dòng {draft.index_in_group}"

    def _record(self, draft: _Draft, previous: RowRecord | None, seen: dict[str, int]) -> RowRecord:
        cells, group = draft.cells, draft.group
        inherited: list[str] = []
        sub_row = draft.index_in_group > 1 and previous is not None

        def merged(role: str, group_value: str, previous_value: str) -> str:
            """A cell's own text; the merged cell's full text when it ran on past a page break;
            the cell above when this one is empty (merged vertically)."""
            value = display_text(self._get(cells, role))
            if value:
                return group_value if group_value.startswith(value) else value
            if sub_row and (previous_value or group_value):
                inherited.append(role)
                return previous_value or group_value
            return value

        target = merged("target", group.target, previous.target if previous else "")
        task = merged("task", group.task, previous.task if previous else "")
        activity = display_text(self._get(cells, "activity"))
        if not activity and sub_row and not self._plain(cells, "task") and previous.activity:
            activity, _ = previous.activity, inherited.append("activity")
        line = draft.lines[0]
        lead_text, coordinating_text = (display_text(self._get(cells, r)) for r in ("lead", "coordinating"))
        lead = self._agencies(self._get(cells, "lead"), line, "Cơ quan chủ trì")
        coordinating = self._agencies(self._get(cells, "coordinating"), line, "Cơ quan phối hợp")
        if not lead and sub_row and previous.lead:
            lead, lead_text = previous.lead, previous.lead_text
            inherited.append("lead")
            if not coordinating:
                coordinating, coordinating_text = previous.coordinating, previous.coordinating_text
                inherited.append("coordinating")
        period_cell = self._get(cells, "period")
        period = parse_period(period_cell, self.plan.year)
        if not strip_html(period_cell) and sub_row and previous.period.text:
            period = previous.period.model_copy()
            inherited.append("period")
        elif not period.understood:
            self.issues.append(
                ParseIssue(document=self.plan.id, line=line, message=f"Thời hạn chưa hiểu được: «{period.text or '(trống)'}»")
            )
        budget = parse_budget(self._get(cells, "budget"), self.budget_in_millions)
        section_parts = list(draft.section_titles)
        section_codes = list(draft.section_codes)
        if group.heading:
            section_parts.append(group.heading)
        if "target" in self.roles and group.number:
            section_codes.append(squash(group.number).replace(" ", ","))
        elif "activity" in self.roles and _LEADING_NUMBER.match(task + " "):
            # Numbered tasks over numbered activities: the task is part of the row's address.
            section_parts.append(task.split("\n")[0])
        row_ref = self._row_ref(draft)
        section_code = ".".join(section_codes)
        label = f"{self.plan.short_title}, {section_code} › {row_ref}" if section_code else f"{self.plan.short_title}, {row_ref}"
        cell_records = [
            Cell(heading=squash(strip_html(h)), text=display_text(c))
            for h, c in zip(self.table.headings, cells)
            if display_text(c)
        ]
        text = "\n".join(f"{c.heading}: {c.text}" for c in cell_records)
        section = " › ".join(section_parts)
        digest = hashlib.sha1(f"{section}|{row_ref}|{text}".encode()).hexdigest()[:8]
        seen[digest] = seen.get(digest, 0) + 1
        if seen[digest] > 1:
            digest = hashlib.sha1(f"{digest}|{seen[digest]}".encode()).hexdigest()[:8]
        return RowRecord(
            id=f"{self.plan.id}_{digest}",
            document=self.plan.id,
            province=self.plan.province,
            year=self.plan.year,
            section=section,
            section_code=section_code,
            row=row_ref,
            label=label,
            target=target,
            task=task,
            activity=activity,
            product=display_text(self._get(cells, "product")),
            lead_text=lead_text,
            lead=lead,
            coordinating_text=coordinating_text,
            coordinating=coordinating,
            period=period,
            budget=budget,
            cells=cell_records,
            text=text,
            lines=draft.lines,
            inherited=inherited,
            notes=draft.notes,
            page=draft.page,
            **self._confidence(draft),
        )

    def _confidence(self, draft: _Draft) -> dict:
        """OCR confidence per printed cell, and the cells read too uncertainly to trust unchecked."""
        if draft.confidence is None:
            return {}
        read = {squash(strip_html(h)): round(c, 1) for h, c, text in zip(self.table.headings, draft.confidence, draft.cells)
                if c is not None and strip_html(text)}
        low = [h for h, c in read.items() if c < self.table.low_confidence]
        return {"cell_confidence": read, "low_confidence_fields": low}

    def records(self) -> list[RowRecord]:
        self._reassign_orphan_tasks()
        records: list[RowRecord] = []
        seen: dict[str, int] = {}
        labels: dict[str, int] = {}
        previous: RowRecord | None = None
        for draft in self.drafts:
            record = self._record(draft, previous if draft.index_in_group > 1 else None, seen)
            labels[record.label] = labels.get(record.label, 0) + 1
            if labels[record.label] > 1:
                # The document prints the same number twice; say which occurrence is meant.
                record.label += f" (lần {labels[record.label]})"
            records.append(record)
            previous = record
        return records

    def _reassign_orphan_tasks(self) -> None:
        """Tasks whose numbering restarts at 1 just before a page whose section cell opens with a
        later number belong to that later section (its merged title was printed on the next page)."""
        def task_number(draft: _Draft) -> int | None:
            match = _LEADING_NUMBER.match(draft.group.task + " ")
            return int(match.group(1).split(".")[0]) if match else None

        for index, draft in enumerate(self.drafts):
            if index == 0 or draft.section_titles != self.drafts[index - 1].section_titles:
                continue
            number, before = task_number(draft), task_number(self.drafts[index - 1])
            if number is None or before is None or number >= before:
                continue
            run_end = index
            while run_end < len(self.drafts) and self.drafts[run_end].section_titles == draft.section_titles:
                run_end += 1
            if run_end == len(self.drafts):
                continue
            following = self.drafts[run_end]
            last_in_run = max(filter(None, (task_number(d) for d in self.drafts[index:run_end])), default=0)
            if task_number(following) == last_in_run + 1:
                for orphan in self.drafts[index:run_end]:
                    orphan.section_titles = list(following.section_titles)
                    orphan.section_codes = list(following.section_codes)
                    orphan.notes.append("nhiệm vụ in trước tiêu đề mục của trang sau, đã chuyển về đúng mục")


def assemble(plan: PlanDocument, table: RawTable, agencies: AgencyTable) -> tuple[list[RowRecord], list[ParseIssue]]:
    assembler = Assembler(plan, table, agencies)
    for row in table.rows:
        assembler.feed(row)
    records = assembler.records()
    return records, assembler.issues

