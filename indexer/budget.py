"""Budget cells: keep the text, and the amount in million VND when the cell states one."""

from __future__ import annotations

import re

from indexer.records import Budget
from indexer.vntext import fold, strip_html

_AMOUNT = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)\s*(trieu dong|trieu|ty dong|ty)?(\s*/\s*don vi)?$")


def parse_budget(cell: str, column_in_millions: bool) -> Budget | None:
    """"2.300" in a "(triệu đồng)" column is 2,300 million; "10 triệu đồng/đơn vị" is per unit."""
    text = strip_html(cell)
    if not text:
        return None
    match = _AMOUNT.match(fold(text).strip(" ."))
    if not match:
        return Budget(text=text)
    number, unit, per_unit = match.groups()
    # Vietnamese writes thousands with dots and decimals with a comma.
    value = float(number.replace(".", "").replace(",", "."))
    if unit and unit.startswith("ty"):
        value *= 1000
    elif not unit and not column_in_millions:
        return Budget(text=text)
    return Budget(text=text, million_vnd=value, per_unit=bool(per_unit))
