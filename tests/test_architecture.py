"""Import boundaries of DESIGN.md §5: the domain is free of the UI; each library behind one module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[1] / "prioritisation"


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    ("library", "allowed"),
    [
        ("streamlit", set()),
        ("skcriteria", {"ranking.py"}),
        ("xlsxwriter", {"workbook.py"}),
        ("openpyxl", set()),
        ("python_calamine", {"spreadsheet.py"}),
    ],
)
def test_each_library_sits_behind_one_module_of_the_domain(library, allowed):
    users = {path.name for path in DOMAIN.glob("*.py") if library in imported_modules(path)}
    assert users == allowed
