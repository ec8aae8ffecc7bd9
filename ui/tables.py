"""Domain values turned into French tables for display (numbers already formatted as text).

Streamlit formats numbers with the browser's locale; to show `1 234 567 €` whatever the
browser, the tables here carry French text. Nothing here is rendered as HTML.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from prioritisation.french import (
    format_amounts,
    format_euros,
    format_number,
    format_numbers,
    format_percent,
    format_plain,
    parse_number,
)
from prioritisation.problems import Problem, ProblemGroup
from prioritisation.ranking.explanation import Explanation
from prioritisation.ranking.methods import Method
from prioritisation.ranking.priorities import Ranking
from prioritisation.reading.fields import AXES, FIELDS_BY_KEY, Kind
from prioritisation.reading.inventory import ExcludedRow, Inventory, cell_text, unique_labels
from prioritisation.reading.scores import ScoreWords

LINE = "Ligne"


def score_header(method: Method) -> str:
    """One scale everywhere: scores on 100 (VIKOR's Q too, where lower is better)."""
    return "Q sur 100 (plus bas = mieux)" if method is Method.VIKOR else "Score sur 100"


def score_texts(method: Method, scores: np.ndarray) -> list[str]:
    return format_numbers((scores * 100).tolist(), 1)


# Characters that reorder what follows them on screen: « ‮gpj.exe » would read « exe.jpg ».
_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
)


def shown(text: object) -> str:
    """User text as a label on screen: bidirectional controls taken out, so that no label can
    show its characters in another order than they are stored (the data itself is untouched)."""
    return str(text).translate(_BIDI_CONTROLS)


def short(text: object, length: int) -> str:
    """A label cut to `length` characters, with « … » when it was longer."""
    plain = shown(text)
    return plain if len(plain) <= length else plain[: length - 1].rstrip() + "…"


def movement_text(places: int) -> str:
    if places > 0:
        return f"▲ {places}"
    if places < 0:
        return f"▼ {-places}"
    return "="


def ranked_table(
    ranking: Ranking,
    movement: np.ndarray,
    closeness: list[str],
    *,
    every_column: bool = False,
    badges: list[str] | None = None,
) -> pd.DataFrame:
    """The ranking, best first, in the columns a room reads without scrolling sideways:
    rank, project, axis, score, movement against equal weights and close calls; with
    `every_column`, the service and the investment cost too."""
    projects = ranking.inventory.projects
    order = ranking.order
    method = ranking.settings.method

    def ordered(field: str) -> np.ndarray:
        return projects[field].to_numpy(dtype=object)[order]

    columns: dict[str, object] = {
        "Rang": ranking.result.ranks[order],
        "Projet": [
            f"{shown(i)} · {shown(title)}" for i, title in zip(ordered("id"), ordered("title"), strict=True)
        ],
        "Axe": [axis_short(axis) for axis in ordered("axis")],
        score_header(method): score_texts(method, ranking.result.scores[order]),
        "Évolution": [movement_text(places) for places in movement[order].tolist()],
        "Départage": [closeness[position] for position in order.tolist()],
    }
    if badges is not None:
        columns["Stabilité"] = badges
    if every_column:
        columns["Service porteur"] = [shown(service) for service in ordered("owner_service")]
        columns["Coût d'investissement"] = format_amounts(
            projects["capex"].to_numpy(dtype=float)[order].tolist()
        )
    return pd.DataFrame(columns, index=projects.index[order])


def axis_short(axis: object) -> str:
    """« Services numériques innovants » → « 3 · Services numériques » (the CRTE axes are numbered)."""
    text = shown(axis or "")
    if text in AXES:
        number = AXES.index(text) + 1
        return f"{number} · {short(text, 24)}"
    return short(text, 28)


def filtered_by(
    table: pd.DataFrame, projects: pd.DataFrame, axes: list[str], services: list[str]
) -> pd.DataFrame:
    """The rows (indexed by spreadsheet row) whose project's axis and service are among those
    chosen (none chosen: all)."""
    keep = np.ones(len(table), dtype=bool)
    if axes:
        keep &= projects.loc[table.index, "axis"].astype(str).isin(axes).to_numpy()
    if services:
        keep &= projects.loc[table.index, "owner_service"].astype(str).isin(services).to_numpy()
    return table[keep]


def distinct(column: pd.Series) -> list[str]:
    """The non-empty values of a column, sorted, each once."""
    return sorted(value for value in pd.unique(column.to_numpy(dtype=object)) if value)


def project_names(projects: pd.DataFrame) -> dict[int, str]:
    """Spreadsheet row → 'P07 — Portail citoyen', for choosing a project."""
    ids, titles = projects["id"].to_numpy(dtype=object), projects["title"].to_numpy(dtype=object)
    return {int(row): f"{shown(ids[i])} — {shown(titles[i])}" for i, row in enumerate(projects.index)}


def problems_table(problems: list[Problem]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Gravité": ["Erreur" if problem.is_error else "Avertissement" for problem in problems],
            "Feuille": [problem.sheet or "" for problem in problems],
            LINE: [str(problem.row) if problem.row else "" for problem in problems],
            "Colonne": [problem.column or "" for problem in problems],
            "Problème": [shown(problem.message) for problem in problems],
        }
    )


def groups_table(groups: list[ProblemGroup]) -> pd.DataFrame:
    """One line per kind of problem: repeated ones counted, their rows listed (detail below)."""
    return pd.DataFrame(
        {
            "Gravité": ["Erreur" if group.is_error else "Avertissement" for group in groups],
            "Feuille": [shown(group.first.sheet or "") for group in groups],
            LINE: [str(group.first.row) if group.count == 1 and group.first.row else "" for group in groups],
            "Colonne": [shown(group.first.column or "") for group in groups],
            "Problème": [shown(group.summary()) for group in groups],
            "Cas": [format_number(group.count) for group in groups],
        }
    )


def excluded_table(excluded: Sequence[ExcludedRow]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            LINE: [str(row.row) for row in excluded],
            "Identifiant": [shown(row.project_id) for row in excluded],
            "Projet": [shown(row.title) for row in excluded],
            "Pourquoi": [" ; ".join(row.reasons) for row in excluded],
        }
    )


def words_table(words: ScoreWords, unvalued: Sequence[str] = ()) -> pd.DataFrame:
    """The words read as scores with their score, then the words still without one (to fill)."""
    return pd.DataFrame(
        {
            "Mot": [shown(word) for word in (*words.words, *unvalued)],
            "Note": [format_plain(value) for _, value in words.values] + [""] * len(unvalued),
        }
    )


def editable_table(inventory: Inventory) -> pd.DataFrame:
    """Every column of the table as text, indexed by the spreadsheet's row numbers."""
    labels = unique_labels(inventory.table.headers)
    frame = pd.DataFrame(
        [[cell_text(cell) for cell in row] for row in inventory.table.rows],
        columns=labels,
        index=pd.Index(inventory.table.row_numbers, name=LINE),
        dtype=object,
    )
    return frame


def edits_table(inventory: Inventory, edits: dict[tuple[int, str], str]) -> pd.DataFrame:
    """What the user typed and how the tool read it, so a misread figure is seen at once."""
    labels = unique_labels(inventory.table.headers)
    rows = []
    for (row, label), typed in sorted(edits.items()):
        field = inventory.mapping.field_at(labels.index(label))
        rows.append(
            {
                LINE: str(row),
                "Colonne": inventory.table.headers[labels.index(label)],
                "Saisi": typed,
                "Lu comme": _reading(typed, field),
            }
        )
    return pd.DataFrame(rows, columns=[LINE, "Colonne", "Saisi", "Lu comme"])


def _reading(typed: str, field: str | None) -> str:
    if not typed.strip():
        return "vide"
    if field is None:
        return "texte (colonne conservée telle quelle)"
    kind = FIELDS_BY_KEY[field].kind
    if kind not in (Kind.SCORE, Kind.AMOUNT, Kind.MONTHS):
        return "texte"
    number = parse_number(typed)
    if number is None:
        return "illisible : ce n'est pas un nombre"
    if kind is Kind.AMOUNT:
        return format_euros(number, 0 if float(number).is_integer() else 2)
    return format_plain(number)


def explanation_table(explanation: Explanation, method: Method) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "Critère": [reading.label for reading in explanation.readings],
            "Sens": [
                "à maximiser" if reading.maximise else "à minimiser" for reading in explanation.readings
            ],
            "Valeur du projet": [format_plain(reading.value, 2) for reading in explanation.readings],
            "Médiane des projets": [format_plain(reading.median, 2) for reading in explanation.readings],
            "Position": [_stands_text(reading.stands) for reading in explanation.readings],
            "Poids": [format_percent(reading.weight, 1) for reading in explanation.readings],
            "Note ramenée sur 100": [
                format_number(reading.normalised * 100, 1) for reading in explanation.readings
            ],
        }
    )
    if method is Method.WEIGHTED_SUM:
        table["Points apportés au score"] = [
            format_number((reading.contribution or 0.0) * 100, 1) for reading in explanation.readings
        ]
    return table


def _stands_text(stands: int) -> str:
    return {1: "meilleur que la médiane", -1: "moins bon que la médiane", 0: "à la médiane"}[stands]


def escape_markdown(text: str) -> str:
    """User text inside our Markdown: shown as typed, never read as Markdown or HTML."""
    return "".join("\\" + char if char in _MARKDOWN_SPECIALS else char for char in text)


_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~$:")
