"""Entry of the dashboard: page configuration, the page list, the shared frame, the Accueil page.

Navigation goes through `st.navigation` over `ui.navigation.PAGES` (our titles, our order);
the page scripts live in `app_pages/` (not `pages/`: Streamlit would list that folder by
file name before `st.navigation` runs). The sample inventory loads on a first visit.
"""

from __future__ import annotations

import threading

import streamlit as st

from prioritisation.french import format_percent
from prioritisation.planning.portfolio import load_solver
from prioritisation.problems import errors, warnings
from prioritisation.ranking.methods import load_engine, normalise_weights
from ui import data, state
from ui.guard import page_guard
from ui.navigation import page_of, streamlit_pages
from ui.tables import escape_markdown


@st.cache_resource(show_spinner=False)
def _warm_up_ranking_engine() -> threading.Thread:
    """Import scikit-criteria and scipy's solver (about 3 s) in the background, once per process."""

    def load() -> None:
        load_engine()
        load_solver()

    thread = threading.Thread(target=load, name="chargement-moteurs", daemon=True)
    thread.start()
    return thread


def weights_in_force() -> str:
    chosen = state.criteria()
    shares = normalise_weights([state.weight(criterion) for criterion in chosen])
    return ", ".join(
        f"{state.criterion_label(criterion)} {format_percent(share)}"
        for criterion, share in zip(chosen, shares, strict=True)
    )


def home() -> None:
    st.title("Priorisation de la feuille de route numérique")
    st.markdown(
        "1. **Importez** l'inventaire des projets tel que vos services le tiennent (Excel, "
        "LibreOffice ou CSV).\n"
        "2. **Classez** les projets selon l'urgence, l'impact et la faisabilité, avec des poids "
        "que les élus règlent en séance.\n"
        "3. **Planifiez** dans les enveloppes annuelles et les règles de cofinancement, puis "
        "**exportez** classement, calendrier et budget vers Excel, toutes vos colonnes conservées."
    )
    with page_guard("Accueil"):
        source = state.source()
        inventory = data.inventory()
        if source.is_sample:
            st.info(
                f"Vous consultez les **données d'exemple** ({len(inventory.projects)} projets fictifs "
                "d'une intercommunalité). Importez votre inventaire dans la page Inventaire.",
                icon=":material/science:",
            )
        found = data.problems()
        st.markdown(
            f"**Fichier :** {escape_markdown(source.file_name)} · **{len(inventory.projects)} projets** · "
            f"{len(errors(found))} erreur(s) · {len(warnings(found))} avertissement(s)  \n"
            f"**Méthode :** {state.method().label} · **Poids :** {weights_in_force()}"
        )
        if errors(found):
            st.warning(
                "Des erreurs empêchent le classement : la page Inventaire les liste, ligne par ligne.",
                icon=":material/warning:",
            )
    st.subheader("Et ensuite ?")
    for title, purpose in (
        ("Inventaire", "importer votre fichier, vérifier les colonnes, corriger ou noter les projets"),
        ("Priorisation", "régler les poids et voir le classement changer, projet par projet"),
        ("Calendrier", "voir quand chaque projet peut se faire, et pourquoi certains attendent"),
        ("Budget", "fixer les enveloppes, vérifier les financements, comparer au portefeuille optimal"),
        ("Export", "télécharger le classement, le calendrier et le budget pour Excel"),
    ):
        spec = page_of(title)
        st.page_link(spec.script, label=f"{title} — {purpose}", icon=spec.icon)


st.set_page_config(page_title="Priorisation numérique", page_icon="🗺️", layout="wide")
navigation = st.navigation(streamlit_pages(home))
with st.sidebar:
    st.caption("Fichier en cours")
    st.text(state.source().file_name + (" (exemple)" if state.source().is_sample else ""))
try:
    navigation.run()
finally:
    _warm_up_ranking_engine()  # after the first page is drawn, so it never delays it
