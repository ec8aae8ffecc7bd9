"""Export: the ranked workbook (same content as `rank` on the command line) and a CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

import pandas as pd
import streamlit as st

from prioritisation.command import Shell
from prioritisation.export.workbook import equivalent_command
from prioritisation.french import format_date, format_number, format_percent
from prioritisation.planning.plan import Plan
from prioritisation.ranking.priorities import Ranking
from ui import data, state
from ui.blocked import ranking_or_why, wait_for_optimal
from ui.guard import page_guard
from ui.navigation import through_the_app
from ui.tables import escape_markdown, shown

through_the_app()  # a page Streamlit ran on its own goes back through app.py

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
        f"{ranking.result.normalisation.label} · "
        f"**{format_number(len(ranking.inventory.projects))} projets** · {format_date(today)}"
    )
    st.dataframe(settings_table(ranking), hide_index=True, width="content")
    planned = data.plan()
    if isinstance(planned, data.Waiting):
        wait_for_optimal()
        return  # the workbook carries the plan asked for, never a stand-in
    plan = planned if isinstance(planned, Plan) else None
    workshop = state.adopted_workshop()
    left, right = st.columns(2)
    left.download_button(
        "Télécharger le classeur Excel",
        data=data.workbook_download(ranking, plan, today, workshop),
        file_name=export_name(source, today, "xlsx"),
        mime=XLSX,
        icon=":material/download:",
        type="primary",
    )
    if plan is not None:
        left.caption(
            "Feuilles « Classement » (toutes vos colonnes, puis Rang, Score sur 100, Retenu, Début, "
            "Fin, Motif du report), « Calendrier », « Budget », « Robustesse » et « Paramètres ». Plan : "
            f"{plan.chosen.selection.label}, "
            f"{format_number(len(plan.calendar.retained))} projet(s) retenu(s)."
        )
    else:
        left.caption(
            "Feuilles « Classement » et « Paramètres » : le plan n'est pas joint tant que ses réglages "
            "contiennent une erreur (page Budget)."
        )
    if workshop is not None:
        names = [criterion.criterion.name for criterion in ranking.criteria]
        followed = workshop.followed_by(names, ranking.settings.raw_weights)
        left.caption(
            escape_markdown(
                f"Feuille « Atelier » : l'atelier « {shown(workshop.title)} » ({workshop.voters} vote(s), "
                f"{workshop.adopted.label}), la dispersion, le consensus et les poids de chacun, anonymes. "
                + (
                    "Les poids du classement sont ceux du groupe."
                    if followed
                    else "Les poids ont été modifiés depuis l'adoption : la feuille Paramètres le dit."
                )
            )
        )
    right.download_button(
        "Télécharger le classement (CSV)",
        data=data.csv_download(ranking),
        file_name=export_name(source, today, "csv"),
        mime="text/csv",
        icon=":material/download:",
    )
    right.caption(
        "Séparateur « ; », virgule décimale, UTF-8. Un texte commençant par =, +, - ou @ reçoit "
        "une apostrophe devant, pour qu'aucun tableur ne l'exécute comme une formule."
    )
    with st.expander("Refaire ce classement en ligne de commande"):
        request = data.request()
        for shell in Shell:
            st.caption(f"Pour {shell.label} :")
            st.code(
                equivalent_command(ranking, plan, request, shell),
                language="bash" if shell is Shell.POSIX else "powershell",
            )
        st.caption(
            "Chaque nom de fichier, de feuille ou de colonne y est cité pour l'interpréteur choisi : "
            "collée telle quelle, la commande ne lance rien d'autre (PowerShell 7.3 ou plus récent). "
            "Placez-vous dans le dossier du fichier, ou remplacez son nom par son chemin."
        )
        if state.edits():
            st.caption(
                "Cette commande classe le fichier d'origine : les cellules modifiées dans "
                "l'application n'y sont pas. Elles sont, elles, dans le classeur exporté."
            )


st.title("Export")
with page_guard("Export"):
    outcome = ranking_or_why("L'export")
    if outcome is not None:
        downloads(outcome)
