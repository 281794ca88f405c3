"""The deterministic, grounded generator: it writes the answer from the records themselves, so it
never states anything the rows do not. Each fact is followed by the label of the row it came from."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import BaseModel, Field

from assistant.answerability import Decision
from assistant.blocks import listing_heading, overview_question
from assistant.contract import Intent, Query
from assistant.facts import expand_for_search, fact_sentences
from assistant.figures import describe, extreme, superlative
from assistant.retrieval import Hit, Retrieval
from indexer.records import PlanDocument, ProseSection, RowRecord
from indexer.store import Record
from indexer.vntext import fold, tokens

_MAX_WORK = 220  # characters of task text shown per item; the citation holds the whole row
_FIGURE = re.compile(r"\d")
_ASKS_FIGURE = re.compile(r"\b(?:bao nhieu|may|so|ty le|phan tram|xep hang|diem|ngay|khi nao|bao gio|han)\b")
_SENTENCE = re.compile(r"(?<=[.;!?])\s+|\n+")
CAVEAT_NOTE = ("không dòng nào khớp hẳn với mọi ý của câu hỏi; trên đây là nội dung gần nhất trong kế hoạch, "
               "hãy đối chiếu với dòng được trích.")
# A hit is shown beside the best one when its fused score is at least this share of the best's.
SHOWN_SCORE_SHARE = 0.5
# A lookup's second row this close to the first is a near tie: which of the two is meant, the
# retrieval cannot tell, so both are shown (the official picks; missing the right row costs more).
CLOSE_CALL_SHARE = 0.975


_COMMON_TERMS = set(tokens("của các và cho là trong tỉnh kế hoạch năm được có những gì nào ai"))


class Draft(BaseModel):
    """An answer before it is wrapped in the contract: its text and the records it cites, in order."""

    text: str
    cited: list[str] = Field(default_factory=list)
    found: bool = True
    flags: list[str] = Field(default_factory=list)
    chunks: list[tuple[str, list[str]]] = Field(default_factory=list, description="(line, ids it cites), for the blocks")


def _short(text: str, limit: int = _MAX_WORK) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _same_task(row: RowRecord, other: RowRecord) -> bool:
    return fold(_work(row)) == fold(_work(other)) or bool(row.task) and fold(row.task) == fold(other.task)


def _work(row: RowRecord) -> str:
    return row.activity or row.task or row.target


def describe_row(row: RowRecord, with_lead: bool = False) -> str:
    parts = [_short(_work(row))]
    if with_lead and row.lead_text:
        parts.append(f"chủ trì: {_short(row.lead_text, 120)}")
    if row.product:
        parts.append(f"sản phẩm: {_short(row.product, 120)}")
    parts.append(f"thời hạn: {row.period.text or 'không ghi'}")
    return "; ".join(parts) + f" [{row.label}]"


_FIELD_ORDER = ("lead", "coordinating", "deadline", "product", "budget", "target")


def thousands(value: int) -> str:
    """10300 -> "10.300", as Vietnamese writes numbers."""
    return f"{value:,}".replace(",", ".")


def vnd(value: float) -> str:
    """12000.0 -> "12.000"; 2.5 -> "2,5", as the plans print amounts."""
    whole, _, fraction = f"{value:,.2f}".rstrip("0").rstrip(".").partition(".")
    return whole.replace(",", ".") + ("," + fraction if fraction else "")


def unit_count(row: RowRecord) -> int | None:
    """How many units a per-unit budget is for, where the row says so: "314 cơ quan, đơn vị",
    "02 bệnh viện và 13 Trung tâm y tế"."""
    text = row.product or row.task
    numbers = [int(n.replace(".", "")) for n in re.findall(r"(?<![\d/.,])(\d{1,4}(?:\.\d{3})*)(?=\s+[^\W\d])", text.split("(")[0])]
    return sum(numbers) if numbers else None


def budget_text(row: RowRecord) -> str:
    if not row.budget:
        return "văn bản không ghi kinh phí"
    text = row.budget.text
    if row.budget.per_unit and row.budget.million_vnd is not None and (units := unit_count(row)):
        total = row.budget.million_vnd * units
        return f"{text} × {units} đơn vị = {vnd(total)} triệu đồng"
    if row.budget.million_vnd is not None and "triệu" not in text and "đồng" not in text:
        return f"{text} triệu đồng"
    return text


def row_facts(row: RowRecord, asked: list[str]) -> str:
    """Every field of a row, the ones asked first: a lookup answer is never one field short."""
    values = {
        "lead": ("chủ trì", row.lead_text or "văn bản không ghi"),
        "coordinating": ("phối hợp", _short(row.coordinating_text, 300) if row.coordinating_text else "văn bản không ghi"),
        "deadline": ("thời hạn", row.period.text or "văn bản không ghi"),
        "product": ("sản phẩm", _short(row.product, 300) if row.product else "văn bản không ghi"),
        "budget": ("kinh phí", budget_text(row)),
        "target": ("mục tiêu, chỉ tiêu", _short(row.target, 300)),
    }
    order = [f for f in asked if f in values] + [f for f in _FIELD_ORDER if f not in asked]
    return "; ".join(f"{values[f][0]}: {values[f][1]}" for f in order if f != "target" or row.target)


def verdict(row: RowRecord, query: Query) -> str:
    """«Có» or «Không» for a yes/no question about an agency's part in the row found, from its cells."""
    agency = query.agency
    leads = agency.id in {a.id for a in row.lead}
    coordinates = agency.id in {a.id for a in row.coordinating}
    asked = query.role.value
    if (leads and asked in ("lead", "any")) or (coordinates and asked in ("coordinating", "any")):
        part = "chủ trì" if leads else "phối hợp"
        return f"Có: theo kế hoạch, {agency.name} {part} việc này."
    if coordinates:
        return f"Không: {agency.name} chỉ phối hợp; chủ trì là {row.lead_text or 'văn bản không ghi'}."
    return f"Không: dòng gần nhất với câu hỏi không giao {agency.name}; chủ trì là {row.lead_text or 'văn bản không ghi'}."


def comparison(totals: dict[str, int], query: Query) -> str:
    """«So sánh: Hưng Yên 12, Hà Tĩnh 9 — Hưng Yên nhiều hơn.» over the provinces counted."""
    role = {"lead": " chủ trì", "coordinating": " phối hợp"}.get(query.role.value, "")
    ranked = sorted(totals.items(), key=lambda item: -item[1])
    listed = ", ".join(f"{province} {count}" for province, count in ranked)
    if ranked[0][1] == ranked[1][1]:
        return f"So sánh số nhiệm vụ{role}: {listed} — bằng nhau."
    return f"So sánh số nhiệm vụ{role}: {listed} — {ranked[0][0]} nhiều nhất."


def version_notes(plans: dict[str, PlanDocument], cited_plans: list[str]) -> list[str]:
    """What an official must know about the versions of the plans an answer cites."""
    notes = []
    for plan_id in dict.fromkeys(cited_plans):
        plan = plans.get(plan_id)
        if plan is None:
            continue
        if plan.replaces in plans:
            notes.append(f"«{plan.short_title}» thay thế «{plans[plan.replaces].short_title}»; câu trả lời theo văn bản mới.")
        if plan.amends in plans:
            notes.append(f"«{plan.short_title}» sửa đổi, bổ sung «{plans[plan.amends].short_title}»; "
                         "các dòng trích từ văn bản này là nội dung hiện hành.")
        later = [plans[i] for i in plan.amended_by if i in plans]
        if later:
            names = ", ".join(f"«{p.short_title}»" + (f" (số {p.doc_number})" if p.doc_number else "") for p in later)
            notes.append(f"«{plan.short_title}» đã được sửa đổi, bổ sung bởi {names}; hãy đối chiếu nội dung sửa đổi.")
    return notes


def plans_held(plans: list[PlanDocument]) -> str:
    return "; ".join(f"{p.short_title} ({p.province}, năm {p.year})" for p in plans)


def decline_text(query: Query, plans: list[PlanDocument]) -> str:
    held = plans_held(plans)
    reason = query.decline_reason
    if reason == "injection":
        return ("Tôi chỉ trả lời về nội dung các kế hoạch cải cách hành chính đã được nạp, theo đúng "
                f"các dòng trong văn bản, và không thay đổi cách làm việc này. Các kế hoạch hiện có: {held}.")
    if reason == "province":
        notes = " ".join(query.notes)
        return (f"{notes + ' ' if notes else ''}Hệ thống chưa có kế hoạch cải cách hành chính của {query.unknown_province}, "
                f"nên không thể trả lời. Các kế hoạch hiện có: {held}.")
    if reason == "year":
        return f"Hệ thống không có kế hoạch nào cho năm {query.year}. Các kế hoạch hiện có: {held}."
    if reason == "personal":
        return ("Tôi không cung cấp thông tin cá nhân (lương, số điện thoại, địa chỉ, danh sách cán bộ…). "
                f"Tôi chỉ trả lời về nhiệm vụ trong các kế hoạch cải cách hành chính: {held}.")
    if reason == "modify":
        return ("Tôi chỉ đọc các kế hoạch, không thêm, sửa hay xóa nội dung nào. Việc cập nhật kế hoạch do người "
                f"quản trị cổng thực hiện. Các kế hoạch hiện có: {held}.")
    if reason == "not_covered":
        evidence = query.assessment.evidence if query.assessment else None
        about = f": không dòng nào nói về «{' '.join(evidence.words)}»" if evidence and evidence.words else ""
        return (f"Câu hỏi này nằm ngoài nội dung các kế hoạch cải cách hành chính hiện có{about}. Tôi trả lời về "
                f"nhiệm vụ, cơ quan chủ trì, phối hợp, thời hạn, kinh phí và chỉ tiêu trong: {held}.")
    return f"Các kế hoạch hiện có không đề cập nội dung này. Các kế hoạch hiện có: {held}."


class DeterministicGenerator:
    """Composes Vietnamese answers line by line from the retrieved records."""

    name = "deterministic"

    def __init__(self, records: dict[str, Record], plans: list[PlanDocument]):
        self.records = records
        self.plans = plans

    def stream(self, query: Query, retrieval: Retrieval, flags: list[str] | None = None) -> Iterator[tuple[str, list[str]]]:
        """Yields (text chunk, ids cited by that chunk); composing from records raises no flags."""
        if query.intent is Intent.DECLINE:
            yield decline_text(query, self.plans), []
            return
        if query.unknown_agency and not query.agency:
            close = f" Có phải ý bạn là: {', '.join(query.suggestions)}?" if query.suggestions else ""
            yield (f"Không nhận ra cơ quan «{query.unknown_agency}» trong danh mục cơ quan của các kế hoạch.{close} "
                   "Hãy dùng tên đầy đủ hoặc tên viết tắt thường dùng, ví dụ «Sở Nội vụ», «Sở TT&TT», «VP UBND tỉnh»."), []
            return
        for note in query.notes:
            yield f"Lưu ý: {note}", []
        handler = {
            Intent.LISTING: self._listing,
            Intent.COUNT: self._count,
            Intent.SUM: self._sum,
            Intent.META: self._meta,
            Intent.LOOKUP: self._lookup,
        }.get(query.intent, self._search)
        cited: list[str] = []
        for chunk, ids in handler(query, retrieval):
            cited += ids
            yield chunk, ids
        for note in version_notes({p.id: p for p in self.plans}, [self.records[i].document for i in cited if i in self.records]):
            yield f"Lưu ý: {note}", []
        if query.assessment and query.assessment.decision is Decision.CAVEAT:
            yield f"Lưu ý: {CAVEAT_NOTE}", []

    def generate(self, query: Query, retrieval: Retrieval) -> Draft:
        text, cited, chunks = [], [], []
        for chunk, ids in self.stream(query, retrieval):
            text.append(chunk)
            chunks.append((chunk, ids))
            cited.extend(i for i in ids if i not in cited)
        return Draft(text="\n".join(text).strip(), cited=cited, chunks=chunks)

    # -- listings -----------------------------------------------------------------------
    def _listing(self, query: Query, retrieval: Retrieval) -> Iterator[tuple[str, list[str]]]:
        who = " và ".join(a.name for a in query.agencies) if query.agencies else "Các cơ quan"
        listings = retrieval.listings
        if not any(listing.ids for listing in listings):
            scope = f" trong {query.period.label}" if query.period else ""
            role = {"lead": " chủ trì", "coordinating": " phối hợp"}.get(query.role.value, "")
            plans = [listing.plan for listing in listings] or self.plans
            if query.agencies:
                yield f"Các kế hoạch không giao {who} nhiệm vụ{role} nào{scope} ({plans_held(plans)}).", []
            else:
                yield f"Không có nhiệm vụ nào{scope} phù hợp câu hỏi trong {plans_held(plans)}.", []
            for listing in listings:
                for note in listing.notes:
                    yield note, []
            return
        if retrieval.broad:
            yield from self._overview(query, retrieval, who)
            return
        moved = [listing for listing in listings if listing.moved_from]
        if moved:
            asked = moved[0].moved_from.label
            years = sorted({listing.plan.year for listing in moved})
            held = sorted({p.year for p in self.plans})
            yield (f"Lưu ý: chưa có kế hoạch nào cho {asked} (các kế hoạch hiện có thuộc năm {', '.join(map(str, held))}). "
                   f"Dưới đây là nhiệm vụ cùng kỳ trong kế hoạch gần nhất (năm {', '.join(map(str, years))}), chỉ để tham khảo."), []
        for listing in listings:
            if not listing.ids:
                if listing.agency and len(query.agencies) > 1:
                    yield f"\n{listing.agency.name} — {listing.plan.short_title}: không có nhiệm vụ nào trong phạm vi hỏi.", []
                continue
            who = listing.agency.name if listing.agency else "Các cơ quan"
            label = listing.period.label if listing.period else None
            yield "\n" + listing_heading(who, label, listing.plan, len(listing.ids)), []
            for group in listing.groups:
                yield f"{group.title} ({len(group.ids)}):", []
                for number, record_id in enumerate(group.ids, start=1):
                    record = self.records[record_id]
                    if isinstance(record, ProseSection):
                        yield f"{number}. {record.heading}: {_short(record.text, 400)} [{record.label}]", [record_id]
                        continue
                    with_lead = group.key in ("coordinating", "due", "all", "kind")
                    yield f"{number}. {describe_row(record, with_lead=with_lead)}", [record_id]
            for note in listing.notes:
                yield note, []

    def _overview(self, query: Query, retrieval: Retrieval, who: str) -> Iterator[tuple[str, list[str]]]:
        counts = retrieval.by_province()
        scope = f" trong {query.period.label}" if query.period else ""
        yield (f"{who} có {thousands(sum(counts.values()))} dòng nhiệm vụ liên quan{scope} trong kế hoạch của "
               f"{len(counts)} tỉnh, thành phố — quá nhiều để liệt kê trong một câu trả lời. Hãy hỏi kèm tên tỉnh, "
               f"ví dụ: «{overview_question(query, next(iter(counts)))}»"), []
        for province, count in counts.items():
            years = sorted({l.plan.year for l in retrieval.listings if l.plan.province == province and l.ids})
            span = f"năm {years[0]}" if len(years) == 1 else f"{len(years)} kế hoạch, {years[0]}–{years[-1]}"
            yield f"- {province}: {thousands(count)} dòng ({span})", []

    # -- lookups ------------------------------------------------------------------------
    @staticmethod
    def _relevant(hits: list[Hit]) -> list[Hit]:
        """The hits worth showing once the question was judged answerable: pinned ones, and those
        within reach of the best (assistant.assess decided whether to answer at all)."""
        if not hits:
            return []
        best = max(h.score for h in hits)
        return [h for h in hits if h.pinned or h.score >= best * SHOWN_SCORE_SHARE]

    def _lookup(self, query: Query, retrieval: Retrieval) -> Iterator[tuple[str, list[str]]]:
        hits = self._relevant(retrieval.hits)
        if not hits:
            yield from self._not_found(query)
            return
        best = self.records[hits[0].id]
        if isinstance(best, ProseSection):
            # The answer lives in the plan body (reporting deadlines, targets), not in a table row.
            yield from self._search(query, retrieval)
            return
        if query.yes_no and query.agency:
            yield verdict(best, query), []
        yield f"«{_short(_work(best), 200)}»: {row_facts(best, query.fields)} [{best.label}]", [best.id]
        # Only other rows of the same task (the plan may print it twice): the citations do not depend on phrasing.
        others = [h for h in hits[1:3] if isinstance(self.records[h.id], RowRecord) and _same_task(self.records[h.id], best)]
        if others:
            yield "Các dòng liên quan khác:", []
            for hit in others:
                row = self.records[hit.id]
                yield f"- {describe_row(row, with_lead=True)}", [hit.id]
        close = [h for h in hits[1:2] if h.score >= hits[0].score * CLOSE_CALL_SHARE and h not in others
                 and isinstance(self.records[h.id], RowRecord)]
        for hit in close:
            row = self.records[hit.id]
            yield f"Dòng gần nghĩa, nên xem cùng: «{_short(_work(row), 200)}»: {row_facts(row, query.fields)} [{row.label}]", [hit.id]

    # -- counts, sums, what is held ----------------------------------------------------------
    def _count(self, query: Query, retrieval: Retrieval) -> Iterator[tuple[str, list[str]]]:
        totals: dict[str, int] = {}
        for listing in retrieval.listings:
            if listing.agency is None:
                scope = f" trong {listing.period.label}" if listing.period else ""
                section = f", mục {query.section}" if query.section else ""
                totals[listing.plan.province] = totals.get(listing.plan.province, 0) + len(listing.ids)
                yield f"{listing.plan.short_title}{section}{scope}: {len(listing.ids)} nhiệm vụ.", []
                continue
            sizes = {key: sum(len(g.ids) for g in listing.groups if g.key.startswith(key)) for key in ("lead", "coordinating", "collective", "text")}
            who = listing.agency.name if listing.agency else "Các cơ quan"
            scope = f" trong {listing.period.label}" if listing.period else ""
            asked = {"lead": sizes["lead"], "coordinating": sizes["coordinating"]}.get(
                query.role.value, sizes["lead"] + sizes["coordinating"])
            totals[listing.plan.province] = totals.get(listing.plan.province, 0) + asked
            yield (f"{who} — {listing.plan.short_title}{scope}: chủ trì {sizes['lead']} nhiệm vụ, phối hợp {sizes['coordinating']}, "
                   f"giao chung cho tập thể có {who} {sizes['collective']}"
                   + (f", và {sizes['text']} nhiệm vụ giao trong phần lời của kế hoạch" if sizes["text"] else "") + "."), []
        if len(totals) > 1:
            yield comparison(totals, query), []
        yield ("Cách đếm: mỗi dòng của bảng nhiệm vụ tính một lần, theo ô Chủ trì / Phối hợp ghi đúng tên cơ quan; "
               "dòng giao cho tập thể (các sở, ban, ngành…) đếm riêng. Danh sách các dòng:"), []
        yield from self._listing(query, retrieval)

    def _sum(self, query: Query, retrieval: Retrieval) -> Iterator[tuple[str, list[str]]]:
        rows = [r for listing in retrieval.listings for r in (self.records[i] for i in listing.ids) if isinstance(r, RowRecord)]
        if not rows:
            yield from self._not_found(query)
            return
        summed = [r for r in rows if r.budget and r.budget.million_vnd is not None and not r.budget.per_unit]
        per_unit = [r for r in rows if r.budget and r.budget.per_unit]
        other = [r for r in rows if r not in summed and r not in per_unit]
        scope = f"mục {query.section}" if query.section else (f"các nhiệm vụ {query.agency.name} chủ trì" if query.agency else "các dòng đã chọn")
        total = sum(r.budget.million_vnd for r in summed)
        yield (f"Tổng kinh phí {scope}: {vnd(total)} triệu đồng, cộng từ {len(summed)} dòng ghi số tiền "
               f"(đơn vị triệu đồng){f'; {len(other)} dòng không ghi số tiền' if other else ''}.") , []
        for number, row in enumerate(summed, start=1):
            yield f"{number}. {_short(_work(row), 160)}: {budget_text(row)} [{row.label}]", [row.id]
        if per_unit:
            yield "Kinh phí tính theo đơn vị (không cộng vào tổng):", []
            for row in per_unit:
                yield f"- {_short(_work(row), 160)}: {budget_text(row)} [{row.label}]", [row.id]

    def _meta(self, query: Query, retrieval: Retrieval) -> Iterator[tuple[str, list[str]]]:
        yield "Các kế hoạch đang có trong hệ thống:", []
        for plan in self.plans:
            number = f", số {plan.doc_number}" if plan.doc_number else ""
            day = f", ngày {plan.doc_date:%d/%m/%Y}" if plan.doc_date else ""
            yield f"- {plan.title} ({plan.province}, năm {plan.year}{number}{day})", []

    # -- prose and other facts ----------------------------------------------------------
    def _search(self, query: Query, retrieval: Retrieval) -> Iterator[tuple[str, list[str]]]:
        hits = self._relevant(retrieval.hits)
        if not hits:
            yield from self._not_found(query)
            return
        query_terms = set(tokens(expand_for_search(query.question))) - _COMMON_TERMS
        pinned = [h for h in hits if h.pinned]
        asked = superlative(query.question)
        for hit in pinned or hits[:3]:
            record = self.records[hit.id]
            if isinstance(record, RowRecord):
                yield f"- {describe_row(record, with_lead=True)}", [hit.id]
                continue
            if hit.pinned and len(record.text) <= 900:  # a short passage stating the fact asked (signer, recipients): whole
                yield f"- {record.heading}: {_short(record.text, 900)} [{record.label}]", [hit.id]
                continue
            if hit.pinned and (pattern := fact_sentences(query.question)):  # every sentence stating it («Căn cứ …»)
                stated = [x.strip() for x in _SENTENCE.split(record.text) if re.search(pattern, x)]
                if stated:
                    yield f"- {' … '.join(_short(x, 400) for x in stated)} [{record.label}]", [hit.id]
                    continue
            if asked and (statement := extreme(record.text, asked)):  # «which field scored lowest»: the item and its figure
                yield f"- {describe(statement)} [{record.label}]", [hit.id]
                continue
            wants_figure = bool(_ASKS_FIGURE.search(fold(query.question)))
            yield f"- {self._best_sentences(record, query_terms, wants_figure)} [{record.label}]", [hit.id]

    @staticmethod
    def _best_sentences(section: ProseSection, terms: set[str], wants_figure: bool, limit: int = 3) -> str:
        """The sentences sharing most terms with the question; when it asks for a figure or a
        date, sentences that state one come first."""
        sentences = [s.strip() for s in _SENTENCE.split(section.text) if len(s.strip()) > 15]
        if not sentences:
            return _short(section.text, 400)

        def score(i: int) -> tuple[int, int]:
            overlap = len(terms & set(tokens(sentences[i])))
            return (overlap + (2 if wants_figure and _FIGURE.search(sentences[i]) else 0), -i)

        best = sorted(range(len(sentences)), key=score, reverse=True)[:limit]
        return " … ".join(_short(sentences[i], 400) for i in sorted(best))

    def _not_found(self, query: Query) -> Iterator[tuple[str, list[str]]]:
        topic = f" về «{query.question}»" if fold(query.question) else ""
        yield f"Các kế hoạch hiện có không đề cập nội dung{topic}. Các kế hoạch hiện có: {plans_held(self.plans)}.", []
