"""Exact listing filters: every row of a plan (no top-k) that an agency leads, coordinates or shares
through a collective, or that falls due in the asked period or matches the asked kind of deadline,
grouped for the answer; and the rows whose budgets a sum adds."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from assistant.contract import AgencyMention, AskedPeriod, Intent, PeriodKindAsked, Query, Role
from assistant.periods import move_period_to_year
from assistant.retrieval.keys import coverage, phrase_coverage, record_keys, topic_units
from assistant.retrieval.results import PlanListing, Retrieval, RowGroup
from assistant.retrieval.where import all_of, any_of
from indexer.agencies import AgencyTable
from indexer.records import PeriodKind, PlanDocument, RowRecord
from indexer.store import Index
from indexer.vntext import fold

MAX_LISTING_PROVINCES = 6  # more provinces than this without one named: counts per province instead
# Share of a sum's named topic that a section title must contain (mean of word and word-pair coverage).
MIN_TOPIC_COVERAGE = 0.6

# The groups each role asked for shows, in this order.
_WANTED = {
    Role.LEAD: ("lead_due", "lead_ongoing", "lead_open", "lead", "collective", "text"),
    Role.COORDINATING: ("coordinating",),
    Role.ANY: ("lead_due", "lead_ongoing", "lead_open", "lead", "collective", "coordinating", "text"),
}


def kind_matches(row: RowRecord, query: Query) -> bool:
    """A question about the kind of deadline ("việc nào làm thường xuyên", "tháng 12 hằng năm")."""
    if row.period.kind.value in query.excluded_kinds:
        return False
    if query.deadline_phrases:
        return any(fold(phrase) in fold(row.period.text) for phrase in query.deadline_phrases)
    if query.period_kind is PeriodKindAsked.RECURRING:
        if row.period.kind is not PeriodKind.RECURRING:
            return False
        return query.recurring_month is None or bool(re.search(rf"\bthang 0?{query.recurring_month}\b", fold(row.period.text)))
    if query.period_kind is PeriodKindAsked.OVERDUE:
        return row.period.kind is PeriodKind.DATED and row.period.end is not None and row.period.end < query.today
    if query.period_kind is PeriodKindAsked.CONTINUES:
        return row.period.continues_after
    return True


def timing(row: RowRecord, period: AskedPeriod | None) -> str:
    """due | ongoing | open | outside — how a row's deadline relates to the asked period."""
    if period is None:
        return "due"
    kind = row.period.kind
    if kind in (PeriodKind.PER_GUIDANCE, PeriodKind.WHEN_ARISES, PeriodKind.UNKNOWN):
        return "open"
    if period.falls_due:  # «sắp đến hạn»: a dated deadline ending inside the window, nothing else
        due = kind is PeriodKind.DATED and row.period.end is not None and period.start <= row.period.end <= period.end
        return "due" if due else "outside"
    # The quarters must meet, and so must the dates: "Tháng 12" does not fall in November.
    overlaps = row.period.start is None or (row.period.start <= period.end and row.period.end >= period.start)
    touched = bool(set(row.period.quarters) & set(period.quarters)) and overlaps
    if kind is PeriodKind.DATED:
        if touched:
            return "due"
        if row.period.continues_after and row.period.end and row.period.end < period.start:
            return "ongoing"
        return "outside"
    return "ongoing" if touched or (row.period.continues_after and row.period.end and row.period.end < period.start) else "outside"


def periods_for(query: Query, plans: list[PlanDocument]) -> list[tuple[PlanDocument, AskedPeriod | None, AskedPeriod | None]]:
    """(plan, period to use, asked period when moved) — the nearest plan when the asked period
    lies outside every plan of a province."""
    if query.period is None:
        return [(plan, None, None) for plan in plans]
    years = set(range(query.period.start.year, query.period.end.year + 1))
    inside = [p for p in plans if p.year in years]
    if inside:
        return [(plan, query.period, None) for plan in inside]
    # No plan covers the period at all: offer each province's nearest plan, labelled as such.
    chosen = []
    for province in dict.fromkeys(p.province for p in plans):
        own = [p for p in plans if p.province == province]
        nearest = min(own, key=lambda p: (abs(p.year - query.period.start.year), -p.year))
        chosen.append((nearest, move_period_to_year(query.period, nearest.year), query.period))
    return chosen


def _agency_buckets(query: Query, agency: str, collectives: list[str], rows: list[RowRecord],
                    period: AskedPeriod | None) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Row ids by group key, and the names of the collectives the agency is named through."""
    buckets: dict[str, list[str]] = {}
    collective_names: dict[str, str] = {}
    for row in rows:
        when = timing(row, period)
        if when == "outside" or not kind_matches(row, query):
            continue
        lead_ids = {a.id for a in row.lead}
        # Named directly beats named through a collective: "Các sở, ban, ngành" lead with
        # "Sở Tài chính" coordinating is, for Sở Tài chính, a coordination task.
        if agency in lead_ids:
            key = f"lead_{when}" if period else "lead"
        elif agency in {a.id for a in row.coordinating}:
            key = "coordinating"
        elif lead_ids & set(collectives):
            key = "collective"
            for a in row.lead:
                if a.id in collectives:
                    collective_names[a.id] = a.name
        else:
            continue
        buckets.setdefault(key, []).append(row.id)
    return buckets, collective_names


def _agency_titles(query: Query, period: AskedPeriod | None, collective_names: dict[str, str]) -> dict[str, str]:
    label = period.label if period else ""
    return {
        "lead_due": f"Chủ trì, đến hạn trong {label}",
        "lead_ongoing": f"Chủ trì, thực hiện thường xuyên hoặc cả năm (có trong {label})",
        "lead_open": "Chủ trì, thời hạn theo hướng dẫn, kế hoạch hoặc khi phát sinh",
        "lead": f"Chủ trì, đã quá hạn (hạn trước {query.today:%d/%m/%Y})"
                if query.period_kind is PeriodKindAsked.OVERDUE else "Chủ trì",
        "collective": "Giao chung cho " + ", ".join(collective_names.values()),
        "coordinating": "Phối hợp",
        "text": "Nhiệm vụ giao trong phần lời của kế hoạch (Tổ chức thực hiện)",
    }


def _agency_notes(query: Query, mention: AgencyMention, period: AskedPeriod | None,
                  buckets: dict[str, list[str]]) -> list[str]:
    """What the agency also does in the other role than the one asked."""
    notes = []
    if query.role is Role.LEAD and buckets.get("coordinating"):
        notes.append(f"Ngoài ra {mention.name} phối hợp thực hiện {len(buckets['coordinating'])} nhiệm vụ khác.")
    led = sum(len(ids) for key, ids in buckets.items() if key.startswith("lead"))
    if query.role is Role.COORDINATING and led:
        notes.append(f"Ngoài ra {mention.name} chủ trì {led} nhiệm vụ trong {period.label if period else 'kế hoạch này'}.")
    return notes


def kind_title(query: Query) -> str:
    """The group title of a question about the kind of deadline, no period asked."""
    title = {PeriodKindAsked.RECURRING: "Thực hiện thường xuyên, định kỳ hoặc hằng năm",
             PeriodKindAsked.CONTINUES: "Kéo dài sang những năm tiếp theo",
             PeriodKindAsked.OVERDUE: f"Đã quá hạn (hạn trước {query.today:%d/%m/%Y})"}[query.period_kind]
    if query.recurring_month:
        title += f" (tháng {query.recurring_month})"
    if query.deadline_phrases:
        title = "Thời hạn ghi " + " hoặc ".join(f"«{p}»" for p in dict.fromkeys(query.deadline_phrases))
    return title


class Listings:
    """Exact filters over one index snapshot."""

    def __init__(self, index: Index, agencies: AgencyTable, keys_of: Callable[[str], set[str]],
                 max_listing_provinces: int = MAX_LISTING_PROVINCES):
        self.index = index
        self.keys_of = keys_of  # each record's words and word pairs, computed once per snapshot (PlanSearch)
        self.agencies = agencies
        self.max_listing_provinces = max_listing_provinces
        # Duties the plan text gives an agency by name ("3. Sở Nội vụ", "Báo…, Đài… xây dựng …").
        self._duties: dict[str, list[str]] = {}
        for section in index.sections:
            for agency in agencies.find_in_text(section.heading):
                if not agency.collective:
                    self._duties.setdefault(agency.id, []).append(section.id)

    def listing(self, query: Query, plans: list[PlanDocument]) -> Retrieval:
        result = Retrieval(intent=Intent.COUNT if query.intent is Intent.COUNT else Intent.LISTING)
        for agency in query.agencies or [None]:
            for plan, period, moved_from in periods_for(query, plans):
                listing = PlanListing(plan=plan, agency=agency, period=period, moved_from=moved_from)
                if agency:
                    self._agency_groups(query, agency, plan, period, listing)
                else:
                    self._period_groups(query, plan, period, listing)
                if query.section:
                    self._within_section(listing, query.section)
                if query.listing_topic:
                    self._about(listing, query.listing_topic, keep_rest=bool(agency or query.period or query.period_kind))
                result.listings.append(listing)  # an empty one still says which plan was searched
        # Thousands of rows over the whole country help nobody: say where they are, ask which province.
        result.broad = (result.intent is Intent.LISTING and not query.provinces
                        and len(result.by_province()) > self.max_listing_provinces)
        return result

    def total(self, query: Query, plans: list[PlanDocument]) -> Retrieval:
        """Rows whose budgets a sum adds: a section named ("mục VII.A") or an agency's lead rows."""
        result = Retrieval(intent=Intent.SUM)
        for plan in plans:
            rows = self._rows(all_of([{"document": plan.id}, {"kind": "row"}]))
            if query.section:
                rows = [r for r in rows if r.section_code == query.section or r.section_code.startswith(query.section + ".")]
            elif query.agency:
                rows = [r for r in rows if query.agency.id in {a.id for a in r.lead}]
            elif query.topic_terms:
                words, pairs = topic_units(query.topic_terms)
                rows = [r for r in rows if words and coverage(words, pairs, record_keys(r.section)) >= MIN_TOPIC_COVERAGE]
            else:
                rows = []
            if rows:
                listing = PlanListing(plan=plan, agency=query.agency)
                listing.groups.append(RowGroup(key="sum", title="Các dòng được cộng", ids=[r.id for r in rows]))
                result.listings.append(listing)
        return result

    def _within_section(self, listing: PlanListing, section: str) -> None:
        """Only the rows of a part of the plan named by its number («mục VII.A»)."""
        def inside(record_id: str) -> bool:
            code = getattr(self.index.records[record_id], "section_code", "")
            return code == section or code.startswith(section + ".")
        for group in listing.groups:
            group.ids = [i for i in group.ids if inside(i)]
        listing.groups = [g for g in listing.groups if g.ids]

    def _about(self, listing: PlanListing, topic: list[str], keep_rest: bool) -> None:
        """The rows whose section title or text covers the listing's topic come first, in a group of
        their own. An agency's or a period's other rows stay below them (the listing stays complete:
        a word match may miss a row about the topic); a listing scoped only by province keeps the
        matches alone."""
        def covers(record_id: str) -> bool:
            return phrase_coverage(topic, self.keys_of(record_id)) >= MIN_TOPIC_COVERAGE

        matched = list(dict.fromkeys(i for g in listing.groups for i in g.ids if covers(i)))
        about = f"«{' '.join(topic)}»"
        if keep_rest and not matched and listing.groups:
            listing.notes.append(f"Không nhiệm vụ nào ghi rõ về {about}; trên đây là mọi nhiệm vụ trong phạm vi hỏi.")
            return
        rest = [RowGroup(key=g.key, title=f"{g.title} — việc khác", ids=[i for i in g.ids if i not in matched])
                for g in listing.groups] if keep_rest else []
        listing.groups = [g for g in [RowGroup(key="topic", title=f"Về {about}", ids=matched), *rest] if g.ids]

    def _rows(self, where: dict[str, Any] | None) -> list[RowRecord]:
        rows = [self.index.records[i] for i in self.index.filter_ids(where)]
        return sorted((r for r in rows if isinstance(r, RowRecord)), key=lambda r: (r.lines[0], r.id))

    def _agency_groups(self, query: Query, mention: AgencyMention, plan: PlanDocument, period: AskedPeriod | None,
                       listing: PlanListing) -> None:
        agency = mention.id
        collectives = self.agencies.collectives_concerning(agency)
        clauses = [{"lead": {"$contains": agency}}, {"coordinating": {"$contains": agency}}]
        clauses += [{"lead": {"$contains": c}} for c in collectives]
        rows = self._rows(all_of([{"document": plan.id}, {"kind": "row"}, any_of(clauses)]))
        buckets, collective_names = _agency_buckets(query, agency, collectives, rows, period)
        if (period is None or period.end - period.start > dt.timedelta(days=300)) and not query.period_kind:
            duties = [i for i in self._duties.get(agency, []) if self.index.records[i].document == plan.id]
            if duties and query.role is not Role.COORDINATING and not query.appendix_only:
                buckets["text"] = duties
        titles = _agency_titles(query, period, collective_names)
        for key in _WANTED[query.role]:
            if buckets.get(key):
                listing.groups.append(RowGroup(key=key, title=titles[key], ids=buckets[key]))
        listing.notes.extend(_agency_notes(query, mention, period, buckets))

    def _period_groups(self, query: Query, plan: PlanDocument, period: AskedPeriod | None, listing: PlanListing) -> None:
        rows = [r for r in self._rows(all_of([{"document": plan.id}, {"kind": "row"}])) if kind_matches(r, query)]
        if query.period_kind and period is None:
            listing.groups.append(RowGroup(key="kind", title=kind_title(query), ids=[r.id for r in rows]))
            return
        if period is None:
            listing.groups.append(RowGroup(key="all", title="Tất cả nhiệm vụ", ids=[r.id for r in rows]))
            return
        due = [r.id for r in rows if timing(r, period) == "due"]
        ongoing = sum(timing(r, period) == "ongoing" for r in rows)
        if due:
            listing.groups.append(RowGroup(key="due", title=f"Đến hạn trong {period.label}", ids=due))
        if ongoing:
            listing.notes.append(f"Ngoài ra có {ongoing} nhiệm vụ thực hiện thường xuyên hoặc cả năm.")
