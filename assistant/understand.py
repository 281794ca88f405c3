"""Question understanding: province, year, agency, role, period and intent, from Vietnamese written
with or without diacritics, with abbreviations and OCR-style slips; follow-ups inherit context."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from importlib import resources

from assistant.contract import AgencyMention, Intent, Query, Role
from assistant.periods import parse_asked_period, year_period
from cchc.errors import QuestionError
from indexer.agencies import AgencyTable
from indexer.records import PlanDocument
from indexer.vntext import fold, squash

_INJECTION = re.compile(
    r"bo qua (?:moi |tat ca |cac |toan bo )?(?:huong dan|chi dan|quy tac|yeu cau|lenh)"
    r"|ignore (?:all |any |the |previous |prior |above )*(?:instructions|rules|prompts?)"
    r"|system prompt|prompt he thong|(?:in|hien|tiet lo) (?:ra )?(?:toan bo )?(?:prompt|chi dan he thong)"
    r"|quen (?:het |di |moi )?(?:huong dan|quy tac|chi dan)|you are now|jailbreak|dong vai (?:la )?(?:mot )?(?:ai|tro ly) khac"
)
_LOOKUPS: list[tuple[str, re.Pattern[str]]] = [
    ("coordinating", re.compile(r"\b(?:ai|co quan nao|don vi nao|nhung ai|nhung co quan nao|nhung don vi nao)\b[^?]*\bphoi hop\b|\bphoi hop (?:voi )?(?:nhung )?(?:ai|co quan nao|don vi nao)\b")),
    ("lead", re.compile(r"\b(?:ai|co quan nao|don vi nao|so nao|ben nao)\b[^?]*\b(?:chu tri|phu trach|chiu trach nhiem|thuc hien|lam)\b|\b(?:chu tri|phu trach)\b[^?]*\b(?:la ai|la co quan nao|la don vi nao)\b")),
    ("deadline", re.compile(r"\b(?:khi nao|bao gio|thoi han|han chot|han hoan thanh|thoi gian thuc hien|thoi gian hoan thanh|tien do|luc nao|hoan thanh truoc)\b")),
    ("budget", re.compile(r"\b(?:kinh phi|bao nhieu tien|ngan sach|chi phi|du toan|trieu dong)\b")),
    ("target", re.compile(r"\b(?:chi tieu|muc tieu)\b[^?]*\b(?:bao nhieu|la gi|nhu the nao|ra sao)\b")),
    ("product", re.compile(r"\b(?:san pham|ket qua dau ra|dau ra|ket qua la gi|ket qua can dat)\b")),
]
_LISTING_WORDS = re.compile(
    r"\b(?:nhung (?:gi|viec|nhiem vu)|viec gi|nhiem vu (?:gi|nao)|lam gi|phai lam|duoc giao|phu trach|chu tri|"
    r"phoi hop|liet ke|danh sach|cac viec|cac nhiem vu|co viec|co nhiem vu|nhiem vu cua|viec cua|can lam|den han)\b"
)
# "… gồm những cơ quan nào?" asks who belongs to a group the plan defines in its text.
_MEMBERS = re.compile(r"\b(?:gom|bao gom) (?:nhung |cac )?(?:co quan|don vi|ai|so)\b")
_ROLE_COORDINATING = re.compile(r"\bphoi hop\b")
_ROLE_LEAD = re.compile(r"\b(?:chu tri|phu trach|chiu trach nhiem chinh)\b")
_MY_AGENCY = re.compile(r"\b(?:don vi (?:cua )?(?:toi|minh|chung toi)|co quan (?:cua )?(?:toi|minh|chung toi)|chung toi|ben toi|ben minh)\b")
_FOLLOW_UP = re.compile(r"^(?:va |vay |the |con |thi )*(?:con|the con|vay con)\b|\bthi sao\b|\bthe nao\b\s*$")
# A year on its own, not one inside a document number ("22/2021/QĐ-TTg", "ISO 9001:2015").
_ASKED_YEAR = re.compile(r"(?<![/:.\-\d])\b(20\d\d)\b(?![/:\-]\w)")
_RELATIVE_YEAR = {"nam nay": 0, "nam ngoai": -1, "nam truoc": -1, "nam sau": 1, "nam toi": 1}
# "Sở Du lịch" that the alias table does not know: only with the accented word, since unaccented
# "so" is also "số" (number) and "sổ".
_UNKNOWN_AGENCY = re.compile(r"\b[Ss]ở(?:\s+[^\s,.;:?!]+){1,4}")
_NOT_IN_NAME = set("phu trach chu tri co lam gi nhung duoc giao phai thi o tai trong quy nam thang can nhiem vu viec cua tinh phoi hop".split())
_DOMAIN = re.compile(
    r"\b(?:cai cach|cchc|hanh chinh|ke hoach|nhiem vu|chu tri|phoi hop|thu tuc|tthc|so |ubnd|uy ban|par|sipas|"
    r"chi so|cong vu|cong chuc|vien chuc|bien che|to chuc bo may|the che|tai chinh cong|chinh quyen|dien tu|"
    r"so hoa|dich vu cong|mot cua|kinh phi|thoi han|quy |tinh|phu luc|muc tieu|bao cao|kiem tra|ky|van ban|nghi dinh)"
)
_STOPWORDS = set(
    "ai gi nao nhung cac cua la va voi thi o tai trong cho ve co khong duoc bi se da dang can phai the nao "
    "bao nhieu khi nao bao gio hay giup toi minh chung oi a nhe vay con sao nam quy thang tinh so ubnd".split()
)


# Words that ask rather than name: a follow-up made only of these keeps the previous topic.
_ASKING = set(
    "ai gi nao khi bao gio han hoan thanh thoi gian kinh phi nhieu tien san pham ket qua phoi hop chu tri "
    "trach nhiem dau ra la con the vay thi sao sao nhi a oi duoc khong co it toi da may".split()
)


_FIGURE_WORDS = {"dat", "bao", "nhieu", "ty", "le", "diem", "xep", "hang", "phan", "tram"}


def _content_words(folded: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", folded) if w not in _STOPWORDS and w not in _ASKING]


def _load_provinces() -> dict[str, str]:
    """Folded name or alias -> canonical province name."""
    names: dict[str, str] = {}
    text = resources.files("assistant").joinpath("data/provinces.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        canonical, *aliases = [part.strip() for part in line.split("|")]
        for name in (canonical, *aliases):
            names[fold(name)] = canonical
    return names


def normalise_question(question: str, max_chars: int) -> str:
    """NFC, trimmed, whitespace collapsed; empty or over-long questions are refused plainly."""
    text = squash(unicodedata.normalize("NFC", question or ""))
    if not text:
        raise QuestionError("Câu hỏi đang trống. Hãy nhập câu hỏi, ví dụ: «Sở Nội vụ chủ trì những việc gì trong quý IV/2022?»")
    if len(text) > max_chars:
        raise QuestionError(f"Câu hỏi dài {len(text)} ký tự, vượt giới hạn {max_chars} ký tự. Hãy hỏi ngắn gọn hơn.")
    return text


class QuestionParser:
    def __init__(self, agencies: AgencyTable, plans: list[PlanDocument], max_chars: int = 500):
        if max_chars < 20:
            raise ValueError(f"max_chars must allow a real question (>= 20), got {max_chars}")
        self.agencies = agencies
        self.plans = plans
        self.max_chars = max_chars
        self._provinces = _load_provinces()
        for plan in plans:
            self._provinces.setdefault(fold(plan.province), plan.province)
        self._province_pattern = re.compile(
            r"\b(" + "|".join(sorted(map(re.escape, self._provinces), key=len, reverse=True)) + r")\b"
        )
        self._held = {plan.province for plan in plans}

    def _provinces_in(self, folded: str) -> tuple[list[str], str | None]:
        held, unknown = [], None
        for match in self._province_pattern.finditer(folded):
            name = self._provinces[match.group(1)]
            if name in self._held:
                held.append(name) if name not in held else None
            elif unknown is None:
                unknown = name
        return held, unknown

    @staticmethod
    def _year_in(folded: str, today: dt.date) -> int | None:
        if match := _ASKED_YEAR.search(folded):
            return int(match.group(1))
        for phrase, offset in _RELATIVE_YEAR.items():
            if phrase in folded:
                return today.year + offset
        return None

    def _agency_in(self, text: str, folded: str, profile: AgencyMention | None) -> tuple[AgencyMention | None, str | None]:
        found = [a for a in self.agencies.find_in_text(text) if a.known]
        if found:
            return AgencyMention(id=found[0].id, name=found[0].name), None
        if _MY_AGENCY.search(folded) and profile:
            return profile, None
        if match := _UNKNOWN_AGENCY.search(text):
            words = match.group(0).split()
            name = [words[0]]
            for word in words[1:]:
                if fold(word) in _NOT_IN_NAME:
                    break
                name.append(word)
            if len(name) > 1:
                return None, " ".join(name)
        return None, None

    def _topic(self, folded: str) -> str:
        words = [w for w in re.findall(r"[a-z0-9]+", folded) if w not in _STOPWORDS and not w.isdigit()]
        return " ".join(words)

    def parse(
        self,
        question: str,
        today: dt.date,
        previous: Query | None = None,
        profile_agency: AgencyMention | None = None,
    ) -> Query:
        text = normalise_question(question, self.max_chars)
        folded = fold(text)
        query = Query(question=text, today=today, intent=Intent.SEARCH)
        if _INJECTION.search(folded):
            query.intent, query.decline_reason = Intent.DECLINE, "injection"
            return query
        query.provinces, query.unknown_province = self._provinces_in(folded)
        query.year = self._year_in(folded, today)
        query.agency, query.unknown_agency = self._agency_in(text, folded, profile_agency)
        is_follow_up = previous is not None and (
            bool(_FOLLOW_UP.search(folded)) or len(folded.split()) <= 4 or len(_content_words(folded)) <= 1
        )
        query.period = parse_asked_period(
            folded, today, query.year, previous.period if is_follow_up and previous else None
        )
        if query.year and not query.period and re.search(rf"\bnam {query.year}\b|\b{query.year}\b", folded):
            if _LISTING_WORDS.search(folded) or query.agency:
                query.period = year_period(query.year)
        if query.period and not query.year:
            query.year = query.period.start.year
        coordinating, lead = bool(_ROLE_COORDINATING.search(folded)), bool(_ROLE_LEAD.search(folded))
        query.role = Role.ANY if coordinating == lead else Role.COORDINATING if coordinating else Role.LEAD
        query.lookup = next((name for name, pattern in _LOOKUPS if pattern.search(folded)), None)
        query.topic = self._topic(folded)
        if is_follow_up and previous is not None:
            self._inherit(query, previous)
        query.intent = self._intent(query, folded, explicit_year=bool(_ASKED_YEAR.search(folded)))
        return query

    def _inherit(self, query: Query, previous: Query) -> None:
        """A follow-up keeps what it does not change ("Còn Sở Tư pháp thì sao?", "còn quý sau?")."""
        for field in ("provinces", "year", "agency", "period"):
            if not getattr(query, field) and getattr(previous, field):
                setattr(query, field, getattr(previous, field))
                query.inherited.append(field)
        if query.role is Role.ANY and previous.role is not Role.ANY:
            query.role = previous.role
            query.inherited.append("role")
        if previous.intent is Intent.LOOKUP and not query.lookup:
            query.lookup = previous.lookup
            query.inherited.append("lookup")
        if previous.intent is Intent.SEARCH and "topic" not in query.inherited:
            # "Còn chỉ số SIPAS?" after "PAR INDEX 2021 đạt bao nhiêu?": same kind of figure, same year.
            asked = [w for w in fold(previous.question).split() if w in _FIGURE_WORDS]
            query.topic = " ".join([query.topic, *asked, str(query.year or "")]).strip()
        if previous.intent in (Intent.LOOKUP, Intent.SEARCH) and len(_content_words(fold(query.question))) <= 1:
            query.topic = f"{previous.topic} {query.topic}".strip()
            query.inherited.append("topic")
            if previous.focus:
                # "Kinh phí bao nhiêu?" after "Ai chủ trì X?" asks about the same row X.
                query.focus = previous.focus
                query.inherited.append("focus")
        if previous.intent is Intent.LISTING:
            query.inherited.append("intent")

    def _intent(self, query: Query, folded: str, explicit_year: bool) -> Intent:
        if query.unknown_province and not query.provinces:
            query.decline_reason = "province"
            return Intent.DECLINE
        plans = [p for p in self.plans if not query.provinces or p.province in query.provinces]
        asked_years = {query.period.start.year, query.period.end.year} if query.period else set()
        # A year written out with no plan is out of scope; a relative period ("quý này") falls back
        # to the nearest plan instead, labelled as such.
        about_plan_year = bool(query.agency or _LISTING_WORDS.search(folded) or re.search(r"ke hoach\D*\b20\d\d\b", folded))
        if query.year and explicit_year and about_plan_year and query.year not in {p.year for p in plans}:
            query.decline_reason = "year"
            return Intent.DECLINE
        # "Ai / cơ quan nào chủ trì X?" asks for an agency: any agency named is part of X.
        if query.lookup in ("lead", "coordinating"):
            return Intent.LOOKUP
        if query.lookup in ("deadline", "budget", "product") and len(query.topic.split()) >= 2 and not (
            query.period and _LISTING_WORDS.search(folded)
        ):
            return Intent.LOOKUP
        # A collective named without asking what it must do ("các đơn vị sự nghiệp công lập tự
        # bảo đảm chi thường xuyên …") is what a target talks about, not an assignee asked about.
        if _MEMBERS.search(folded):
            return Intent.SEARCH
        names_assignee = query.agency is not None and (
            not self.agencies.get(query.agency.id).collective or _LISTING_WORDS.search(folded) or query.period
        )
        if names_assignee or query.unknown_agency or (query.period and _LISTING_WORDS.search(folded)) or "intent" in query.inherited:
            return Intent.LISTING
        if not (query.provinces or _DOMAIN.search(folded) or asked_years):
            query.decline_reason = "off_topic"
            return Intent.DECLINE
        return Intent.SEARCH
