"""Import boundaries (docs/architecture.md, « Les règles »): the domain is free of the UI; each
library behind one module."""

from __future__ import annotations

import ast
from pathlib import Path, PurePath

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ROOT / "prioritisation"
APP_FILES = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]


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
        ("skcriteria", {"ranking/methods.py"}),
        ("xlsxwriter", {"export/workbook.py"}),
        ("openpyxl", set()),
        ("python_calamine", {"reading/spreadsheet.py"}),
        # The store's SQL is SQLAlchemy Core; psycopg is only SQLAlchemy's PostgreSQL driver.
        (
            "sqlalchemy",
            {"store/database.py", "store/schema.py", "store/working_states.py", "store/workshops.py"},
        ),
        ("psycopg", set()),
        ("segno", {"workshop/invitation.py"}),  # the QR code of the join link
    ],
)
def test_each_library_sits_behind_one_module_of_the_domain(library, allowed):
    users = {
        path.relative_to(DOMAIN).as_posix()
        for path in DOMAIN.rglob("*.py")
        if library in imported_modules(path)
    }
    assert users == allowed


@pytest.mark.parametrize(
    "library", ["skcriteria", "xlsxwriter", "openpyxl", "python_calamine", "sqlalchemy", "psycopg", "segno"]
)
def test_the_dashboard_reaches_libraries_only_through_the_domain(library):
    assert not [path.name for path in APP_FILES if library in imported_modules(path)]


def test_the_dashboard_never_renders_html_but_its_own_fixed_french_layer():
    """No user text as HTML: st.html only in ui/french_interface.py, on its module's constants."""
    assert not [path.name for path in APP_FILES if "unsafe_allow_html" in path.read_text(encoding="utf-8")]
    assert [path.name for path in APP_FILES if "st.html" in path.read_text(encoding="utf-8")] == [
        "french_interface.py"
    ]
    tree = ast.parse((ROOT / "ui" / "french_interface.py").read_text(encoding="utf-8"))
    shown = [
        ast.unparse(node.args[0])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "st.html"
    ]
    assert shown == ["STYLE", "_script()"]  # a constant and a file of ours, nothing passed in


def test_pages_are_thin_scripts_without_streamlit_state_of_their_own():
    """Session state goes through ui/state.py alone."""
    touching = [path.name for path in APP_FILES if "session_state" in path.read_text(encoding="utf-8")]
    assert touching == ["state.py"]


def test_every_page_script_first_goes_back_through_the_app():
    """A page in pages/ run alone (Streamlit's old multipage mode, on a first deep link) must
    hand over to app.py before it draws anything (ui.navigation.through_the_app)."""
    from ui.navigation import JOIN_PAGE, PAGES

    for spec in (*PAGES, JOIN_PAGE):
        body = ast.parse((ROOT / spec.script).read_text(encoding="utf-8")).body
        first = next(
            node
            for node in body
            if not isinstance(node, ast.Import | ast.ImportFrom | ast.Expr)
            or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call))
        )
        assert ast.unparse(first) == "through_the_app()", spec.script
    assert sorted(path.name for path in (ROOT / "pages").glob("*.py")) == sorted(
        PurePath(spec.script).name for spec in (*PAGES, JOIN_PAGE)
    )  # no script Streamlit would list that the app does not
