"""Context that follows the user: the asker's profile, references to the items of the last answer
(«việc thứ 3», «việc cuối», «việc đó»), and what is asked back when a question lacks what it leans
on («tỉnh nào?», «đơn vị nào?», a conversation that was lost).

The recognisers here are pure functions over the question's text; `ConversationContext.apply`
puts them to work on a parsed Query, with the last turn of the conversation and the profile.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from enum import Enum

from pydantic import BaseModel, Field

from assistant.contract import (
    Answer,
    Clarification,
    ClarifyKind,
    FollowUpsBlock,
    GroupBlock,
    Intent,
    NoteBlock,
    PeriodKindAsked,
    Profile,
    Query,
    Role,
    Severity,
)
from assistant.session import Turn
from indexer.records import PlanDocument, RowRecord
from indexer.vntext import fold

# -- references to the last answer ------------------------------------------------------------


class RefKind(str, Enum):
    INDEX = "index"  # «việc thứ 3», «nhiệm vụ số 2», «việc đầu tiên»
    LAST = "last"  # «việc cuối», «việc cuối cùng»
    THAT = "that"  # «việc đó», «nhiệm vụ này»


class Reference(BaseModel):
    kind: RefKind
    index: int | None = Field(None, description="1-based, for RefKind.INDEX")
    span: tuple[int, int] = Field(description="the characters of the question the reference claims")


_NUMBERS = {"một": 1, "nhất": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8,
            "chín": 9, "mười": 10}
_NOUN = r"(?:đầu việc|phần việc|việc|nhiệm vụ|hoạt động|nội dung|dòng|cái|ý|mục)"
_WORD = "|".join(sorted(_NUMBERS, key=len, reverse=True))
# Written with their accents; a question typed without any is matched against the folded forms.
_PATTERNS: list[tuple[RefKind, str]] = [
    (RefKind.INDEX, rf"\b{_NOUN}\s+(?:thứ|số)\s+(\d{{1,3}}|{_WORD})(?!\w)"),
    (RefKind.INDEX, r"\b(?:việc|nhiệm vụ|dòng|cái)\s+(\d{1,2})(?![\w/.])"),  # «việc 3», «dòng 2»
    (RefKind.INDEX, rf"\b{_NOUN}\s+(đầu tiên|đầu)(?!\w)"),
    (RefKind.LAST, rf"\b{_NOUN}\s+(cuối cùng|cuối|sau cùng)(?!\w)"),
    (RefKind.THAT, rf"\b{_NOUN}\s+(đó|này|ấy|trên|vừa rồi|vừa nêu)(?!\w)"),
]
_ACCENTED = [(kind, re.compile(pattern)) for kind, pattern in _PATTERNS]
_FOLDED = [(kind, re.compile(fold(pattern))) for kind, pattern in _PATTERNS]
_FOLDED_NUMBERS = {fold(word): n for word, n in _NUMBERS.items()}


def _fold_in_place(text: str) -> str:
    """Folded text with the same length as `text`, so spans found in it are spans of `text`."""
    return "".join((fold(ch) or ch)[:1] for ch in text)


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    if word in ("đầu tiên", "đầu", "dau tien", "dau"):
        return 1
    return _NUMBERS.get(word) or _FOLDED_NUMBERS.get(word)


def read_reference(text: str) -> Reference | None:
    """The first reference to an item of the last answer, or None. «việc thứ 3» is item 3,
    «việc đầu tiên» item 1, «việc cuối» the last, «việc đó» the one just discussed."""
    lower = text.lower()
    found = [(kind, m) for kind, pattern in _ACCENTED for m in [pattern.search(lower)] if m]
    if not found:  # typed without accents: only where the words themselves carry none
        folded = _fold_in_place(lower)
        found = [(kind, m) for kind, pattern in _FOLDED for m in [pattern.search(folded)] if m
                 and lower[m.start():m.end()].isascii()]
    if not found:
        return None
    kind, match = min(found, key=lambda pair: pair[1].start())
    index = _number(match.group(1)) if kind is RefKind.INDEX else None
    if kind is RefKind.INDEX and not index:
        return None
    return Reference(kind=kind, index=index, span=match.span())


# -- closed classes of words ----------------------------------------------------------------------
_OWN_UNIT = re.compile(r"\b(?:don vi|co quan|ben|so) (?:cua )?(?:toi|minh|chung toi|em)\b|\bchung toi\b")
_EVERY_PROVINCE = re.compile(r"\b(?:tat ca (?:cac )?(?:tinh|dia phuong)|cac tinh|moi tinh|tung tinh|ca nuoc|toan quoc|"
                             r"5 tinh|nam tinh)\b")
_CONTINUES = re.compile(r"^(?:va |vay |the |thoi |thi )*(?:con|the con|vay con)\b|\bthi sao\b")
_MAX_LEANING_WORDS = 8  # «Còn Sở Tư pháp thì sao?» is short; a long question says what it needs


def asks_own_unit(text: str) -> bool:
    """«Đơn vị tôi», «cơ quan mình», «chúng tôi»: the asker's own agency."""
    return bool(_OWN_UNIT.search(fold(text)))


def asks_every_province(text: str) -> bool:
    """«tất cả các tỉnh», «các tỉnh», «cả nước»: a listing over every province, asked for."""
    return bool(_EVERY_PROVINCE.search(fold(text)))


def leans_on_previous(text: str, refers: bool = False) -> bool:
    """Whether a question reads as the continuation of an earlier one («còn quý 1?», «Còn Sở Tư
    pháp thì sao?», «việc đó hạn khi nào?»); `refers` is the parser's own «việc đó» finding."""
    folded = fold(text)
    if refers or read_reference(text) is not None:
        return True
    return bool(_CONTINUES.search(folded)) and len(folded.split()) <= _MAX_LEANING_WORDS


def lacks_subject(query: Query) -> bool:
    """A field asked with nothing to ask it of («Kinh phí bao nhiêu?»)."""
    topic = [t for t in query.topic_terms if t != "|"]
    return bool(query.fields) and not topic and not query.agencies and not query.focus


# -- what is said back -------------------------------------------------------------------------
NO_PREVIOUS = ("Chưa có câu trả lời trước trong cuộc trò chuyện này nên chưa rõ câu hỏi nói tới việc nào. "
               "Hãy hỏi lại đầy đủ, ví dụ: «Sở Nội vụ tỉnh Hà Tĩnh chủ trì những việc gì trong quý IV/2022?»")
CONTEXT_LOST = ("Cuộc trò chuyện trước đã hết hạn (hoặc máy chủ vừa khởi động lại) nên không còn biết câu hỏi này "
                "nối tiếp câu nào. Hãy hỏi lại đầy đủ: cơ quan, tỉnh và thời gian, ví dụ «Sở Nội vụ tỉnh Hà Tĩnh "
                "chủ trì những việc gì trong quý I/2022?»")
CHOOSE_PROFILE = ("Bạn hỏi về «đơn vị của tôi» nhưng chưa chọn đơn vị. Hãy chọn ở «Đơn vị của tôi» trên trang hỏi đáp "
                  "(trong Telegram: gõ /donvi), hoặc ghi rõ tên cơ quan và tỉnh trong câu hỏi.")


def _beyond_last(asked: int, shown: int) -> str:
    if shown == 1:
        return f"Câu trả lời trước chỉ có 1 việc, không có việc thứ {asked}. Hãy hỏi «việc đó …» hoặc hỏi lại đầy đủ."
    return f"Câu trả lời trước chỉ có {shown} việc, không có việc thứ {asked}. Hãy chọn một số từ 1 đến {shown}."


def _which_item(shown: int) -> str:
    return f"Câu trả lời trước có {shown} việc; bạn hỏi việc thứ mấy?"


def _which_province(agency: str) -> str:
    return f"Bạn hỏi {agency} của tỉnh nào? Các kế hoạch của nhiều tỉnh đều giao việc cho {agency}."


def _replaced(question: str, span: tuple[int, int], words: str) -> str:
    return f"{question[:span[0]]}{words}{question[span[1]:]}"


def _with_province(question: str, after: int | None, province: str) -> str:
    """The question again, naming the province right after the agency («Sở Nội vụ tỉnh Hà Tĩnh …»)."""
    if after is None:
        return f"{question.rstrip(' ?')} ở tỉnh {province}?"
    return f"{question[:after]} tỉnh {province}{question[after:]}"


def clarify(query: Query, kind: ClarifyKind, text: str, choices: list[str] | None = None) -> Query:
    """The query turned into a question asked back: nothing is retrieved, nothing is claimed found."""
    query.clarify = Clarification(kind=kind, text=text, choices=choices or [])
    query.intent, query.decline_reason, query.rule = Intent.DECLINE, kind.value, f"asks back: {kind.value}"
    query.focus = None
    return query


# -- «Đã hiểu: …» ------------------------------------------------------------------------------
_INTENT_WORDS = {
    Intent.LISTING: "liệt kê nhiệm vụ", Intent.LOOKUP: "tra một nhiệm vụ", Intent.SEARCH: "tìm trong kế hoạch",
    Intent.COUNT: "đếm nhiệm vụ", Intent.SUM: "cộng kinh phí", Intent.META: "các kế hoạch đang có",
    Intent.DECLINE: "ngoài phạm vi",
}
_ROLE_WORDS = {Role.LEAD: "chủ trì", Role.COORDINATING: "phối hợp", Role.ANY: ""}
_FIELD_WORDS = {"lead": "ai chủ trì", "coordinating": "ai phối hợp", "deadline": "thời hạn", "budget": "kinh phí",
                "product": "sản phẩm", "target": "chỉ tiêu"}
UNDERSTOOD = "Đã hiểu: "
_QUIET = {"injection", "personal", "modify"}  # refusals: the reading is no business of the answer


_KIND_WORDS = {PeriodKindAsked.RECURRING: "việc thường xuyên, định kỳ", PeriodKindAsked.CONTINUES: "kéo dài sang năm sau",
               PeriodKindAsked.OVERDUE: "đã quá hạn"}


def understood_line(query: Query, focus_label: str | None = None) -> str:
    """How the question was read, in one line: «Đã hiểu: liệt kê nhiệm vụ · Sở Nội vụ · chủ trì · Hà Tĩnh
    (đơn vị của bạn) · quý IV/2022»; empty for refusals and questions asked back."""
    if query.clarify is not None or query.decline_reason in _QUIET:
        return ""
    parts = [_INTENT_WORDS[query.intent]]
    if focus_label:
        parts.append(f"dòng {focus_label}")
    agencies = " và ".join(a.name for a in query.agencies)
    if agencies:
        parts.append(agencies + (" (đơn vị của bạn)" if "agency" in query.from_profile else ""))
    if role := _ROLE_WORDS[query.role]:
        parts.append(role)
    if query.provinces:
        parts.append(", ".join(query.provinces) + (" (theo đơn vị của bạn)" if "province" in query.from_profile else ""))
    if query.period:
        parts.append(query.period.label)
    elif query.year:
        parts.append(f"năm {query.year}")
    if query.period_kind:
        parts.append(_KIND_WORDS[query.period_kind])
    if query.listing_topic:
        parts.append(f"về «{' '.join(query.listing_topic)}»")
    if query.intent is Intent.LOOKUP:
        parts += [_FIELD_WORDS[f] for f in query.fields if f in _FIELD_WORDS]
    return UNDERSTOOD + " · ".join(dict.fromkeys(p for p in parts if p))


def finish(answer: Answer, focus_label: str | None = None) -> Answer:
    """The answer with how it was read (a note and its last line) and, for a question asked back,
    its choices as follow-ups (one full question per button)."""
    query = answer.query
    if query.clarify is not None and query.clarify.choices:
        answer.blocks = [b for b in answer.blocks if not isinstance(b, FollowUpsBlock)]
        answer.blocks.append(FollowUpsBlock(questions=query.clarify.choices))
    if line := understood_line(query, focus_label):  # before the follow-ups, which close an answer
        at = len(answer.blocks) - (1 if answer.blocks and isinstance(answer.blocks[-1], FollowUpsBlock) else 0)
        answer.blocks.insert(at, NoteBlock(text=line, severity=Severity.INFO))
        answer.answer = f"{answer.answer}\n\n{line}".strip()
    return answer


def shown_items(answer: Answer) -> list[str]:
    """The record ids an answer showed, in the order shown: its groups' items, else its citations."""
    items = [item.id for block in answer.blocks if isinstance(block, GroupBlock) for item in block.items]
    return list(dict.fromkeys(items or [c.id for c in answer.citations]))


# -- the context applied to a parsed question --------------------------------------------------------


class ConversationContext:
    """Applies the profile and the last turn to a parsed Query, or turns it into a question asked back."""

    def __init__(self, rows: list[RowRecord], plans_for: Callable[[Query], list[PlanDocument]],
                 record_province: Callable[[str], str | None], agency_spans: Callable[[str], list[tuple[str, int, int]]]):
        self._plans_for = plans_for
        self._record_province = record_province
        self._agency_spans = agency_spans
        # Rows per plan for each agency named on them, to know which provinces' plans name it.
        self._row_ids = {row.id for row in rows}
        self._plans_of: dict[str, Counter[str]] = {}
        for row in rows:
            for agency in {a.id for a in [*row.lead, *row.coordinating]}:
                self._plans_of.setdefault(agency, Counter())[row.document] += 1

    def apply(self, query: Query, turn: Turn | None, profile: Profile | None, *, session: str | None = None,
              continued: bool = False, shown: list[str] | None = None) -> Query:
        """`shown` (a Telegram reply to an earlier answer) replaces the items of the last turn;
        `continued` says the channel showed answers in this conversation before."""
        if query.decline_reason in _QUIET:
            return query
        items = shown if shown is not None else (turn.shown if turn else None)
        if (reference := read_reference(query.question)) is not None:
            return self._resolve(query, reference, items, turn, continued)
        if turn is None and session and (query.needs_context or lacks_subject(query)):
            lost = continued
            return clarify(query, ClarifyKind.CONTEXT_LOST if lost else ClarifyKind.NO_PREVIOUS,
                           CONTEXT_LOST if lost else NO_PREVIOUS)
        own = asks_own_unit(query.question)
        if own and (profile is None or profile.agency is None) and not query.agencies:
            return clarify(query, ClarifyKind.CHOOSE_PROFILE, CHOOSE_PROFILE)
        if own and profile is not None and profile.agency is not None and query.agency == profile.agency:
            query.from_profile.append("agency")
        self._scope(query, profile)
        return self._which_province(query)

    def _scope(self, query: Query, profile: Profile | None) -> None:
        """A province named nowhere in the question or the conversation comes from the profile."""
        if profile is None or not profile.province or query.provinces or query.unknown_province:
            return
        if query.intent in (Intent.DECLINE, Intent.META):
            return
        query.provinces = [profile.province]
        query.from_profile.append("province")

    def _which_province(self, query: Query) -> Query:
        """An agency listed or counted with no province known, whose tasks lie in several provinces'
        plans: ask which, one full question per province, unless every province was asked for."""
        if query.intent not in (Intent.LISTING, Intent.COUNT) or not query.agencies or query.provinces:
            return query
        if asks_every_province(query.question):
            return query
        wanted = {a.id for a in query.agencies}
        rows: Counter[str] = Counter()
        for plan in self._plans_for(query):
            rows[plan.province] += sum(self._plans_of.get(agency, Counter())[plan.id] for agency in wanted)
        provinces = [p for p, n in sorted(rows.items(), key=lambda item: (-item[1], fold(item[0]))) if n]
        if len(provinces) < 2:
            return query
        mentions = [end for agency, _, end in self._agency_spans(query.question) if agency in wanted]
        after = mentions[0] if mentions else None
        names = " và ".join(a.name for a in query.agencies)
        return clarify(query, ClarifyKind.WHICH_PROVINCE, _which_province(names),
                       [_with_province(query.question, after, p) for p in provinces])

    def _resolve(self, query: Query, reference: Reference, items: list[str] | None, turn: Turn | None,
                 continued: bool) -> Query:
        if items is None:
            return clarify(query, ClarifyKind.CONTEXT_LOST if continued else ClarifyKind.NO_PREVIOUS,
                           CONTEXT_LOST if continued else NO_PREVIOUS)
        if not items:
            return clarify(query, ClarifyKind.NO_PREVIOUS, NO_PREVIOUS)
        if reference.kind is RefKind.INDEX:
            if reference.index > len(items):
                return clarify(query, ClarifyKind.BEYOND_LAST, _beyond_last(reference.index, len(items)))
            chosen = items[reference.index - 1]
        elif reference.kind is RefKind.LAST:
            chosen = items[-1]
        elif turn is not None and turn.query.focus and turn.query.focus in items:
            chosen = turn.query.focus
        elif len(items) == 1:
            chosen = items[0]
        elif turn is not None and turn.query.intent in (Intent.LISTING, Intent.COUNT):
            # «việc đó» after a list of tasks could be any of them: ask which
            choices = [_replaced(query.question, reference.span, f"việc thứ {n}") for n in range(1, min(len(items), 5) + 1)]
            return clarify(query, ClarifyKind.WHICH_ITEM, _which_item(len(items)), choices)
        else:  # after a search, «việc đó» is the task the answer led with; after a prose fact, the parser's reading
            chosen = next((i for i in items if i in self._row_ids), None)
            if chosen is None:
                return query
        return self._focus(query, chosen)

    def _focus(self, query: Query, record_id: str) -> Query:
        """A lookup of the referenced row: whatever else the reading inherited no longer applies."""
        province = self._record_province(record_id)
        query.intent, query.focus, query.decline_reason = Intent.LOOKUP, record_id, None
        query.rule = "reference to an item of the last answer"
        query.provinces = [province] if province else query.provinces
        query.clarify = None
        if "focus" not in query.inherited:
            query.inherited.append("focus")
        return query
