"""Plotly heat map of rank acceptability, readable on a phone, in French, colour-blind safe.

Few columns (ranks 1 to 10, then « au-delà »), percentages written in the cells only where
they matter, French separators, one blue hue from white (Okabe & Ito's blue, #0072B2), which
reads the same for every kind of colour blindness. User text is escaped: Plotly reads a
subset of HTML in labels.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from prioritisation.french import format_number
from prioritisation.ranking.acceptability import Acceptability
from prioritisation.ranking.priorities import Ranking

FRENCH_SEPARATORS = ",\u202f"  # decimal comma, narrow no-break space between thousands
BLUES = [[0.0, "#FFFFFF"], [0.15, "#D6EAF8"], [0.5, "#56B4E9"], [1.0, "#0072B2"]]
ROW_HEIGHT = 28
SHORT_TITLE = 16  # characters of a project's title: the labels leave room for 11 columns on a phone


def rank_columns(acceptability: Acceptability, projects: int) -> list[str]:
    """« 1 » … « 10 », then « au-delà » when there are more projects than ranks shown."""
    shown = acceptability.ranks.shape[1]
    return [str(rank) for rank in range(1, shown + 1)] + (["au-delà"] if projects > shown else [])


def acceptability_matrix(acceptability: Acceptability, positions: np.ndarray, projects: int) -> np.ndarray:
    """Percentages, one row per project at `positions`, one column per `rank_columns` entry."""
    rows = acceptability.ranks[positions]
    if projects > acceptability.ranks.shape[1]:
        rows = np.column_stack([rows, acceptability.beyond[positions]])
    return rows * 100


def acceptability_heatmap(ranking: Ranking, acceptability: Acceptability, positions: np.ndarray) -> go.Figure:
    """Rank acceptability of the projects at `positions` (best first), as a heat map."""
    projects = len(ranking.result.ranks)
    columns = rank_columns(acceptability, projects)
    percentages = acceptability_matrix(acceptability, positions, projects)
    cells = [["" if value < 0.5 else format_number(value) for value in row] for row in percentages]
    names = [project_label(ranking, int(position)) for position in positions]
    draws = format_number(acceptability.draws)
    heat = {
        "type": "heatmap",
        "z": percentages,
        "x": columns,
        "y": names,
        "text": cells,
        "texttemplate": "%{text}",
        "textfont": {"size": 11},
        "zmin": 0,
        "zmax": 100,
        "colorscale": BLUES,
        "xgap": 1,
        "ygap": 1,
        "showscale": False,  # the percentages are written in the cells, and in the table beside
        "hovertemplate": "%{y}<br>rang %{x} : %{z:.1f} % des tirages<extra></extra>",
    }
    layout = {
        "title": {
            "text": f"Probabilité de chaque rang, en %<br><sup>{draws} jeux de poids tirés</sup>",
            "font": {"size": 15},
        },
        "separators": FRENCH_SEPARATORS,
        "height": 130 + ROW_HEIGHT * len(names),
        "margin": {"l": 5, "r": 5, "t": 90, "b": 10},
        "xaxis": {
            "type": "category",
            "side": "top",
            "tickmode": "array",
            "tickvals": columns,
            "ticktext": [column.replace("-", "-<br>") for column in columns],  # « au-<br>delà »
            "tickangle": 0,
            "tickfont": {"size": 11},
            "fixedrange": True,
        },
        "yaxis": {"autorange": "reversed", "automargin": True, "type": "category", "fixedrange": True},
        "font": {"size": 12},
    }
    return go.Figure({"data": [heat], "layout": layout})


def project_label(ranking: Ranking, position: int) -> str:
    projects = ranking.inventory.projects
    title = str(projects["title"].iloc[position])
    short = title if len(title) <= SHORT_TITLE else title[: SHORT_TITLE - 1] + "…"
    rank = int(ranking.result.ranks[position])
    return html.escape(f"{rank}. {short} ({projects['id'].iloc[position]})", quote=False)
