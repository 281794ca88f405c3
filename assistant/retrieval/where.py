"""Where clauses in the index's filter language (Chroma's), built from optional parts."""

from __future__ import annotations

from typing import Any


def any_of(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


def all_of(clauses: list[dict[str, Any]]) -> dict[str, Any] | None:
    clauses = [c for c in clauses if c]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
