"""Accueil: what the tool does in three lines, the state of the session, and where to go next."""

from __future__ import annotations

import streamlit as st

from prioritisation.french import format_number, format_percent
from prioritisation.problems import errors, warnings
from prioritisation.ranking.methods import InvalidSettings, normalise_weights
from prioritisation.usecases import blocks_ranking
from ui import data, state
from ui.guard import page_guard
from ui.navigation import page_of, through_the_app
from ui.tables import escape_markdown, shown

through_the_app()  # a page Streamlit ran on its own goes back through app.py


def weights_in_force() -> str:
    chosen = state.criteria()
    try:
        shares = normalise_weights([state.weight(criterion) for criterion in chosen])
    except InvalidSettings:
        return "tous à zéro"
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
            f"**Fichier :** {escape_markdown(shown(source.file_name))} · "
            f"**{format_number(len(inventory.projects))} projets** · "
            f"{format_number(len(errors(found)))} erreur(s) · "
            f"{format_number(len(warnings(found)))} avertissement(s)  \n"
            f"**Méthode :** {state.method().label} · **Poids :** {weights_in_force()}"
        )
        if any(blocks_ranking(problem) for problem in found):
            st.warning(
                "Des erreurs empêchent le classement : la page Inventaire les liste, ligne par ligne.",
                icon=":material/warning:",
            )
        elif errors(found):
            st.warning(
                "Des plans de financement sont à corriger (page Inventaire) ; le classement reste possible.",
                icon=":material/warning:",
            )
    st.subheader("Et ensuite ?")
    for title, purpose in (
        ("Inventaire", "importer votre fichier, vérifier les colonnes, corriger ou noter les projets"),
        ("Priorisation", "régler les poids et voir le classement changer, projet par projet"),
        ("Atelier", "faire voter chaque participant sur son téléphone, puis adopter les poids du groupe"),
        ("Calendrier", "voir quand chaque projet peut se faire, et pourquoi certains attendent"),
        ("Budget", "fixer les enveloppes, vérifier les financements, comparer au portefeuille optimal"),
        ("Export", "télécharger le classement, le calendrier et le budget pour Excel"),
    ):
        spec = page_of(title)
        st.page_link(spec.script, label=f"{title} — {purpose}", icon=spec.icon)


home()
