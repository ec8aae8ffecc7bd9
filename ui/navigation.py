"""The app's pages, listed once: the router (`app.py`) and the tests both read `PAGES`.

Participants do not use the menu: they open the join link (/rejoindre?code=…, from the QR
code) and see the join page alone — no menu, no sidebar, none of the facilitator's tools.
The join page is registered hidden (`JOIN_PAGE`), so its address works from any session.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from prioritisation.workshop.invitation import JOIN_PATH


@dataclass(frozen=True)
class PageSpec:
    title: str
    icon: str
    script: str  # path relative to app.py
    url_path: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("Accueil", ":material/home:", "pages/accueil.py", ""),
    PageSpec("Inventaire", ":material/table_view:", "pages/inventaire.py", "inventaire"),
    PageSpec("Priorisation", ":material/leaderboard:", "pages/priorisation.py", "priorisation"),
    PageSpec("Atelier", ":material/groups:", "pages/atelier.py", "atelier"),
    PageSpec("Calendrier", ":material/calendar_month:", "pages/calendrier.py", "calendrier"),
    PageSpec("Budget", ":material/account_balance:", "pages/budget.py", "budget"),
    PageSpec("Export", ":material/download:", "pages/export.py", "export"),
)
JOIN_PAGE = PageSpec("Rejoindre un atelier", ":material/how_to_vote:", "pages/rejoindre.py", JOIN_PATH)


def page_of(title: str) -> PageSpec:
    return next(page for page in (*PAGES, JOIN_PAGE) if page.title == title)


def is_join_address(url: str | None) -> bool:
    """Whether the browser's address is the join page's (/rejoindre, under any prefix)."""
    return bool(url) and urlsplit(url).path.rstrip("/").endswith("/" + JOIN_PATH)


def streamlit_pages() -> list:
    """The `st.Page` objects, in order; the first is the default (Accueil, at the root URL).
    The join page comes last, out of the menu."""
    import streamlit as st

    pages = [
        st.Page(
            spec.script,
            title=spec.title,
            icon=spec.icon,
            url_path=spec.url_path or None,
            default=not spec.url_path,
        )
        for spec in PAGES
    ]
    pages.append(
        st.Page(
            JOIN_PAGE.script,
            title=JOIN_PAGE.title,
            icon=JOIN_PAGE.icon,
            url_path=JOIN_PAGE.url_path,
            visibility="hidden",
        )
    )
    return pages


def through_the_app() -> None:
    """Called first by every page script: hand a page Streamlit ran on its own back to app.py.

    The page scripts live in `pages/`, and a `pages/` folder beside app.py makes Streamlit
    start in its old multipage mode: until some run calls `st.navigation`, a link such as
    /priorisation runs pages/priorisation.py alone — no sidebar, no file, the menu made of
    file names. That happens once per process, to a link opened before anyone visited /.
    The page then leaves that mode and reruns: the rerun goes through app.py, which draws
    the page asked for within the app. docs/architecture.md (« Pourquoi pages/ »).
    """
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False  # what st.navigation itself does
        st.rerun()
