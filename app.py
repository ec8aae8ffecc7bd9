"""Accueil du tableau de bord : le classement de l'inventaire d'exemple, et son export.

Page minimale en attendant le tableau de bord complet (pages Inventaire, Priorisation,
Export) : elle lit l'exemple, appelle le domaine, affiche le résultat. Aucune logique ici.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from prioritisation.french import format_date, format_euros, format_number
from prioritisation.inventory import load_inventory
from prioritisation.priorities import CannotRank, Ranking, rank_inventory

SAMPLE = Path(__file__).parent / "sample_data" / "inventaire_exemple.xlsx"


@st.cache_resource(show_spinner=False)
def sample_ranking() -> Ranking:
    """The bundled sample, read and ranked once per server: it is the same for everyone."""
    return rank_inventory(load_inventory(SAMPLE))


@st.cache_resource(show_spinner=False)
def sample_workbook() -> bytes:
    from prioritisation.workbook import ranking_bytes

    return ranking_bytes(sample_ranking())


def displayed(ranking: Ranking) -> pd.DataFrame:
    table = ranking.summary()
    table["Score"] = [format_number(score * 100, 1) for score in table["Score"]]
    table["Coût d'investissement (€)"] = [format_euros(cost) for cost in table["Coût d'investissement (€)"]]
    return table.rename(columns={"Score": "Score (sur 100)"})


st.set_page_config(page_title="Priorisation numérique", page_icon="🗺️", layout="wide")
st.title("Priorisation de la feuille de route numérique")
st.markdown(
    "Classe les projets candidats d'une collectivité selon l'**urgence**, l'**impact** et la "
    "**faisabilité**, avec des poids que les élus choisissent, et rend un classeur Excel pour les "
    "finances et le conseil."
)
try:
    ranking = sample_ranking()
except CannotRank as refused:
    st.error(
        "L'inventaire d'exemple contient des erreurs :\n\n" + "\n".join(f"- {p}" for p in refused.problems)
    )
    st.stop()

st.info(
    f"Données d'exemple (fictives) : {len(ranking.inventory.projects)} projets, "
    f"méthode {ranking.settings.method.label.lower()}, poids égaux."
)
st.dataframe(displayed(ranking), hide_index=True, width="stretch")
st.download_button(
    "Télécharger le classement (Excel)",
    data=sample_workbook(),
    file_name=f"classement_{dt.date.today():%Y-%m-%d}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
st.caption(f"Classement du {format_date(dt.date.today())}.")
