"""Entry of the dashboard: page configuration, the page list, the shared frame (link, sidebar).

Navigation goes through `st.navigation` over `ui.navigation.PAGES` (our titles, our order);
the page scripts live in `app_pages/` (not `pages/`: Streamlit would list that folder by
file name before `st.navigation` runs). The sample inventory loads on a first visit.
"""

from __future__ import annotations

import threading

import streamlit as st

from prioritisation.planning.portfolio import load_solver
from prioritisation.ranking.methods import load_engine
from ui import state
from ui.navigation import streamlit_pages
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


st.set_page_config(page_title="Priorisation numérique", page_icon="🗺️", layout="wide")
navigation = st.navigation(streamlit_pages())
state.read_link()  # a shared link's settings, checked, on this session's first run
with st.sidebar:
    st.caption("Fichier en cours")
    st.text(shown(state.source().file_name) + (" (exemple)" if state.source().is_sample else ""))
for notice in state.link_notices():
    st.warning(escape_markdown(notice), icon=":material/link:")
try:
    navigation.run()
finally:
    state.write_link()  # the settings in force, so the page's link reproduces them
    _warm_up_ranking_engine()  # after the first page is drawn, so it never delays it
