"""Plotly figure of the room's spread: a box per criterion, one dot per participant.

Projected on a wall and read on a phone: criteria across, weights in percent up, each
participant a dot (jittered sideways so that equal weights do not hide each other), the
box from the first to the third quartile with the median. Okabe & Ito's palette; names
and labels escaped, as Plotly reads a subset of HTML in them. The room's page shows the
same numbers in a table beside the figure, for screen readers.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go

from prioritisation.workshop.spread import CriterionSpread
from ui.charts import FRENCH_SEPARATORS, PALETTE
from ui.tables import shown


def _plain(text: str) -> str:
    """User text for Plotly (which reads a subset of HTML in labels): shown, never interpreted."""
    return html.escape(shown(text), quote=False)


def spread_chart(
    labels: Sequence[str], spreads: Sequence[CriterionSpread], names: Sequence[str]
) -> go.Figure:
    """One box and its dots per criterion; `names` label the dots (« participant 3 » or a name)."""
    texts = [_plain(name) for name in names]
    traces = [
        {
            "type": "box",
            "name": _plain(label),
            "y": [point * 100 for point in spread.points],
            "text": texts,
            "boxpoints": "all",
            "jitter": 0.45,
            "pointpos": 0,
            "marker": {"color": PALETTE[index % len(PALETTE)], "size": 11, "opacity": 0.85},
            "line": {"color": PALETTE[index % len(PALETTE)]},
            "fillcolor": "rgba(0,0,0,0)",
            "quartilemethod": "inclusive",
            "hovertemplate": "%{text}<br>%{y:.1f} %<extra>" + _plain(label) + "</extra>",
        }
        for index, (label, spread) in enumerate(zip(labels, spreads, strict=True))
    ]
    layout = {
        "title": {"text": "Poids donnés par chaque participant", "x": 0, "font": {"size": 15}},
        "separators": FRENCH_SEPARATORS,
        "showlegend": False,
        "height": 380,
        "margin": {"l": 4, "r": 4, "t": 50, "b": 40},
        "yaxis": {
            "title": {"text": "Poids (% du total)", "font": {"size": 12}},
            "rangemode": "tozero",
            "ticksuffix": " %",
            "automargin": True,
        },
        "xaxis": {"automargin": True, "tickfont": {"size": 13}},
        "font": {"size": 13},
    }
    return go.Figure({"data": traces, "layout": layout})
