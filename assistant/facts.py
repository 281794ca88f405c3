"""Kinds of fact officials ask about that the plans word their own way (signer, document number,
reporting deadline and duty, recipients, the documents a plan is based on): how a question says it,
the words added to its search, and how to recognise the passage that states it."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from indexer.records import ProseSection
from indexer.vntext import fold


class FactRule(BaseModel):
    """A kind of fact officials ask about that the plans word their own way: how the question
    says it, the words to add to the search, and how to recognise the passage that states it."""

    asks: str
    adds: str
    passage: str
    unless: str | None = Field(None, description="a question matching this asks for another kind of fact")
    sentences: str | None = Field(None, description="the sentences of a long passage that state the fact (all of them are shown)")

    def applies(self, folded: str) -> bool:
        return bool(re.search(self.asks, folded)) and not (self.unless and re.search(self.unless, folded))


FACT_RULES = [
    FactRule(asks=r"\b(?:ai|nguoi) ky\b|\bky (?:ban hanh|ke hoach)\b|\bchu ky\b",
             adds="Người ký TM. ỦY BAN NHÂN DÂN CHỦ TỊCH", passage=r"^Người ký$"),
    FactRule(asks=r"\bso (?:hieu|ky hieu|ke hoach|may|bao nhieu)\b|\bky hieu\b|\bke hoach so\b|\bngay ban hanh\b|\bban hanh ngay\b"
                  r"|\bngay nao\b|\b(?:ban hanh|ky) (?:khi nao|luc nao|bao gio|hom nao|thang nao|ngay)\b",
             adds="Kèm theo Kế hoạch số /KH-UBND ngày", passage=r"[Kk]èm theo Kế hoạch số"),
    FactRule(asks=r"\b(?:han|thoi han|thoi gian|khi nao)\b.*\bbao cao\b|\bbao cao\b.*\b(?:han|khi nao|ngay nao)\b|\bchot so lieu\b",
             adds="Thời hạn báo cáo chậm nhất chốt số liệu", passage=r"Thời hạn báo cáo|chốt số liệu"),
    # Where reports go and through whom is a duty in the plan body, not the plan's own «Nơi nhận» list.
    FactRule(asks=r"\bbao cao\b.*\b(?:gui|nop|ve dau|cho ai|qua ai)\b|\b(?:gui|nop)\b.*\bbao cao\b|\bche do (?:thong tin,? )?bao cao\b",
             adds="gửi Sở Nội vụ để tổng hợp, báo cáo UBND tỉnh; chế độ báo cáo",
             passage=r"gửi (?:về )?Sở Nội vụ|[Cc]hế độ (?:thông tin,? )?báo cáo"),
    FactRule(asks=r"\bnoi nhan\b|\bgui (?:cho |toi |den |ve )?(?:nhung )?(?:ai|dau|noi nao|co quan nao|don vi nao)\b",
             adds="Nơi nhận", passage=r"^Nơi nhận$", unless=r"\bbao cao\b"),
    # The documents a plan is based on: its preamble («Căn cứ …»).
    FactRule(asks=r"\bcan cu\b|\b(?:co so|dua (?:tren|vao)|xay dung theo|ban hanh theo|theo)\b.{0,40}"
                  r"\b(?:van ban|quyet dinh|nghi quyet|nghi dinh|chi thi|ke hoach|thong tu|chuong trinh)\b.{0,30}\b(?:nao|gi)\b",
             adds="Căn cứ", passage=r"(?s)^.{0,200}\b[Cc]ăn cứ\b", sentences=r"\b[Cc]ăn cứ\b"),
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
    found: list[str] = []
    for rule in FACT_RULES:
        if rule.applies(folded):
            found += [s.id for s in sections if re.search(rule.passage, s.heading) or re.search(rule.passage, s.text)]
    return list(dict.fromkeys(found))
