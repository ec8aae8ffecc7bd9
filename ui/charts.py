"""Plotly figures of a ranking, in French, with a colour-blind-safe palette (Okabe & Ito)."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from prioritisation.french import format_percent
from prioritisation.priorities import Ranking
from prioritisation.ranking import Method

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FRENCH_SEPARATORS = ",\u202f"  # decimal comma, narrow no-break space between thousands
BAR_HEIGHT = 26


def contributions_chart(ranking: Ranking, positions: np.ndarray) -> go.Figure:
    """Scores of the projects at `positions` (best first), each criterion's share stacked.

    Numbers in hover labels and axes are formatted by Plotly with French separators (decimal
    comma, narrow space between thousands); no per-point data is attached, which keeps the
    figure cheap to build on every slider move.

    The weighted sum's score is exactly the sum of the contributions; TOPSIS and VIKOR have
    no such split, so their scores are drawn as single bars.
    """
    result = ranking.result
    names = [_project_name(ranking, int(position)) for position in positions]
    method = ranking.settings.method
    if result.contributions is not None:
        bars = [
            {
                "type": "bar",
                "orientation": "h",
                "name": _plain(f"{criterion.label} ({format_percent(result.weights[column])})"),
                "y": names,
                "x": result.contributions[positions, column] * 100,
                "marker": {"color": PALETTE[column % len(PALETTE)]},
                "hovertemplate": "%{y}<br>%{fullData.name} : %{x:.1f} points<extra></extra>",
            }
            for column, criterion in enumerate(ranking.criteria)
        ]
        axis_title = "Score sur 100 (points apportés par chaque critère)"
    else:
        vikor = method is Method.VIKOR
        bars = [
            {
                "type": "bar",
                "orientation": "h",
                "name": "Score",
                "y": names,
                "x": result.scores[positions] * (1 if vikor else 100),
                "marker": {"color": PALETTE[0]},
                "hovertemplate": "%{y}<br>Score : %{x:." + ("3" if vikor else "1") + "f}<extra></extra>",
            }
        ]
        axis_title = "Q de VIKOR (plus bas = mieux)" if vikor else "Score sur 100"
    layout = {
        "barmode": "stack",
        "separators": FRENCH_SEPARATORS,
        "height": 120 + BAR_HEIGHT * len(names),
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "traceorder": "normal"},
        "xaxis": {"title": {"text": axis_title}},
        "yaxis": {"autorange": "reversed", "automargin": True},
        "font": {"size": 14},
    }
    return go.Figure({"data": bars, "layout": layout})  # built whole: update_layout costs 25 ms


def _project_name(ranking: Ranking, position: int) -> str:
    projects = ranking.inventory.projects
    rank = int(ranking.result.ranks[position])
    title = str(projects["title"].iloc[position])
    short = title if len(title) <= 45 else title[:44] + "…"
    return _plain(f"{rank}. {short} ({projects['id'].iloc[position]})")


def _plain(text: str) -> str:
    """User text for Plotly, which reads a subset of HTML in labels: shown, never interpreted."""
    return html.escape(text, quote=False)
