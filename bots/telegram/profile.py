"""An official's profile (agency and province, kept in the bot's persistence) and agency search."""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Literal

from assistant.contract import AgencyMention
from assistant.contract import Profile as AskedBy
from indexer.agencies import Agency, AgencyTable
from indexer.records import PlanDocument
from indexer.vntext import fold

Duty = Literal["this_quarter", "next_quarter", "coordinating"]
_KEYS = ("agency_id", "agency_name", "province")
MIN_SIMILARITY = 0.72


@dataclass(frozen=True)
class Profile:
    agency_id: str
    agency_name: str
    province: str

    @classmethod
    def load(cls, user_data: MutableMapping[str, Any] | None) -> Profile | None:
        """The profile stored in a user's data, or None before /donvi."""
        values = [(user_data or {}).get(key) for key in _KEYS]
        return cls(*values) if all(isinstance(v, str) and v for v in values) else None

    def save(self, user_data: MutableMapping[str, Any]) -> None:
        user_data.update(agency_id=self.agency_id, agency_name=self.agency_name, province=self.province)

    @property
    def mention(self) -> AgencyMention:
        """How the answer chain reads "đơn vị tôi" in a free question."""
        return AgencyMention(id=self.agency_id, name=self.agency_name)

    @property
    def asked_by(self) -> AskedBy:
        """What every free question carries: «đơn vị tôi», and the province of a question naming none."""
        return AskedBy(agency=self.mention, province=self.province)


def provinces(plans: Iterable[PlanDocument]) -> list[str]:
    """Provinces that have at least one indexed plan, sorted as Vietnamese readers expect."""
    return sorted({plan.province for plan in plans}, key=lambda name: (fold(name), name))


def _similarity(query: str, name: str) -> float:
    if query == name:
        return 1.0
    score = SequenceMatcher(None, query, name).ratio()
    if f" {query} " in f" {name} ":  # "noi vu" inside "so noi vu"
        score = max(score, 0.8)
    return score


def search_agencies(table: AgencyTable, text: str, limit: int = 6) -> list[Agency]:
    """Agencies a typed name or abbreviation may mean: alias-table matches first, then close names."""
    found: dict[str, Agency] = {}
    for ref in table.find_in_text(text):
        agency = table.get(ref.id)
        if not agency.collective:
            found.setdefault(agency.id, agency)
    query = " ".join(fold(text).split())
    # with an exact alias match, only near-identical names are worth offering besides it
    threshold = 0.75 if found else MIN_SIMILARITY
    if len(found) < limit and query:
        scored: list[tuple[float, bool, Agency]] = []
        for agency in table.all():
            if agency.collective or agency.id in found:
                continue
            names = {agency.name, agency.short, *agency.aliases}
            score = max(_similarity(query, " ".join(fold(name).split())) for name in names)
            if score >= threshold:
                scored.append((score, agency.kind == "ministry", agency))
        # provincial agencies before ministries of the same name ("Sở Nội vụ" before "Bộ Nội vụ")
        for _, _, agency in sorted(scored, key=lambda item: (-item[0], item[1], item[2].name))[: limit - len(found)]:
            found[agency.id] = agency
    return list(found.values())[:limit]
