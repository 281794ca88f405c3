"""Imports run down the data flow only: cchc (settings, errors) → indexer → assistant → service →
bots → eval → cli. A module importing a higher layer would tie the ground to the top floor."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["cchc", "indexer", "assistant", "service", "bots", "eval", "cli"]


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):  # function-level imports count too
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(LAYERS)


@pytest.mark.parametrize("package", LAYERS)
def test_a_layer_imports_only_the_layers_below_it(package):
    allowed = set(LAYERS[: LAYERS.index(package) + 1])
    wrong = {str(path.relative_to(ROOT)): sorted(imported_packages(path) - allowed)
             for path in (ROOT / package).rglob("*.py") if imported_packages(path) - allowed}
    assert wrong == {}
