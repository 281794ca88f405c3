"""Kinds of fact officials ask about that the plans word their own way (signer, document number,
reporting deadline and duty, recipients, the documents a plan is based on): how a question says it,
the words added to its search, and how to recognise the passage that states it."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from indexer.records import ProseSection
from indexer.vntext import fold, tokens


class FactRule(BaseModel):
    """A kind of fact officials ask about that the plans word their own way: how the question
    says it, the words to add to the search, and how to recognise the passage that states it."""

    asks: str
    adds: str
    passage: str
    unless: str | None = Field(None, description="a question matching this asks for another kind of fact")
    sentences: str | None = Field(None, description="the sentences of a long passage that state the fact (all of them are shown)")
    ranked: int | None = Field(None, description="many passages state this kind of fact: keep this many, those sharing most words with the question")
    outranks_agency: bool = Field(False, description="an agency named in the question is part of the fact, not a listing of its tasks")

    def applies(self, folded: str) -> bool:
        return bool(re.search(self.asks, folded)) and not (self.unless and re.search(self.unless, folded))


# Closed classes: the kinds of legal document a plan cites, as asked (folded) and as printed with a number.
_DOCUMENT_KIND = r"(?:van ban|quyet dinh|nghi quyet|nghi dinh|chi thi|thong tu|chuong trinh|de an|cong van|luat)"
_CITATION = (r"\b(?:Nghị quyết|Quyết định|Nghị định|Chỉ thị|Thông tư|Kế hoạch|Công văn|Luật|Đề án|Chương trình)"
             r"\s+(?:số\s+)?\d+\s*/")

FACT_RULES = [
    FactRule(asks=r"\b(?:ai|nguoi) ky\b|\bky (?:ban hanh|ke hoach)\b|\bchu ky\b",
             adds="Người ký TM. ỦY BAN NHÂN DÂN CHỦ TỊCH", passage=r"^Người ký$"),
    FactRule(asks=r"\bso (?:hieu|ky hieu|ke hoach|may|bao nhieu)\b|\bky hieu\b|\bke hoach so\s*(?:\d|may\b|bao nhieu|hieu|[?.,]|$)|\bngay ban hanh\b|\bban hanh ngay\b"
                  r"|\bngay nao\b|\b(?:ban hanh|ky) (?:khi nao|luc nao|bao gio|hom nao|thang nao|ngay)\b",
             adds="Kèm theo Kế hoạch số /KH-UBND ngày", passage=r"[Kk]èm theo Kế hoạch số",
             unless=rf"\b{_DOCUMENT_KIND}\b(?!\s+(?:so\s+)?\d)"),
    FactRule(asks=r"\b(?:han|thoi han|thoi gian|khi nao)\b.*\bbao cao\b|\bbao cao\b.*\b(?:han|khi nao|ngay nao)\b|\bchot so lieu\b",
             adds="Thời hạn báo cáo chậm nhất chốt số liệu", passage=r"Thời hạn báo cáo|chốt số liệu"),
    # Where reports go and through whom is a duty in the plan body, not the plan's own «Nơi nhận» list.
    FactRule(asks=r"\bbao cao\b.*\b(?:gui|nop|qua|len|ai|dau|(?:co quan|don vi|noi|cap) nao)\b|\b(?:gui|nop)\b.*\bbao cao\b|\bche do (?:thong tin,? )?bao cao\b",
             adds="gửi Sở Nội vụ để tổng hợp, báo cáo UBND tỉnh; chế độ báo cáo",
             passage=r"[Bb]áo cáo[^.;]{0,160}\b(?:gửi|qua|về)\s+(?:Sở|Văn phòng|Ủy ban|UBND)|[Cc]hế độ (?:thông tin,? )?báo cáo",
             ranked=2, outranks_agency=True),
    FactRule(asks=r"\bnoi nhan\b|\bgui (?:cho |toi |den |ve )?(?:nhung )?(?:ai|dau|noi nao|co quan nao|don vi nao)\b",
             adds="Nơi nhận", passage=r"^Nơi nhận$", unless=r"\bbao cao\b"),
    # The documents a plan is based on: its preamble («Căn cứ …»).
    FactRule(asks=r"\bcan cu\b|\b(?:co so|dua (?:tren|vao)|xay dung theo|ban hanh theo|lap theo|theo)\b.{0,40}"
                  rf"\b(?:{_DOCUMENT_KIND}|ke hoach)(?:\s+[a-z]+){{0,2}}\s+(?:nao|gi)\b",
             adds="Căn cứ", passage=r"(?s)^.{0,200}\b[Cc]ăn cứ\b", sentences=r"\b[Cc]ăn cứ\b", outranks_agency=True),
    # Any document a plan cites, asked for by its kind without its number («nghị quyết nào», «quyết định
    # số mấy»): the sentences that cite one, with number and date, from the passages closest to the question.
    FactRule(asks=rf"\b{_DOCUMENT_KIND}(?:\s+[a-z]+){{0,2}}\s+(?:nao|gi|so (?:may|bao nhieu|hieu)|ngay (?:nao|may|bao nhieu))\b",
             adds="số ngày", passage=_CITATION, sentences=_CITATION, ranked=2, outranks_agency=True),
]


def expand_for_search(question: str) -> str:
    folded = fold(question)
    extra = [rule.adds for rule in FACT_RULES if rule.applies(folded)]
    return " ".join([question, *extra])


def fact_sentences(question: str) -> str | None:
    """The pattern of the sentences that state the fact asked, where a rule names one («Căn cứ …»)."""
    folded = fold(question)
    return next((rule.sentences for rule in FACT_RULES if rule.sentences and rule.applies(folded)), None)


def fact_passages(question: str, sections: list[ProseSection]) -> list[str]:
    """Sections that state the kind of fact asked for (signer, document number, reporting deadline)."""
    folded = fold(question)
    asked = set(tokens(question))
    found: list[str] = []
    for rule in FACT_RULES:
        if rule.applies(folded):
            stating = [s for s in sections if re.search(rule.passage, s.heading) or re.search(rule.passage, s.text)]
            if rule.ranked:
                stating = sorted(stating, key=lambda s: -len(asked & set(tokens(f"{s.heading} {s.text}"))))[: rule.ranked]
            found += [s.id for s in stating]
    return list(dict.fromkeys(found))


def outranks_agency(question: str) -> bool:
    """Whether the question asks a fact of the plan body in which a named agency takes part («báo cáo
    gửi Sở Nội vụ qua đâu», «quyết định nào của Bộ Nội vụ»), rather than the agency's tasks."""
    folded = fold(question)
    return any(rule.outranks_agency and rule.applies(folded) for rule in FACT_RULES)
