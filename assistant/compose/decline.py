"""What is written when the plans do not answer: a declined question (by its reason), an agency
not recognised, nothing found, and the plans held (the META intent lists them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from assistant.compose.sources import Chunk, Sources
from assistant.contract import Query
from assistant.retrieval import Retrieval
from indexer.records import PlanDocument
from indexer.vntext import fold


def plans_held(plans: list[PlanDocument]) -> str:
    return "; ".join(f"{p.short_title} ({p.province}, năm {p.year})" for p in plans)


def _injection(query: Query, held: str) -> str:
    return ("Tôi chỉ trả lời về nội dung các kế hoạch cải cách hành chính đã được nạp, theo đúng "
            f"các dòng trong văn bản, và không thay đổi cách làm việc này. Các kế hoạch hiện có: {held}.")


def _province(query: Query, held: str) -> str:
    notes = " ".join(query.notes)
    return (f"{notes + ' ' if notes else ''}Hệ thống chưa có kế hoạch cải cách hành chính của {query.unknown_province}, "
            f"nên không thể trả lời. Các kế hoạch hiện có: {held}.")


def _year(query: Query, held: str) -> str:
    where = f" của {', '.join(query.provinces)}" if query.provinces else ""
    return f"Hệ thống không có kế hoạch nào{where} cho năm {query.year}. Các kế hoạch hiện có: {held}."


def _personal(query: Query, held: str) -> str:
    return ("Tôi không cung cấp thông tin cá nhân (lương, số điện thoại, địa chỉ, danh sách cán bộ…). "
            f"Tôi chỉ trả lời về nhiệm vụ trong các kế hoạch cải cách hành chính: {held}.")


def _modify(query: Query, held: str) -> str:
    return ("Tôi chỉ đọc các kế hoạch, không thêm, sửa hay xóa nội dung nào. Việc cập nhật kế hoạch do người "
            f"quản trị cổng thực hiện. Các kế hoạch hiện có: {held}.")


def _not_covered(query: Query, held: str) -> str:
    evidence = query.assessment.evidence if query.assessment else None
    about = f": không dòng nào nói về «{' '.join(evidence.words)}»" if evidence and evidence.words else ""
    return (f"Câu hỏi này nằm ngoài nội dung các kế hoạch cải cách hành chính hiện có{about}. Tôi trả lời về "
            f"nhiệm vụ, cơ quan chủ trì, phối hợp, thời hạn, kinh phí và chỉ tiêu trong: {held}.")


def _not_mentioned(query: Query, held: str) -> str:
    return f"Các kế hoạch hiện có không đề cập nội dung này. Các kế hoạch hiện có: {held}."


# Query.decline_reason -> the refusal; any other reason reads as «not mentioned».
_DECLINES: dict[str | None, Callable[[Query, str], str]] = {
    "injection": _injection,
    "province": _province,
    "year": _year,
    "personal": _personal,
    "modify": _modify,
    "not_covered": _not_covered,
}


def decline_text(query: Query, plans: list[PlanDocument]) -> str:
    return _DECLINES.get(query.decline_reason, _not_mentioned)(query, plans_held(plans))


def unknown_agency_text(query: Query) -> str:
    """An agency named but not recognised: the closest names, else how to write one."""
    quoted = [f"«{name}»" for name in query.suggestions]  # a name may hold commas itself
    close = f" Có phải ý bạn là: {', '.join(quoted[:-1])} hay {quoted[-1]}?" if len(quoted) > 1 else (
        f" Có phải ý bạn là {quoted[0]}?" if quoted else "")
    return (f"Không nhận ra cơ quan «{query.unknown_agency}» trong danh mục cơ quan của các kế hoạch.{close} "
            "Hãy dùng tên đầy đủ hoặc tên viết tắt thường dùng, ví dụ «Sở Nội vụ», «Sở TT&TT», «VP UBND tỉnh».")


def not_found(query: Query, sources: Sources) -> Iterator[Chunk]:
    topic = f" về «{query.question}»" if fold(query.question) else ""
    yield f"Các kế hoạch hiện có không đề cập nội dung{topic}. Các kế hoạch hiện có: {plans_held(sources.plans)}.", []


def compose_meta(query: Query, retrieval: Retrieval, sources: Sources) -> Iterator[Chunk]:
    """Which plans the assistant holds, with their numbers and dates."""
    yield "Các kế hoạch đang có trong hệ thống:", []
    for plan in sources.plans:
        number = f", số {plan.doc_number}" if plan.doc_number else ""
        day = f", ngày {plan.doc_date:%d/%m/%Y}" if plan.doc_date else ""
        yield f"- {plan.title} ({plan.province}, năm {plan.year}{number}{day})", []
