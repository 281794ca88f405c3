"""A lookup's fact card: the cited task with its labelled fields, the asked ones first.

Built from the row itself (not from the generator's sentence), so every channel shows the same
fields under the same labels, and a field the plan leaves empty says so instead of vanishing.
"""

from __future__ import annotations

from assistant.contract import CardField, FactCardBlock, Query
from indexer.records import RowRecord

_LABELS = {"lead": "Chủ trì", "coordinating": "Phối hợp", "deadline": "Thời hạn", "product": "Sản phẩm",
           "budget": "Kinh phí"}
_EMPTY = {"budget": "văn bản không ghi kinh phí", "product": "văn bản không ghi sản phẩm",
          "deadline": "văn bản không ghi thời hạn", "coordinating": "văn bản không ghi đơn vị phối hợp",
          "lead": "văn bản không ghi đơn vị chủ trì"}


def _values(row: RowRecord) -> dict[str, str]:
    from assistant.compose import budget_text  # compose imports blocks, which imports this module

    return {"lead": row.lead_text, "coordinating": row.coordinating_text, "deadline": row.period.text,
            "product": row.product, "budget": budget_text(row) if row.budget else ""}


def fact_card(query: Query, row: RowRecord) -> FactCardBlock:
    """Asked fields first (in the question's order), then the rest; empty unasked fields left out."""
    asked = [key for key in [*query.fields, query.lookup] if key in _LABELS]
    asked = list(dict.fromkeys(asked))
    values = _values(row)
    fields = [CardField(key=key, label=_LABELS[key], value=" ".join(values[key].split()) or _EMPTY[key], asked=True)
              for key in asked]
    fields += [CardField(key=key, label=_LABELS[key], value=" ".join(values[key].split()))
               for key in _LABELS if key not in asked and values[key].strip()]
    title = " ".join((row.activity or row.task).split())
    return FactCardBlock(title=title, fields=fields, citation=row.id, source=row.label)
