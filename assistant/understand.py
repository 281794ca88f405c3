"""Question understanding: slots of the typed Query filled from the phrase table
(assistant/data/phrases.toml), places (assistant/places.py), agencies (the indexer's alias table)
and periods (the indexer's deadline grammar). Follow-ups inherit what they do not change.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

from assistant.answerability import WordWeights
from assistant.context import leans_on_previous
from assistant.facts import outranks_agency
from assistant.contract import AgencyMention, Intent, PeriodKindAsked, Query, Role, SpanRole
from assistant.periods import parse_asked_period, year_period
from assistant.phrases import PhraseTable, Reading, read
from assistant.places import PlaceReader
from assistant.reading import QuestionReading, assemble, document_spans, grammar_claims, phrase_claims
from cchc.errors import QuestionError
from indexer.agencies import AgencyTable
from indexer.records import PlanDocument
from indexer.vntext import clean_text, fold, squash

_INJECTION = re.compile(
    r"bo qua (?:moi |tat ca |cac |toan bo )?(?:huong dan|chi dan|quy tac|yeu cau|lenh)"
    r"|ignore (?:all |any |the |previous |prior |above )*(?:instructions|rules|prompts?)"
    r"|system prompt|prompt he thong|(?:in|hien|tiet lo) (?:ra )?(?:toan bo )?(?:prompt|chi dan he thong)"
    r"|quen (?:het |di |moi )?(?:huong dan|quy tac|chi dan)|you are now|jailbreak|dong vai (?:la )?(?:mot )?(?:ai|tro ly) khac"
)
# Control, zero-width and bidi characters: invisible, and able to break storage or rendering.
# A year on its own, not one inside a document number ("22/2021/QĐ-TTg", "ISO 9001:2015").
_ASKED_YEAR = re.compile(r"(?<![/:.\-\d])\b(20\d\d)\b(?![/:\-]\w)")
# «kế hoạch (CCHC) năm 2023», «KH 2021»: a year that names the plan. A year further off qualifies
# something else («PAR INDEX 2021», «so với năm 2020») and is no reason to decline.
_PLAN_YEAR = re.compile(r"\b(?:ke hoach|kh)\b(?:\s+(?!20\d\d\b)[a-z&]+){0,3}\s+(?:nam\s+)?20\d\d\b")
_RELATIVE_YEAR = {"nam nay": 0, "nam ngoai": -1, "nam truoc": -1, "nam sau": 1, "nam toi": 1}
# "Sở Du lịch" that the alias table does not know: a capital after the accented "Sở" (unaccented
# "so" is also "số", and "sở thú" is a zoo).
_UNKNOWN_AGENCY = re.compile(r"\b[Ss]ở(?:\s+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠ][^\s,.;:?!]*)(?:\s+[^\s,.;:?!]+){0,3}")
_NOT_IN_NAME = set("phu trach chu tri co lam gi nhung duoc giao phai thi o tai trong quy nam thang can nhiem vu viec cua tinh phoi hop".split())
# «ghi là …», «ghi hạn …», «có mốc …»: the question quotes the deadline cell as printed.
_QUOTES_CELL = re.compile(r"\bghi\b|\bin la\b|\bco moc\b|[«\"“]")
# How many tasks: «bao nhiêu/mấy» and the words plans head their task columns with.
_COUNTS = re.compile(r"\b(?:bao nhieu|may|tong so|so luong|tong cong)\s+(?:cac\s+)?(?:nhiem vu|viec|dau viec|hoat dong|noi dung|cong viec)\b")
# Comparative grammar (a closed class): «nhiều … hơn», «… hơn?», «nhiều nhất», «so với», «tỉnh nào», «hay».
_COMPARES = re.compile(r"\b(?:nhieu|it)\b(?:\s+\S+){0,4}?\s+hon\b|\bhon\b\W*$|\b(?:nhieu nhat|it nhat|so sanh|so voi"
                       r"|chenh lech|hay la|hay|(?:tinh|noi|ben|dia phuong|phia) nao)\b")
# «… có phải chủ trì … không?», «… có tham gia … không?», «… phải không?»: a question answered yes or no.
_YES_NO = re.compile(r"\bco (?:phai|duoc|tham gia|chu tri|phoi hop|nhiem vu|phu trach|lam|dung)\b.*\bkhong\b|\b(?:phai|dung) khong\b")
_CLAUSE_END = re.compile(r"[.?!;:,]\s")
_ASKS_WHICH = re.compile(r"\b(?:nhung|nao|gi|bao nhieu|may)\b")
# «trừ / không tính / không kể / loại trừ … thường xuyên, hằng năm, cả năm»: kinds left out of a listing.
_EXCLUDED = re.compile(r"\b(?:tru|ngoai tru|ngoai(?! ra)|khong tinh|khong ke|khong lay|loai tru|loai bo|loai|khong bao gom|khong gom"
                       r"|khong can|bo qua|bo|bot)\b"
                       r"(?P<kinds>(?:\s+\S+){0,5})")
_EXCLUDABLE = {"recurring": r"\b(?:thuong xuyen|hang nam|hang quy|hang thang|dinh ky)\b",
               "whole_year": r"\b(?:ca nam|trong nam|nam \d{4}|quanh nam)\b"}
_OVERDUE = re.compile(r"\b(?:qua han|tre han|da het han|cham tien do|cham han)\b")
# Total weight of unclaimed words (WordWeights) above which they say what a question is about;
# «ghi», «cùng», «đứng tên» weigh under 0.2 together, «bác sĩ», «tiệc tất niên» above.
TOPIC_WEIGHT = 0.25
_STOPWORDS = set(
    "ai gi nao nhung cac cua la va voi thi o tai trong cho ve co khong duoc bi se da dang can phai the nao "
    "bao nhieu khi nao bao gio hay giup toi minh chung oi a nhe vay con sao nam quy thang tinh so ubnd".split()
)
# Function words and period words that never say what a question is about, as typed with accents;
# a word typed without accents is compared folded.
_FUNCTION_WORDS = set(
    "ai gì nào những các của là và với thì ở tại trong cho về có không được bị sẽ đã đang cần phải thế "
    "bao nhiêu khi giờ hay giúp tôi mình chúng ơi à nhé vậy còn sao năm quý tháng tỉnh để đối như này đó "
    "cả lẫn mà nên rằng hoặc hay từ đến theo i ii iii iv q1 q2 q3 q4 nay lúc bởi do đâu".split()
)
_FOLDED_FUNCTION_WORDS = {fold(w) for w in _FUNCTION_WORDS}
_FIGURE_WORDS = {"dat", "bao", "nhieu", "ty", "le", "diem", "xep", "hang", "phan", "tram"}
# Words that ask rather than name: a question made only of these continues the conversation.
_ASKING = set(
    "ai gi nao khi bao gio han hoan thanh thoi gian kinh phi nhieu tien san pham ket qua phoi hop chu tri "
    "trach nhiem dau ra la con the vay thi sao sao nhi a oi duoc khong co it toi da may".split()
)


def _content_words(folded: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", folded) if w not in _STOPWORDS and w not in _ASKING]
_SECTION = re.compile(r"\b(?:muc|phan)\s+([ivx]+(?:\.[a-z0-9]+)*)\b")


def _agency_clause(query: Query) -> list[str]:
    """Unclaimed words of the clause that names the agency: a sentence around the question («em mới
    chuyển công tác về, …») says who asks, not what is asked."""
    spans = query.reading
    at = next((i for i, span in enumerate(spans) if span.role is SpanRole.AGENCY), None)
    if at is None:
        return [t for t in query.topic_terms if t != "|"]
    text = query.question
    start = max((m.end() for m in _CLAUSE_END.finditer(text, 0, spans[at].start)), default=0)
    end = next((m.start() for m in _CLAUSE_END.finditer(text, spans[at].end)), len(text))
    return [s.text.lower() for s in spans if s.role is SpanRole.UNCLAIMED and start <= s.start < end]


_ASKS_QUANTITY = re.compile(r"\b(?:bao nhieu|ty le|phan tram)\b")  # closed class: how much, what share
_SCOPE_DECLINES = ("province", "year")  # declined for what the plans held, not for what was asked
_FINAL_PARTICLE = re.compile(r"khong|chua|ko|k|a|vay|nhi|nhe|the|ha|hong")  # closed class: sentence-final particles
# Closed class: what introduces the topic of a listing («những việc gì về …», «liên quan đến …», «lĩnh vực …»).
_TOPIC_MARKER = re.compile(r"\b(?:ve|lien quan (?:den|toi)|(?:trong|thuoc) linh vuc|linh vuc|mang)$")


def _listing_topic(query: Query) -> list[str]:
    """The words right after a topic marker («về chuyển đổi số», «liên quan đến cải cách công vụ»), up to
    the first word read as something else: what a listing is narrowed to. Domain words count here."""
    spans, words = query.reading, []
    for i, span in enumerate(spans):
        topical = span.role is SpanRole.UNCLAIMED or (span.role is SpanRole.FUNCTION and span.value == "domain")
        if words and not topical:
            break
        if words or (topical and i and _TOPIC_MARKER.search(fold(" ".join(s.text for s in spans[max(0, i - 3):i])))):
            words.append(span.text)
    while words and _FINAL_PARTICLE.fullmatch(fold(words[-1])):
        words.pop()
    return words if any(s.role is SpanRole.UNCLAIMED and s.text in words for s in spans) else []


def normalise_question(question: str, max_chars: int) -> str:
    """NFC, invisible characters removed, whitespace collapsed; empty or over-long questions are refused."""
    text = squash(clean_text(question or ""))
    if not text:
        raise QuestionError("Câu hỏi đang trống. Hãy nhập câu hỏi, ví dụ: «Sở Nội vụ chủ trì những việc gì trong quý IV/2022?»")
    if len(text) > max_chars:
        raise QuestionError(f"Câu hỏi dài {len(text)} ký tự, vượt giới hạn {max_chars} ký tự. Hãy hỏi ngắn gọn hơn.")
    return text


class QuestionParser:
    def __init__(self, agencies: AgencyTable, plans: list[PlanDocument], max_chars: int = 500,
                 phrases: PhraseTable | None = None, weights: WordWeights | None = None):
        if max_chars < 20:
            raise ValueError(f"max_chars must allow a real question (>= 20), got {max_chars}")
        self.agencies = agencies
        self.plans = plans
        self.max_chars = max_chars
        self.phrases = phrases or PhraseTable.load()
        self.weights = weights
        self.places = PlaceReader({plan.province for plan in plans})

    # -- slots ----------------------------------------------------------------------------------
    def _named_plan_provinces(self, folded: str) -> list[str]:
        """«KH số 196», «kế hoạch 7860»: a plan held, named by its number, says where."""
        numbers = {n for m in document_spans(folded) for n in re.findall(r"\d+", m.group()) if not _ASKED_YEAR.fullmatch(n)}
        return list(dict.fromkeys(p.province for p in self.plans
                                  if p.doc_number and re.match(r"\d+", p.doc_number).group() in numbers))

    @staticmethod
    def _year_in(folded: str, today: dt.date) -> int | None:
        if match := _ASKED_YEAR.search(folded):
            return int(match.group(1))
        for phrase, offset in _RELATIVE_YEAR.items():
            if phrase in folded:
                return today.year + offset
        return None

    def _agencies_in(self, text: str, folded: str) -> tuple[list[AgencyMention], list[tuple[int, int]]]:
        mentions = self.agencies.mentions(text)
        ids = list(dict.fromkeys(i for i, _, _ in mentions))
        # "UBND tỉnh giao cho Sở X": the giver is not asked about.
        if len(ids) > 1 and re.search(r"\b(?:ubnd tinh|uy ban nhan dan tinh|tinh)\s+(?:da\s+)?giao\b", folded):
            ids = [i for i in ids if i != "ubnd-tinh"] or ids
        found = [AgencyMention(id=i, name=self.agencies.get(i).name) for i in ids]
        return found, [(s, e) for _, s, e in mentions]

    def _unknown_agency(self, text: str) -> tuple[str | None, list[str]]:
        match = _UNKNOWN_AGENCY.search(text)
        if not match:
            return None, []
        words = match.group(0).split()
        name = [words[0]]
        for at, word in enumerate(words[1:], start=1):
            if fold(word) in _NOT_IN_NAME or self.places.starts_with_place(fold(" ".join(words[at:]))):
                break
            name.append(word)
        if len(name) < 2:
            return None, []
        unknown = " ".join(name)
        names = {fold(a.name): a.name for a in self.agencies.all() if not a.collective}
        # «Sở Du lịch» is part of «Sở Văn hóa, Thể thao và Du lịch»: a name holding the field comes first.
        field = fold(" ".join(name[1:]))
        holding = [n for n in names if n.startswith(fold(name[0])) and re.search(rf"\b{re.escape(field)}\b", n)]
        close = difflib.get_close_matches(fold(unknown), list(names), n=3, cutoff=0.5)
        return unknown, [names[c] for c in dict.fromkeys([*holding, *close])][:3]

    @staticmethod
    def _refusal(reading: Reading, folded: str) -> str | None:
        if _INJECTION.search(folded) or reading.has("refuse", "injection"):
            return "injection"
        if reading.has("refuse", "modify"):
            return "modify"
        for match in reading.found:
            if match.phrase.slot == "refuse" and match.phrase.value == "personal":
                word = reading.words[match.start]
                if word.folded == "luong" and not word.accented and match.end - match.start == 1:
                    continue  # "luong" alone is as often "lượng" (chất lượng, đo lường) as "lương"
                return "personal"
        return None

    @staticmethod
    def _read(text: str, folded: str, phrases: Reading, agencies: list[AgencyMention],
              agency_spans: list[tuple[int, int]], place_spans: list[tuple[int, int]]) -> QuestionReading:
        """One reading of every word (assistant.reading): agencies and places claim first, then
        periods, sections and documents, then the phrase table; what is left is unclaimed."""
        ids = iter(a.id for a in agencies)
        claims = [(start, end, SpanRole.AGENCY, next(ids, "")) for start, end in agency_spans]
        claims += [(start, end, SpanRole.PLACE, "") for start, end in place_spans]
        claims += grammar_claims(folded) + phrase_claims(phrases)
        return assemble(text, phrases.words, claims, _FUNCTION_WORDS | _FOLDED_FUNCTION_WORDS)

    @staticmethod
    def _topic(folded: str) -> str:
        return " ".join(w for w in re.findall(r"[a-z0-9]+", folded) if w not in _STOPWORDS and not w.isdigit())

    # -- parse ----------------------------------------------------------------------------------
    def parse(self, question: str, today: dt.date, previous: Query | None = None,
              profile_agency: AgencyMention | None = None) -> Query:
        text = normalise_question(question, self.max_chars)
        folded = fold(text)
        reading = read(self.phrases, text)
        query = Query(question=text, today=today, intent=Intent.SEARCH)
        if refusal := self._refusal(reading, folded):
            query.intent, query.decline_reason, query.rule = Intent.DECLINE, refusal, f"refuse={refusal}"
            return query
        query.agencies, agency_spans = self._agencies_in(text, folded)
        # Words of an agency's name are not phrases: "so ke hoach" in "So Ke hoach va Dau tu" is no document number.
        reading.found = [m for m in reading.found if m.phrase.slot == "refuse" or not any(
            s <= reading.words[m.start].start < e for s, e in agency_spans)]
        places = self.places.read(text, folded, [e for _, e in agency_spans])
        query.provinces, query.unknown_province, query.notes = places.held, places.unknown, places.notes
        if not query.provinces and not query.unknown_province:
            query.provinces = self._named_plan_provinces(folded)
        if places.district and not any(a.id == "ubnd-cap-huyen" for a in query.agencies):
            query.agencies.insert(0, AgencyMention(id="ubnd-cap-huyen", name=self.agencies.get("ubnd-cap-huyen").name))
        if not query.agencies and profile_agency and re.search(r"\b(?:don vi|co quan|ben) (?:cua )?(?:toi|minh|chung toi)\b|\bchung toi\b", folded):
            query.agencies = [profile_agency]
        query.agency = query.agencies[0] if query.agencies else None
        if not query.agency:
            query.unknown_agency, query.suggestions = self._unknown_agency(text)
        query.year = self._year_in(folded, today)
        words = self._read(text, folded, reading, query.agencies, agency_spans, places.spans)
        query.reading, query.topic_terms = words.spans, words.unclaimed_runs()
        refers = reading.has("refer")
        # A question declined for its scope alone (a province or year not held) was still read: «Vậy còn
        # Hưng Yên?» after «Sở Nội vụ Hà Nội …» keeps the agency and the period.
        readable = previous is not None and (previous.intent is not Intent.DECLINE or previous.decline_reason in _SCOPE_DECLINES)
        is_follow_up = readable and (
            refers or bool(re.match(r"^(?:va |vay |the |thoi |con |thi )*(?:con|the con|vay con)\b", folded))
            or bool(re.search(r"\bthi sao\b", folded)) or len(folded.split()) <= 4 or len(_content_words(folded)) <= 1
        )
        query.needs_context = leans_on_previous(text, refers)  # assistant.context: said when no turn is stored
        self._period(query, reading, folded, today, previous if is_follow_up else None)
        fields = [f for f in reading.values("field") if f != "all"]
        roles = reading.values("role")
        query.role = Role.LEAD if roles == ["lead"] else Role.COORDINATING if roles == ["coordinating"] else Role.ANY
        query.fields, query.lookup = fields, (fields[0] if fields else None)
        query.topic = self._topic(folded)
        query.appendix_only = any(span.role is SpanRole.DOCUMENT and fold(span.text) in ("phu", "luc") for span in query.reading)
        if section := _SECTION.search(folded):
            query.section = section.group(1).upper()
        if is_follow_up and previous is not None:
            self._inherit(query, previous, refers)
        query.intent, query.rule = self._intent(query, reading, folded, explicit_year=bool(_ASKED_YEAR.search(folded)))
        return query

    def _says_more(self, words: list[str]) -> bool:
        """Whether the unclaimed words carry weight (assistant.answerability.WordWeights)."""
        return self.weights is not None and sum(self.weights.weight(w) for w in words) >= TOPIC_WEIGHT

    def _period(self, query: Query, reading: Reading, folded: str, today: dt.date, previous: Query | None) -> None:
        base = query.year or (previous.period.start.year if previous and previous.period else None)
        query.period = parse_asked_period(folded, today, base, previous.period if previous else None)
        kinds = reading.values("kind")
        if kinds and _QUOTES_CELL.search(folded):
            # «ghi là hàng năm hoặc kéo dài sang những năm tiếp theo»: the cell as printed, every phrase.
            found = [m for m in reading.found if m.phrase.slot == "kind"]
            longest = [m for m in found if not any(o is not m and o.start <= m.start and m.end <= o.end
                                                   and o.end - o.start > m.end - m.start for o in found)]
            phrases = {fold(" ".join(m.phrase.words)): " ".join(m.phrase.words) for m in reversed(longest)}
            query.deadline_phrases = list(reversed(phrases.values()))  # «hang nam» matched «hằng» and «hàng»
        if excluded := _EXCLUDED.search(folded):
            # «trừ/không tính việc thường xuyên, cả năm»: those kinds leave the listing instead of filling it.
            said = excluded.group("kinds")
            query.excluded_kinds = [kind for kind, words in _EXCLUDABLE.items() if re.search(words, said)]
            kinds = [k for k in kinds if k != "recurring"] if "recurring" in query.excluded_kinds else kinds
        if _OVERDUE.search(folded) and not query.period:
            query.period_kind = PeriodKindAsked.OVERDUE
        elif kinds:
            query.period_kind = PeriodKindAsked(kinds[0])
            if query.period_kind is PeriodKindAsked.RECURRING and (month := re.search(r"\bthang\s*(1[0-2]|0?[1-9])\b", folded)):
                query.recurring_month = int(month.group(1))
            if query.period_kind is PeriodKindAsked.RECURRING or not re.search(r"\b(?:quy|thang)\b", folded):
                query.period = None  # "tháng 12 hằng năm" is every year, not this year's December
        named = re.search(rf"\b{query.year}\b", folded) or any(phrase in folded for phrase in _RELATIVE_YEAR)
        if query.year and not query.period and not query.period_kind and named:
            if reading.has("asks", "list") or query.agency:
                query.period = year_period(query.year)
        if query.period and not query.year:
            query.year = query.period.start.year

    def _inherit(self, query: Query, previous: Query, refers: bool) -> None:
        """A follow-up keeps what it does not change ("Còn Sở Tư pháp thì sao?", "còn quý sau?")."""
        for field in ("provinces", "year", "agency", "agencies", "period", "period_kind"):
            if not getattr(query, field) and getattr(previous, field):
                setattr(query, field, getattr(previous, field))
                query.inherited.append(field)
        if query.role is Role.ANY and previous.role is not Role.ANY:
            query.role = previous.role
            query.inherited.append("role")
        words = [t for t in query.topic_terms if t != "|"]
        if previous.intent is Intent.LOOKUP and not query.fields:
            query.fields, query.lookup = previous.fields, previous.lookup
            query.inherited.append("lookup")
        if previous.intent is Intent.SEARCH:
            # "Còn chỉ số SIPAS?" after "PAR INDEX 2021 đạt bao nhiêu?": same kind of figure, same year.
            asked = [w for w in fold(previous.question).split() if w in _FIGURE_WORDS]
            query.topic = " ".join([query.topic, *asked, str(query.year or "")]).strip()
        if previous.intent in (Intent.LOOKUP, Intent.SEARCH) and (refers or len(words) <= 1):
            query.topic = f"{previous.topic} {query.topic}".strip()
            query.inherited.append("topic")
            if previous.focus:
                # "Kinh phí bao nhiêu?" / "việc đó hạn khi nào?" asks about the row just answered.
                query.focus = previous.focus
                query.provinces = previous.provinces or query.provinces
                query.inherited.append("focus")
        if previous.intent in (Intent.LISTING, Intent.COUNT) and not query.fields:
            query.inherited.append("intent")

    def _out_of_scope(self, query: Query, lists: bool, folded: str, explicit_year: bool) -> str | None:
        """Why the plans held cannot answer, before anything else is read: a province or a year not held.
        A relative period («quý này») falls back to the nearest plan instead, labelled as such."""
        if query.unknown_province and not query.provinces:
            query.decline_reason = "province"
            return f"province not held: {query.unknown_province}"
        plans = [p for p in self.plans if not query.provinces or p.province in query.provinces]
        about_plan_year = bool(query.agency or lists or _PLAN_YEAR.search(folded))
        if query.year and explicit_year and about_plan_year and query.year not in {p.year for p in plans}:
            query.decline_reason = "year"
            return f"no plan for {query.year}"
        return None

    def _intent(self, query: Query, reading: Reading, folded: str, explicit_year: bool) -> tuple[Intent, str]:
        lists = reading.has("asks", "list")
        if why := self._out_of_scope(query, lists, folded, explicit_year):
            return Intent.DECLINE, why
        topic = [t for t in query.topic_terms if t != "|"]
        if reading.has("asks", "meta") and not query.agency:
            return Intent.META, reading.rule("asks", "meta")
        if reading.has("asks", "sum") or (query.section and "budget" in query.fields):
            return Intent.SUM, reading.rule("asks", "sum") or "section + budget"
        counts = reading.has("asks", "count") or bool(_COUNTS.search(folded))
        if counts and (query.agency or query.section or query.period or query.period_kind):
            return Intent.COUNT, reading.rule("asks", "count") or "count of tasks"
        if query.agency and len(query.provinces) > 1 and _COMPARES.search(folded):
            return Intent.COUNT, "compares provinces"
        if query.focus and "focus" in query.inherited:
            return Intent.LOOKUP, "follow-up on the row just answered"
        if "topic" in query.inherited and query.fields and not topic:
            return Intent.LOOKUP, "follow-up asking another field of the same task"
        # «Không biết có đúng không, Sở X làm những việc gì?» still asks which: a yes/no asks no «nào», «gì».
        query.yes_no = (bool(_YES_NO.search(folded)) and query.agency is not None and bool(topic)
                        and not _ASKS_WHICH.search(folded))
        if query.yes_no and not (query.period or query.period_kind):
            return Intent.LOOKUP, "yes/no about an agency and a task"
        asks_agency = reading.has("asks", "who") and bool(set(query.fields) & {"lead", "coordinating"})
        if asks_agency and topic:
            return Intent.LOOKUP, "who + role + topic"
        if set(query.fields) & {"deadline", "budget", "product", "target"} and topic and not (
                (query.period or query.period_kind or query.agency) and lists and not reading.has("refer")):
            return Intent.LOOKUP, "field + topic"
        if reading.has("field", "all") and len(topic) >= 2:
            return Intent.LOOKUP, "details of a task"
        if reading.has("asks", "members") or reading.has("fact") or outranks_agency(query.question):
            return Intent.SEARCH, "fact or members in the plan text"
        if _ASKS_QUANTITY.search(folded) and not counts:
            # «tỷ lệ cơ quan, đơn vị được kiểm tra … là bao nhiêu?» asks a figure; the agency is part of it,
            # and a row states its figures in its target cell.
            query.fields = query.fields or ["target"]
            return Intent.SEARCH, "a figure asked"
        scoped = query.agency or query.provinces or query.period or query.period_kind
        if lists and scoped and (narrowed := _listing_topic(query)):
            query.listing_topic = narrowed
            return Intent.LISTING, "listing narrowed to a topic"
        collective = query.agency is not None and self.agencies.get(query.agency.id).collective
        # An agency named with no listing word and no period is a listing only when nothing else in the
        # question carries weight: «Sở Y tế có bao nhiêu bác sĩ» is about doctors, not the agency's tasks.
        bare = not (lists or query.period or query.period_kind)
        if (query.agency and not (bare and (collective or self._says_more(_agency_clause(query))))) or query.unknown_agency:
            return Intent.LISTING, "agency named"
        if (query.period or query.period_kind) and (lists or query.provinces):
            return Intent.LISTING, "period with a listing word"
        if "intent" in query.inherited and not topic:
            return Intent.LISTING, "follow-up of a listing"
        return Intent.SEARCH, "default: search rows and plan text"
