"""Entry of the dashboard: page configuration, the page list, the shared frame (link, sidebar).

Navigation goes through `st.navigation` over `ui.navigation.PAGES` (our titles, our order);
the page scripts live in `pages/`, each of which first calls `through_the_app()` (a link
opened before any run called `st.navigation` would otherwise run a page alone, Streamlit's
old multipage mode). The sample inventory loads on a first visit.

A workshop's participant (the join link /rejoindre?code=…, or their own link) sees the join
page alone: no menu, no sidebar, no working state of theirs kept; their link carries the
code and their participant secret only (docs/atelier.md).
"""

from __future__ import annotations

import threading

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from prioritisation.planning.portfolio import load_solver
from prioritisation.ranking.methods import load_engine
from ui import data, persistence, state
from ui.french_interface import french_interface
from ui.navigation import JOIN_PAGE, is_join_address, streamlit_pages
from ui.tables import escape_markdown, shown


@st.cache_resource(show_spinner=False)
def _warm_up_ranking_engine() -> threading.Thread:
    """Import scikit-criteria and scipy's solver (about 3 s) in the background, once per process."""

    def load() -> None:
        load_engine()
        load_solver()

    thread = threading.Thread(target=load, name="chargement-moteurs", daemon=True)
    thread.start()
    return thread


def participant_frame(navigation: StreamlitPage) -> None:
    """The join page alone, its link kept to the code and the participant's secret."""
    state.read_participant_link()
    if navigation.url_path != JOIN_PAGE.url_path:  # a code in the root's link: the join page
        st.switch_page(JOIN_PAGE.script)
    try:
        navigation.run()
    finally:
        state.write_participant_link()


def working_frame(navigation: StreamlitPage) -> None:
    """Every page, with the file in the sidebar and the working state kept between visits."""
    restored = persistence.restore_from_link()  # a reload, or a link opened later: the kept state
    state.read_link()  # then the link's own settings, checked, on this session's first run
    data.check_linked_criteria()  # and the criteria it names, against the file
    with st.sidebar:
        st.caption("Fichier en cours")
        st.text(shown(state.source().file_name) + (" (exemple)" if state.source().is_sample else ""))
        if persistence.available():
            st.caption(
                f"Vos réglages et votre fichier sont gardés sur ce serveur {persistence.kept_days()} jours "
                "après la dernière utilisation, sous le lien de cette page : rechargez-la ou rouvrez le "
                "lien pour les retrouver."
            )
            if state.kept_token():
                st.button("Effacer mon état de travail", on_click=persistence.delete_working_state)
    for notice in (*restored, *state.link_notices()):
        st.warning(escape_markdown(notice), icon=":material/link:")
    state.note_page(navigation.title)
    try:
        navigation.run()
    finally:
        persistence.save()  # what changed in this run, kept for a reload or a later visit
        state.write_link()  # the settings in force, so the page's link reproduces them
        _warm_up_ranking_engine()  # after the first page is drawn, so it never delays it
        kept = persistence.notice()
        if kept:
            st.warning(escape_markdown(kept), icon=":material/cloud_off:")


st.set_page_config(page_title="Priorisation numérique", page_icon="🗺️", layout="wide")
french_interface()
joining = state.joining() or is_join_address(st.context.url)
page = st.navigation(streamlit_pages(), position="hidden" if joining else "sidebar")
if joining or page.url_path == JOIN_PAGE.url_path:
    participant_frame(page)
else:
    working_frame(page)
