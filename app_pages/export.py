"""Export: the ranked workbook (same content as `rank` on the command line) and a CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

import pandas as pd
import streamlit as st

from prioritisation.export.workbook import equivalent_command
from prioritisation.french import format_date, format_percent
from prioritisation.planning.plan import Plan
from prioritisation.ranking.priorities import CannotRank, Ranking
from ui import data, state
from ui.blocked import show_blocked
from ui.guard import page_guard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def settings_table(ranking: Ranking) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Critère": [criterion.label for criterion in ranking.criteria],
            "Sens": ["à maximiser" if c.maximise else "à minimiser" for c in ranking.criteria],
            "Poids": [format_percent(weight, 1) for weight in ranking.result.weights],
        }
    )


def export_name(source_name: str, day: dt.date, suffix: str) -> str:
    stem = "".join(char if char.isalnum() or char in "-_" else "_" for char in PurePath(source_name).stem)
    return f"classement_{stem}_{day:%Y-%m-%d}.{suffix}"


def downloads(ranking: Ranking) -> None:
    today = dt.date.today()
    source = ranking.inventory.table.file_name
    st.markdown(
        f"**Méthode :** {ranking.settings.method.label} · **Normalisation :** "
        f"{ranking.result.normalisation.label} · **{len(ranking.inventory.projects)} projets** · "
        f"{format_date(today)}"
    )
    st.dataframe(settings_table(ranking), hide_index=True, width="content")
    left, right = st.columns(2)
    planned = data.plan()
    plan = planned if isinstance(planned, Plan) else None
    left.download_button(
        "Télécharger le classeur Excel",
        data=data.workbook_export(ranking, today.isoformat(), plan),
        file_name=export_name(source, today, "xlsx"),
        mime=XLSX,
        icon=":material/download:",
        type="primary",
    )
    if plan is not None:
        left.caption(
            "Feuilles « Classement » (toutes vos colonnes, puis Rang, Score, Retenu, Début, Fin, Motif du "
            f"report), « Calendrier », « Budget » et « Paramètres ». Plan : {plan.chosen.selection.label}, "
            f"{len(plan.calendar.retained)} projet(s) retenu(s)."
        )
    else:
        left.caption(
            "Feuilles « Classement » et « Paramètres » : le plan n'est pas joint tant que ses réglages "
            "contiennent une erreur (page Budget)."
        )
    right.download_button(
        "Télécharger le classement (CSV)",
        data=data.csv_export(ranking),
        file_name=export_name(source, today, "csv"),
        mime="text/csv",
        icon=":material/download:",
    )
    right.caption(
        "Séparateur « ; », virgule décimale, UTF-8. Un texte commençant par =, +, - ou @ reçoit "
        "une apostrophe devant, pour qu'aucun tableur ne l'exécute comme une formule."
    )
    with st.expander("Refaire ce classement en ligne de commande"):
        st.code(equivalent_command(ranking, plan), language="bash")
        if state.edits():
            st.caption(
                "Cette commande classe le fichier d'origine : les cellules modifiées dans "
                "l'application n'y sont pas. Elles sont, elles, dans le classeur exporté."
            )


st.title("Export")
with page_guard("Export"):
    outcome = data.ranking()
    if isinstance(outcome, CannotRank):
        show_blocked(
            "Rien à exporter tant que l'inventaire contient des erreurs : corrigez-les d'abord.",
            outcome.problems,
        )
    else:
        downloads(outcome)
