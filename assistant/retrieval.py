"""Retrieval: exact filtering for listings (every matching row, no top-k), hybrid lexical + dense
search fused by rank for lookups and prose facts."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from pydantic import BaseModel, Field

from assistant.answerability import WordWeights
from assistant.contract import AgencyMention, AskedPeriod, Intent, PeriodKindAsked, Query, Role
from assistant.facts import expand_for_search, fact_passages
from assistant.periods import move_period_to_year
from indexer.agencies import AgencyTable
from indexer.records import PeriodKind, PlanDocument, RowRecord
from indexer.store import Index, Record
from indexer.vntext import fold, tokens

RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al.); robust without tuning
# Plans are searched with their own wording, so exact terms matter more than paraphrase; the weight
# was chosen on the evaluation set (see README, "Evaluation").
LEXICAL_WEIGHT = 5.0


def _record_text(record: Record) -> str:
    if isinstance(record, RowRecord):
        return f"{record.section} {record.text}"
    return f"{record.heading} {record.text}"


class Hit(BaseModel):
    id: str
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None
    lexical_score: float = 0.0
    lexical_share: float = Field(0.0, description="lexical_score over the question's own ceiling (LexicalIndex.ceiling), 0–1")
    dense_similarity: float = 0.0
    pinned: bool = False  # placed first on purpose: the row under discussion, or the passage a fact lives in


MAX_LISTING_PROVINCES = 6  # more provinces than this without one named: counts per province instead


class RowGroup(BaseModel):
    key: str  # lead_due, lead_ongoing, lead_open, collective, coordinating, due, lead, all
    title: str
    ids: list[str] = Field(default_factory=list)


class PlanListing(BaseModel):
    plan: PlanDocument
    agency: AgencyMention | None = None
    period: AskedPeriod | None = None
    moved_from: AskedPeriod | None = None  # the asked period, when this plan's year was offered instead
    groups: list[RowGroup] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [row_id for group in self.groups for row_id in group.ids]


class Retrieval(BaseModel):
    intent: Intent  # LISTING, COUNT and SUM carry listings; LOOKUP and SEARCH carry hits
    listings: list[PlanListing] = Field(default_factory=list)
    hits: list[Hit] = Field(default_factory=list)
    broad: bool = Field(False, description="a listing over too many provinces to show: answered with counts per province")

    def by_province(self) -> dict[str, int]:
        """Rows per province, most first (the overview of a broad listing)."""
        counts: dict[str, int] = {}
        for listing in self.listings:
            counts[listing.plan.province] = counts.get(listing.plan.province, 0) + len(listing.ids)
        return dict(sorted(((p, n) for p, n in counts.items() if n), key=lambda item: (-item[1], item[0])))

    @property
    def ids(self) -> list[str]:
        if self.listings:
            return [row_id for listing in self.listings for row_id in listing.ids]
        return [hit.id for hit in self.hits]


def fuse_ranks(*rankings: list[str], weights: tuple[float, ...] | None = None, k: int = RRF_K) -> dict[str, float]:
    """Weighted reciprocal-rank fusion: a record found by either ranking keeps a score, so a failed
    lexical match never hides dense results, nor the reverse."""
    weights = weights or (1.0,) * len(rankings)
    scores: dict[str, float] = {}
    for weight, ranking in zip(weights, rankings):
        for rank, record_id in enumerate(ranking, start=1):
            scores[record_id] = scores.get(record_id, 0.0) + weight / (k + rank)
    return scores


def _any_of(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


def _all_of(clauses: list[dict[str, Any]]) -> dict[str, Any] | None:
    clauses = [c for c in clauses if c]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _kind_matches(row: RowRecord, query: Query) -> bool:
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


_WORDS = re.compile(r"\w+")
# Share of a sum's named topic that a section title must contain (mean of word and word-pair coverage).
MIN_TOPIC_COVERAGE = 0.6


def _key(*words: str) -> str:
    """Words typed with accents are compared accented, otherwise folded ("số" is not "sở")."""
    accented = all(fold(w) != w for w in words)
    return "_".join(words if accented else [fold(w) for w in words])


def record_keys(text: str) -> set[str]:
    """Words and word pairs of a record, accented and folded, plus the folded words its
    abbreviations stand for ("HĐND" states "hội đồng nhân dân")."""
    lowered = unicodedata.normalize("NFC", text.lower())
    words = _WORDS.findall(lowered)
    folded = [fold(w) for w in words]
    pairs = list(zip(words, words[1:]))
    expanded = {f"~{t}" for t in tokens(text) if "_" not in t} - {f"~{w}" for w in folded}
    return set(words) | set(folded) | {_key(a, b) for a, b in pairs} | {f"{fold(a)}_{fold(b)}" for a, b in pairs} | expanded


def topic_units(terms: list[str]) -> tuple[list[str], list[str]]:
    """(word keys, pair keys) of the question's topic; "|" separates runs of adjacent words."""
    words, pairs = [], []
    for run in " ".join(terms).split("|"):
        run_words = run.split()
        words += [_key(w) for w in run_words]
        pairs += [_key(a, b) for a, b in zip(run_words, run_words[1:])]
    return words, pairs


def coverage(words: list[str], pairs: list[str], keys: set[str]) -> float:
    word_share = sum(w in keys or f"~{fold(w)}" in keys for w in words) / len(words)
    if not pairs:
        return word_share
    return (word_share + sum(p in keys for p in pairs) / len(pairs)) / 2


def _timing(row: RowRecord, period: AskedPeriod | None) -> str:
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


class PlanSearch:
    """Search over one index snapshot."""

    def __init__(self, index: Index, agencies: AgencyTable, lexical_weight: float = LEXICAL_WEIGHT,
                 max_listing_provinces: int = MAX_LISTING_PROVINCES):
        if lexical_weight < 0:
            raise ValueError(f"lexical_weight must not be negative, got {lexical_weight}")
        self.lexical_weight = lexical_weight
        self.max_listing_provinces = max_listing_provinces
        self.index = index
        self.agencies = agencies
        self.plans = list(index.plans.values())
        # Words and word pairs of each record: where a question's own words are looked for.
        self._record_keys: dict[str, set[str]] = {
            record.id: record_keys(_record_text(record)) for record in index.records.values()}
        texts = [[fold(w) for w in _WORDS.findall(_record_text(r).lower())] for r in index.records.values()]
        self.weights = WordWeights.build([set(words) for words in texts])
        # Duties the plan text gives an agency by name ("3. Sở Nội vụ", "Báo…, Đài… xây dựng …").
        self._duties: dict[str, list[str]] = {}
        for section in index.sections:
            for agency in agencies.find_in_text(section.heading):
                if not agency.collective:
                    self._duties.setdefault(agency.id, []).append(section.id)

    def keys_of(self, record_id: str) -> set[str]:
        """Words and word pairs of a record, accented and folded (what a question's words are found in)."""
        return self._record_keys.get(record_id, set())

    # -- scope -----------------------------------------------------------------------------
    def plans_for(self, query: Query) -> list[PlanDocument]:
        # A replaced plan is history: its successor answers (and compose says so).
        plans = [p for p in self.plans if p.current and (not query.provinces or p.province in query.provinces)]
        if query.year and not query.period:
            plans = [p for p in plans if p.year == query.year] or plans
        return plans

    def _periods_for(self, query: Query, plans: list[PlanDocument]) -> list[tuple[PlanDocument, AskedPeriod | None, AskedPeriod | None]]:
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

    # -- listings ---------------------------------------------------------------------------
    def listing(self, query: Query) -> Retrieval:
        plans = self.plans_for(query)
        result = Retrieval(intent=Intent.COUNT if query.intent is Intent.COUNT else Intent.LISTING)
        for agency in query.agencies or [None]:
            for plan, period, moved_from in self._periods_for(query, plans):
                listing = PlanListing(plan=plan, agency=agency, period=period, moved_from=moved_from)
                if agency:
                    self._agency_groups(query, agency, plan, period, listing)
                else:
                    self._period_groups(query, plan, period, listing)
                if query.section:
                    self._within_section(listing, query.section)
                result.listings.append(listing)  # an empty one still says which plan was searched
        # Thousands of rows over the whole country help nobody: say where they are, ask which province.
        result.broad = (result.intent is Intent.LISTING and not query.provinces
                        and len(result.by_province()) > self.max_listing_provinces)
        return result

    def _within_section(self, listing: PlanListing, section: str) -> None:
        """Only the rows of a part of the plan named by its number («mục VII.A»)."""
        def inside(record_id: str) -> bool:
            code = getattr(self.index.records[record_id], "section_code", "")
            return code == section or code.startswith(section + ".")
        for group in listing.groups:
            group.ids = [i for i in group.ids if inside(i)]
        listing.groups = [g for g in listing.groups if g.ids]

    def total(self, query: Query) -> Retrieval:
        """Rows whose budgets a sum adds: a section named ("mục VII.A") or an agency's lead rows."""
        result = Retrieval(intent=Intent.SUM)
        for plan in self.plans_for(query):
            rows = self._rows(_all_of([{"document": plan.id}, {"kind": "row"}]))
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

    def _rows(self, where: dict[str, Any] | None) -> list[RowRecord]:
        rows = [self.index.records[i] for i in self.index.filter_ids(where)]
        return sorted((r for r in rows if isinstance(r, RowRecord)), key=lambda r: (r.lines[0], r.id))

    def _agency_groups(self, query: Query, mention: AgencyMention, plan: PlanDocument, period: AskedPeriod | None,
                       listing: PlanListing) -> None:
        agency = mention.id
        collectives = self.agencies.collectives_concerning(agency)
        clauses = [{"lead": {"$contains": agency}}, {"coordinating": {"$contains": agency}}]
        clauses += [{"lead": {"$contains": c}} for c in collectives]
        rows = self._rows(_all_of([{"document": plan.id}, {"kind": "row"}, _any_of(clauses)]))
        buckets: dict[str, list[str]] = {}
        collective_names: dict[str, str] = {}
        for row in rows:
            timing = _timing(row, period)
            if timing == "outside" or not _kind_matches(row, query):
                continue
            lead_ids = {a.id for a in row.lead}
            # Named directly beats named through a collective: "Các sở, ban, ngành" lead with
            # "Sở Tài chính" coordinating is, for Sở Tài chính, a coordination task.
            if agency in lead_ids:
                key = f"lead_{timing}" if period else "lead"
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
        label = period.label if period else ""
        titles = {
            "lead_due": f"Chủ trì, đến hạn trong {label}",
            "lead_ongoing": f"Chủ trì, thực hiện thường xuyên hoặc cả năm (có trong {label})",
            "lead_open": "Chủ trì, thời hạn theo hướng dẫn, kế hoạch hoặc khi phát sinh",
            "lead": f"Chủ trì, đã quá hạn (hạn trước {query.today:%d/%m/%Y})"
                    if query.period_kind is PeriodKindAsked.OVERDUE else "Chủ trì",
            "collective": "Giao chung cho " + ", ".join(collective_names.values()),
            "coordinating": "Phối hợp",
            "text": "Nhiệm vụ giao trong phần lời của kế hoạch (Tổ chức thực hiện)",
        }
        if (period is None or period.end - period.start > dt.timedelta(days=300)) and not query.period_kind:
            duties = [i for i in self._duties.get(agency, []) if self.index.records[i].document == plan.id]
            if duties and query.role is not Role.COORDINATING and not query.appendix_only:
                buckets["text"] = duties
        wanted = {
            Role.LEAD: ("lead_due", "lead_ongoing", "lead_open", "lead", "collective", "text"),
            Role.COORDINATING: ("coordinating",),
            Role.ANY: ("lead_due", "lead_ongoing", "lead_open", "lead", "collective", "coordinating", "text"),
        }[query.role]
        for key in wanted:
            if buckets.get(key):
                listing.groups.append(RowGroup(key=key, title=titles[key], ids=buckets[key]))
        if query.role is Role.LEAD and buckets.get("coordinating"):
            listing.notes.append(f"Ngoài ra {mention.name} phối hợp thực hiện {len(buckets['coordinating'])} nhiệm vụ khác.")
        led = sum(len(ids) for key, ids in buckets.items() if key.startswith("lead"))
        if query.role is Role.COORDINATING and led:
            listing.notes.append(f"Ngoài ra {mention.name} chủ trì {led} nhiệm vụ trong {period.label if period else 'kế hoạch này'}.")

    def _period_groups(self, query: Query, plan: PlanDocument, period: AskedPeriod | None, listing: PlanListing) -> None:
        rows = [r for r in self._rows(_all_of([{"document": plan.id}, {"kind": "row"}])) if _kind_matches(r, query)]
        if query.period_kind and period is None:
            title = {PeriodKindAsked.RECURRING: "Thực hiện thường xuyên, định kỳ hoặc hằng năm",
                     PeriodKindAsked.CONTINUES: "Kéo dài sang những năm tiếp theo",
                     PeriodKindAsked.OVERDUE: f"Đã quá hạn (hạn trước {query.today:%d/%m/%Y})"}[query.period_kind]
            if query.recurring_month:
                title += f" (tháng {query.recurring_month})"
            if query.deadline_phrases:
                title = "Thời hạn ghi " + " hoặc ".join(f"«{p}»" for p in dict.fromkeys(query.deadline_phrases))
            listing.groups.append(RowGroup(key="kind", title=title, ids=[r.id for r in rows]))
            return
        if period is None:
            listing.groups.append(RowGroup(key="all", title="Tất cả nhiệm vụ", ids=[r.id for r in rows]))
            return
        due = [r.id for r in rows if _timing(r, period) == "due"]
        ongoing = sum(_timing(r, period) == "ongoing" for r in rows)
        if due:
            listing.groups.append(RowGroup(key="due", title=f"Đến hạn trong {period.label}", ids=due))
        if ongoing:
            listing.notes.append(f"Ngoài ra có {ongoing} nhiệm vụ thực hiện thường xuyên hoặc cả năm.")

    # -- hybrid search ----------------------------------------------------------------------
    def search(self, text: str, plans: list[PlanDocument], kinds: tuple[str, ...] = ("row", "prose"),
               k: int = 8, allowed: set[str] | None = None) -> list[Hit]:
        plan_ids = {p.id for p in plans}
        scope = self.index.ids_in(plan_ids, kinds)
        if allowed is not None:
            scope &= allowed
        if not scope:
            return []
        lexical = self.index.lexical.search(text, k=30, allowed=scope)
        where = _all_of([
            {"document": {"$in": sorted(plan_ids)}} if len(plan_ids) > 1 else {"document": next(iter(plan_ids))},
            {"kind": kinds[0]} if len(kinds) == 1 else None,
        ])
        dense = [(i, s) for i, s in self.index.dense_search(text, k=30, where=where) if i in scope]
        fused = fuse_ranks([h.id for h in lexical], [i for i, _ in dense], weights=(self.lexical_weight, 1.0))
        lexical_rank = {h.id: (rank, h.score) for rank, h in enumerate(lexical, start=1)}
        ceiling = self.index.lexical.ceiling(text) or 1.0
        dense_rank = {i: (rank, s) for rank, (i, s) in enumerate(dense, start=1)}
        hits = [
            Hit(
                id=record_id,
                score=score,
                lexical_rank=lexical_rank.get(record_id, (None, 0.0))[0],
                lexical_score=lexical_rank.get(record_id, (None, 0.0))[1],
                lexical_share=lexical_rank.get(record_id, (None, 0.0))[1] / ceiling,
                dense_rank=dense_rank.get(record_id, (None, 0.0))[0],
                dense_similarity=dense_rank.get(record_id, (None, 0.0))[1],
            )
            for record_id, score in fused.items()
        ]
        return sorted(hits, key=lambda h: -h.score)[:k]

    def retrieve(self, query: Query) -> Retrieval:
        if query.intent is Intent.DECLINE:
            return Retrieval(intent=Intent.DECLINE)
        if query.intent in (Intent.LISTING, Intent.COUNT):
            return self.listing(query)
        if query.intent is Intent.SUM:
            return self.total(query)
        if query.intent is Intent.META:
            return Retrieval(intent=Intent.META)
        plans = self.plans_for(query)
        # An agency named in a lookup ("… đến UBND cấp xã") is part of what is asked about, not a
        # filter: its words already weigh in the lexical ranking.
        text = f"{query.question} {query.topic}" if query.inherited else query.question
        hits = self.search(expand_for_search(text), plans, kinds=("row", "prose"))
        plan_ids = {p.id for p in plans}
        sections = [s for s in self.index.sections if s.document in plan_ids]
        first = [query.focus] if query.focus in self.index.records else []
        boosted = [Hit(id=i, score=1.0, pinned=True) for i in first + fact_passages(query.question, sections)]
        ranked = boosted + [h for h in hits if h.id not in {b.id for b in boosted}]
        return Retrieval(intent=query.intent, hits=ranked[: max(8, len(boosted))])

    def record(self, record_id: str) -> Record:
        return self.index.get(record_id)
