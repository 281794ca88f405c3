"""What a plan says about itself in its header block and signature: province, number, place and
date, title, plan year, signer, and which earlier plan it amends or replaces.

The header of a Vietnamese administrative document is fixed by Nghị định 30/2020/NĐ-CP: the
issuing body ("UBND TỈNH HƯNG YÊN"), "Số: 196/KH-UBND", "Hưng Yên, ngày 24 tháng 12 năm 2021",
the kind ("KẾ HOẠCH") above the title, and at the end "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH",
"PHÓ CHỦ TỊCH" and the signer's name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from pydantic import BaseModel

from indexer.vntext import squash, strip_html

_BODY = re.compile(r"^(?:UBND|ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN)\s+(TỈNH|THÀNH PHỐ)\s+(?P<name>[A-ZÀ-Ỹ][A-ZÀ-Ỹ\s\-]+?)\s*$")
_OF_PROVINCE = re.compile(r"\b(?:tỉnh|TỈNH|thành phố|THÀNH PHỐ)\s+(?P<name>(?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*\s?){1,3})")
_NOT_IN_NAME = {"năm", "giai", "đến", "về", "của", "số", "ngày", "và", "trong", "nhiệm", "kèm"}
_NUMBER = re.compile(r"^Số\s*:\s*(?P<number>\d+[\w/\-]*(?:/[A-ZĐ\-]+)+)", re.IGNORECASE)
_PLACE_DATE = re.compile(r"^(?P<place>[^,]{2,40}),\s*ngày\s+(?P<day>\d{1,2})\s+tháng\s+(?P<month>\d{1,2})\s+năm\s+(?P<year>\d{4})")
_KIND = re.compile(r"^(KẾ HOẠCH|PHỤ LỤC)$")
_PLAN_YEAR = re.compile(r"năm\s+(\d{4})(?!\s*-)", re.IGNORECASE)
_SIGN_ROLE = re.compile(r"^(?:TM\.|KT\.|Q\.)?\s*(?P<role>(?:PHÓ\s+)?CHỦ TỊCH|ỦY BAN NHÂN DÂN|GIÁM ĐỐC|PHÓ GIÁM ĐỐC)\b")
_CHANGE = re.compile(r"(?P<kind>sửa đổi,?\s*bổ sung|thay thế)\s+(?:một số nội dung (?:của|tại)\s+)?Kế hoạch\s+số\s*:?\s*"
                     r"(?P<number>\d+[\w/\-]*(?:/[A-ZĐ\-]+)*)", re.IGNORECASE)
_HEADER_LINES = 40  # the header block and title sit in the first lines
_SIGNATURE_LINES = 25


class DocumentMetadata(BaseModel):
    province: str | None = None
    doc_number: str | None = None
    place: str | None = None
    doc_date: dt.date | None = None
    title: str | None = None
    year: int | None = None
    signer: str | None = None
    signer_title: str | None = None
    amends_number: str | None = None  # "sửa đổi, bổ sung Kế hoạch số …"
    replaces_number: str | None = None  # "thay thế Kế hoạch số …"


def _name(upper: str) -> str:
    return " ".join(word.capitalize() for word in upper.split())


def _title(lines: list[str], start: int) -> str | None:
    """The lines after "KẾ HOẠCH" or "PHỤ LỤC" (blank lines skipped) up to a blank or "Căn cứ"."""
    parts: list[str] = []
    for line in lines[start + 1: start + 8]:
        if not line and not parts:
            continue
        if not line or line.startswith(("Căn cứ", "Số:", "I.", "-", "(", "Kính gửi")):
            break
        parts.append(line)
    text = squash(" ".join(parts))
    if text.isupper():  # "KHUNG NHIỆM VỤ …" printed in capitals
        text = text.capitalize()
    if not text:
        return None
    if lines[start].upper() == "PHỤ LỤC":
        return f"Phụ lục: {text}"
    return f"Kế hoạch {text[:1].lower()}{text[1:]}"


def _clean(lines: Sequence[str]) -> list[str]:
    return [squash(strip_html(re.sub(r"^[#*\s]+|\*+$", "", line))) for line in lines]


def _header(lines: list[str], found: DocumentMetadata) -> None:
    for index, line in enumerate(lines[:_HEADER_LINES]):
        if match := _BODY.match(line):
            found.province = found.province or _name(match["name"])
        elif match := _NUMBER.match(line):
            found.doc_number = found.doc_number or match["number"]
        elif match := _PLACE_DATE.match(line):
            found.place = found.place or match["place"].strip()
            try:
                found.doc_date = dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
            except ValueError:
                pass
        elif _KIND.match(line.upper()) and (found.title is None or found.title.startswith("Phụ lục")):
            found.title = _title(lines, index)


def _signature(lines: list[str], found: DocumentMetadata) -> None:
    tail = [line for line in lines[-_SIGNATURE_LINES:] if line]
    for index, line in enumerate(tail):
        if match := _SIGN_ROLE.match(line):
            role = match["role"].replace("ỦY BAN NHÂN DÂN", "").strip()
            if role:
                found.signer_title = f"{role.capitalize()} UBND tỉnh" if "CHỦ TỊCH" in role else role.capitalize()
            names = [l for l in tail[index + 1:] if 2 <= len(l.split()) <= 5 and all(w[:1].isupper() and not w.isupper() for w in l.split())]
            if names:
                found.signer = names[-1]


def read_metadata(raw_lines: Sequence[str]) -> DocumentMetadata:
    """Whatever the document says about itself; fields it does not say stay None."""
    lines = _clean(raw_lines)
    found = DocumentMetadata()
    _header(lines, found)
    _signature(lines, found)
    head = " ".join(lines[:_HEADER_LINES])
    for text in (found.title or "", head):
        if found.province is None and (match := _OF_PROVINCE.search(text)):
            words = []
            for word in match["name"].split():
                if word.lower() in _NOT_IN_NAME:
                    break
                words.append(word)
            found.province = _name(" ".join(words)) if words else None
    if found.province and found.title:  # a title printed in capitals was lowered with the name
        found.title = found.title.replace(found.province.lower(), found.province)
    if year := _PLAN_YEAR.search(found.title or ""):
        found.year = int(year[1])
    elif found.doc_date is not None:
        # A plan signed in the last quarter is the next year's plan.
        found.year = found.doc_date.year + (1 if found.doc_date.month >= 10 else 0)
    if change := _CHANGE.search(f"{found.title or ''} {head}"):
        key = "replaces_number" if "thay" in change["kind"].lower() else "amends_number"
        setattr(found, key, change["number"])
    return found
