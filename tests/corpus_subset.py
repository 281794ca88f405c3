"""A copy of the seed corpus reduced to some plans: tests that rebuild often need fewer rows."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from indexer.manifest import MANIFEST_NAME

SEEDS = Path(__file__).resolve().parents[1] / "corpus"


def keep_plans(corpus: Path, plan_ids: Sequence[str]) -> Path:
    """Rewrite `corpus`'s manifest to declare only `plan_ids` (their files are left in place)."""
    manifest = corpus / MANIFEST_NAME
    manifest.chmod(0o644)
    head, *entries = manifest.read_text(encoding="utf-8").split("[[plan]]")
    kept = [e for e in entries if any(f'id = "{plan}"' in e for plan in plan_ids)]
    manifest.write_text(head + "".join("[[plan]]" + e for e in kept), encoding="utf-8")
    return corpus


def seed_subset(target: Path, plan_ids: Sequence[str]) -> Path:
    """A fresh copy of the seed corpus at `target`, declaring only `plan_ids`."""
    shutil.copytree(SEEDS, target)
    return keep_plans(target, plan_ids)
