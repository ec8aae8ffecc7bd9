"""The app's pages, listed once: the router (`app.py`) and the tests both read `PAGES`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    title: str
    icon: str
    script: str  # path relative to app.py
    url_path: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("Accueil", ":material/home:", "app_pages/accueil.py", ""),
    PageSpec("Inventaire", ":material/table_view:", "app_pages/inventaire.py", "inventaire"),
    PageSpec("Priorisation", ":material/leaderboard:", "app_pages/priorisation.py", "priorisation"),
    PageSpec("Calendrier", ":material/calendar_month:", "app_pages/calendrier.py", "calendrier"),
    PageSpec("Budget", ":material/account_balance:", "app_pages/budget.py", "budget"),
    PageSpec("Export", ":material/download:", "app_pages/export.py", "export"),
)


def page_of(title: str) -> PageSpec:
    return next(page for page in PAGES if page.title == title)


def streamlit_pages() -> list:
    """The `st.Page` objects, in order; the first is the default (Accueil, at the root URL)."""
    import streamlit as st

    return [
        st.Page(
            spec.script,
            title=spec.title,
            icon=spec.icon,
            url_path=spec.url_path or None,
            default=not spec.url_path,
        )
        for spec in PAGES
    ]
