"""The application API: what the web chat, the Telegram bot and the CLI ask for, by name.

A front-end that knows what it wants (an agency's duties this quarter, a row, the plans) calls
the entry point for it; only free questions go through `ask`. No front-end writes a Vietnamese
sentence to ask for something it can name, so both channels get the same answer to the same
button.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.contract import AgencyMention, Answer, AskedPeriod, Intent, Profile, Query, Role
from assistant.periods import current_quarter, quarter_period, shift_quarter, span_period, year_period
from cchc.errors import QuestionError
from indexer.agencies import Agency, AgencyTable
from indexer.records import PlanDocument, ProseSection, RowRecord
from service.calendar import calendar_feed
from service.export import ExportFile, ExportFormat, ExportGroup, ExportScope, export_items


class DutyPeriod(str, Enum):
    THIS_QUARTER = "this_quarter"
    NEXT_QUARTER = "next_quarter"
    THIS_YEAR = "this_year"
    NEXT_DAYS = "next_days"  # today and the `days` after it (the reminder digest)
    ALL = "all"


class AgencyChoice(BaseModel):
    """One entry of the "Đơn vị của tôi" picker: an agency in a province that has plans."""

    id: str
    name: str
    province: str
    label: str = Field(description='e.g. "Sở Tài chính — Hà Tĩnh"')


class RowDetail(BaseModel):
    """One cited record, whole, with the plan it comes from."""

    kind: Literal["row", "prose"]
    record: RowRecord | ProseSection
    plan: PlanDocument


def _period(choice: DutyPeriod, today: dt.date, days: int) -> AskedPeriod | None:
    year, quarter = current_quarter(today)
    until = today + dt.timedelta(days=days)
    periods = {
        DutyPeriod.NEXT_DAYS: lambda: span_period(today, until, f"{days} ngày tới (đến {until:%d/%m/%Y})"),
        DutyPeriod.THIS_QUARTER: lambda: quarter_period(year, quarter),
        DutyPeriod.NEXT_QUARTER: lambda: quarter_period(*shift_quarter(year, quarter, 1)),
        DutyPeriod.THIS_YEAR: lambda: year_period(today.year),
        DutyPeriod.ALL: lambda: None,
    }
    return periods[choice]()


class PlanService:
    """Built once per index snapshot (service.wiring.build_service, the web runtime's Snapshot, the
    bot's Services); every channel asks through it."""

    def __init__(self, assistant, agencies: AgencyTable):  # noqa: ANN001 - assistant.chain.Assistant
        self.assistant = assistant
        self.agency_table = agencies

    @property
    def _index(self):  # noqa: ANN202
        return self.assistant.search.index

    def ask(self, question: str, session: str | None = None, today: dt.date | None = None,
            agency: str | None = None, *, profile: Profile | None = None, continued: bool = False,
            shown: list[str] | None = None) -> Answer:
        """A free question. `profile` (or the older `agency` id) is «đơn vị của tôi»: its province
        scopes a question that names none; `continued` says the channel showed answers in this
        conversation before (so a lost one is said to be lost); `shown` are the items of the
        answer a reply points at, in the order shown."""
        return self.assistant.ask(question, today=today, session=session, profile=self._profile(profile, agency),
                                  continued=continued, shown=shown)

    def stream(self, question: str, session: str | None = None, today: dt.date | None = None,
               agency: str | None = None, *, profile: Profile | None = None,
               continued: bool = False) -> Iterator[tuple[str, Any]]:
        """`ask`, as ("query" | "citation" | "delta" | "done", payload) events (Assistant.stream)."""
        return self.assistant.stream(question, today=today, session=session, profile=self._profile(profile, agency),
                                     continued=continued)

    def profile(self, agency: str | None, province: str | None = None) -> Profile | None:
        """«Đơn vị của tôi» from an agency id and a province name, as a channel holds them;
        QuestionError (Vietnamese) for an id or a province no plan knows."""
        if province is not None and province not in {p.province for p in self._index.plans.values()}:
            raise QuestionError(f"Không có kế hoạch nào của tỉnh «{province}»; hãy chọn lại «Đơn vị của tôi».")
        mention = self._mention(agency)
        return Profile(agency=mention, province=province) if mention or province else None

    def _profile(self, profile: Profile | None, agency: str | None) -> Profile | None:
        if profile is None:
            return self.profile(agency)
        return self.profile(profile.agency.id if profile.agency else None, profile.province)

    def duties(self, agency: str, province: str | None = None, period: DutyPeriod = DutyPeriod.THIS_QUARTER,
               role: Role = Role.LEAD, today: dt.date | None = None, session: str | None = None,
               days: int = 30) -> Answer:
        """Every row the plans give `agency` (in `province`) in `period`, in `role`: a listing.
        `days` is the span of DutyPeriod.NEXT_DAYS."""
        today = today or dt.date.today()
        mention = self._mention(agency)
        asked = _period(period, today, days)
        where = f" — {province}" if province else ""
        query = Query(
            question=f"Nhiệm vụ của {mention.name}{where}" + (f", {asked.label}" if asked else ""),
            today=today, intent=Intent.LISTING, agency=mention, agencies=[mention], role=role, period=asked,
            provinces=[province] if province else [], rule="duties entry point",
        )
        return self.assistant.answer(query, session=session)

    def row(self, record_id: str) -> RowDetail:
        record = self._index.get(record_id)  # UnknownRecordError (Vietnamese) when unknown
        return RowDetail(kind=record.kind, record=record, plan=self._index.plans[record.document])

    def agencies(self, query: str = "", province: str | None = None) -> list[AgencyChoice]:
        """Agencies named in the plans, each with the province whose plans name it."""
        seen: dict[tuple[str, str], AgencyChoice] = {}
        for row in self._index.rows:
            if province and row.province != province:
                continue
            for ref in [*row.lead, *row.coordinating]:
                key = (ref.id, row.province)
                if key not in seen:
                    known = self._find(ref.id)
                    name = known.name if known else ref.name
                    seen[key] = AgencyChoice(id=ref.id, name=name, province=row.province, label=f"{name} — {row.province}")
        wanted = query.strip().lower()
        choices = [c for c in seen.values() if not wanted or wanted in c.label.lower()]
        return sorted(choices, key=lambda c: (c.province, c.name))

    def plans(self) -> list[PlanDocument]:
        return list(self._index.plans.values())

    def export(self, record_ids: list[str], fmt: ExportFormat, scope: ExportScope | None = None,
               groups: list[ExportGroup] | None = None) -> ExportFile:
        """The records as a file, in the given order; ``scope`` names the question, ``groups`` the
        group each record was listed under."""
        records = [self._index.get(record_id) for record_id in record_ids]
        return export_items(records, self._index.plans, fmt, scope, groups)

    def calendar(self, agency: str, province: str, today: dt.date | None = None, row_url: str | None = None) -> bytes:
        """The agency's duties in the province as an .ics feed (service.calendar); ``row_url``
        holds ``{id}`` for each event's link to its cited row."""
        mention = self._mention(agency)
        if province not in {plan.province for plan in self.plans()}:
            raise QuestionError(f"Chưa có kế hoạch nào của tỉnh «{province}».")
        answer = self.duties(agency, province, DutyPeriod.ALL, Role.ANY, today)
        return calendar_feed(answer, mention.name, province, row_url)

    def _find(self, agency_id: str) -> Agency | None:
        try:
            return self.agency_table.get(agency_id)
        except KeyError:
            return None

    def _mention(self, agency: str | None) -> AgencyMention | None:
        if agency is None:
            return None
        found = self._find(agency)
        if found is None:
            raise QuestionError(f"Không có đơn vị nào mang mã «{agency}»; hãy chọn lại trong danh sách đơn vị.")
        return AgencyMention(id=found.id, name=found.name)
