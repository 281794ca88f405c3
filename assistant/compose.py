"""The deterministic, grounded generator: it writes the answer from the records themselves, so it
never states anything the rows do not. Each fact is followed by the label of the row it came from."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import BaseModel, Field

from assistant.contract import Intent, Query
from assistant.retrieval import Hit, Retrieval, expand_for_search
from indexer.records import PlanDocument, ProseSection, RowRecord
from indexer.store import Record
from indexer.vntext import fold, tokens

_MAX_WORK = 220  # characters of task text shown per item; the citation holds the whole row
_FIGURE = re.compile(r"\d")
_ASKS_FIGURE = re.compile(r"\b(?:bao nhieu|may|so|ty le|phan tram|xep hang|diem|ngay|khi nao|bao gio|han)\b")
_SENTENCE = re.compile(r"(?<=[.;!?])\s+|\n+")
# A hit must share this many query terms (BM25 score) or be this close in meaning to count as found.
MIN_LEXICAL_SCORE = 3.0
MIN_DENSE_SIMILARITY = 0.86


_COMMON_TERMS = set(tokens("của các và cho là trong tỉnh kế hoạch năm được có những gì nào ai"))


class Draft(BaseModel):
    """An answer before it is wrapped in the contract: its text and the records it cites, in order."""

    text: str
    cited: list[str] = Field(default_factory=list)
    found: bool = True
    flags: list[str] = Field(default_factory=list)


def _short(text: str, limit: int = _MAX_WORK) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


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


def plans_held(plans: list[PlanDocument]) -> str:
    return "; ".join(f"{p.short_title} ({p.province}, năm {p.year})" for p in plans)


def decline_text(query: Query, plans: list[PlanDocument]) -> str:
    held = plans_held(plans)
    reason = query.decline_reason
    if reason == "injection":
        return ("Tôi chỉ trả lời về nội dung các kế hoạch cải cách hành chính đã được nạp, theo đúng "
                f"các dòng trong văn bản, và không thay đổi cách làm việc này. Các kế hoạch hiện có: {held}.")
    if reason == "province":
        return (f"Hệ thống chưa có kế hoạch cải cách hành chính của {query.unknown_province}, nên không thể "
                f"trả lời. Các kế hoạch hiện có: {held}.")
    if reason == "year":
        return f"Hệ thống không có kế hoạch nào cho năm {query.year}. Các kế hoạch hiện có: {held}."
    if reason == "off_topic":
        return ("Câu hỏi này nằm ngoài nội dung các kế hoạch cải cách hành chính mà hệ thống quản lý. "
                f"Các kế hoạch hiện có: {held}.")
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
        elif query.unknown_agency and not query.agency:
            yield (f"Không nhận ra cơ quan «{query.unknown_agency}» trong danh mục cơ quan của các kế hoạch. "
                   "Hãy dùng tên đầy đủ hoặc tên viết tắt thường dùng, ví dụ «Sở Nội vụ», «Sở TT&TT», «VP UBND tỉnh»."), []
        elif query.intent is Intent.LISTING:
            yield from self._listing(query, retrieval)
        elif query.intent is Intent.LOOKUP:
            yield from self._lookup(query, retrieval)
        else:
            yield from self._search(query, retrieval)

    def generate(self, query: Query, retrieval: Retrieval) -> Draft:
        text, cited = [], []
        for chunk, ids in self.stream(query, retrieval):
            text.append(chunk)
            cited.extend(i for i in ids if i not in cited)
        found = bool(cited)
        return Draft(text="\n".join(text).strip(), cited=cited, found=found)

    # -- listings -----------------------------------------------------------------------
    def _listing(self, query: Query, retrieval: Retrieval) -> Iterator[tuple[str, list[str]]]:
        who = query.agency.name if query.agency else "Các cơ quan"
        listings = retrieval.listings
        if not any(listing.ids for listing in listings):
            scope = f" trong {query.period.label}" if query.period else ""
            role = {"lead": " chủ trì", "coordinating": " phối hợp"}.get(query.role.value, "")
            plans = [listing.plan for listing in listings] or self.plans
            yield f"Các kế hoạch không giao {who} nhiệm vụ{role} nào{scope} ({plans_held(plans)}).", []
            for listing in listings:
                for note in listing.notes:
                    yield note, []
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
                continue
            scope = f", {listing.period.label}" if listing.period else ""
            count = len(listing.ids)
            yield f"\n{who}{scope} — {listing.plan.short_title}: {count} nhiệm vụ.", []
            for group in listing.groups:
                yield f"{group.title}:", []
                for number, row_id in enumerate(group.ids, start=1):
                    row = self.records[row_id]
                    assert isinstance(row, RowRecord)
                    with_lead = group.key in ("coordinating", "due", "all")
                    yield f"{number}. {describe_row(row, with_lead=with_lead)}", [row_id]
            for note in listing.notes:
                yield note, []

    # -- lookups ------------------------------------------------------------------------
    def _relevant(self, hits: list[Hit]) -> list[Hit]:
        return [h for h in hits if h.lexical_score >= MIN_LEXICAL_SCORE or h.dense_similarity >= MIN_DENSE_SIMILARITY]

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
        field = query.lookup
        work = _short(_work(best), 160)
        if field == "coordinating":
            fact = f"Phối hợp thực hiện «{work}»: {best.coordinating_text or 'văn bản không ghi cơ quan phối hợp'}"
        elif field == "deadline":
            fact = f"Thời hạn của «{work}»: {best.period.text or 'văn bản không ghi'} (chủ trì: {best.lead_text})"
        elif field == "budget":
            budget = best.budget.text if best.budget else "văn bản không ghi kinh phí"
            unit = " triệu đồng" if best.budget and best.budget.million_vnd is not None and "triệu" not in budget else ""
            fact = f"Kinh phí cho «{work}»: {budget}{unit}"
        elif field == "target":
            fact = f"Mục tiêu, chỉ tiêu: «{best.target or 'văn bản không ghi'}» — nhiệm vụ: «{work}», chủ trì: {best.lead_text}"
        elif field == "product":
            fact = f"Sản phẩm của «{work}»: {best.product or 'văn bản không ghi'}"
        else:
            fact = f"Chủ trì «{work}»: {best.lead_text}"
            if best.coordinating_text:
                fact += f"; phối hợp: {_short(best.coordinating_text, 160)}"
            fact += f"; thời hạn: {best.period.text or 'không ghi'}"
        yield f"{fact} [{best.label}]", [best.id]
        others = [h for h in hits[1:3] if isinstance(self.records[h.id], RowRecord)]
        if others:
            yield "Các dòng liên quan khác:", []
            for hit in others:
                row = self.records[hit.id]
                yield f"- {describe_row(row, with_lead=True)}", [hit.id]

    # -- prose and other facts ----------------------------------------------------------
    def _search(self, query: Query, retrieval: Retrieval) -> Iterator[tuple[str, list[str]]]:
        hits = self._relevant(retrieval.hits)
        if not hits:
            yield from self._not_found(query)
            return
        query_terms = set(tokens(expand_for_search(query.question))) - _COMMON_TERMS
        for hit in hits[:3]:
            record = self.records[hit.id]
            if isinstance(record, RowRecord):
                yield f"- {describe_row(record, with_lead=True)}", [hit.id]
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
