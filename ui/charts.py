"""Plotly figures of a ranking, in French, with a colour-blind-safe palette (Okabe & Ito)."""

from __future__ import annotations

import datetime as dt
import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from prioritisation.french import format_date, format_percent
from prioritisation.planning.plan import Plan
from prioritisation.planning.schedule import Phase
from prioritisation.ranking.methods import Method
from prioritisation.ranking.priorities import Ranking
from ui.tables import short, shown

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FRENCH_SEPARATORS = ",\u202f"  # decimal comma, narrow no-break space between thousands
BAR_HEIGHT = 26
LABEL_LENGTH = 24  # characters of a project's title beside a bar: about a third of a phone's width


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
                "name": "Q" if vikor else "Score",
                "y": names,
                "x": result.scores[positions] * 100,
                "marker": {"color": PALETTE[0]},
                "hovertemplate": "%{y}<br>"
                + ("Q" if vikor else "Score")
                + " : %{x:.1f} sur 100<extra></extra>",
            }
        ]
        axis_title = "Q sur 100 (plus bas = mieux)" if vikor else "Score sur 100"
    chart_title = "Scores des projets" + (
        " et part de chaque critère" if result.contributions is not None else ""
    )
    layout = {
        "title": {"text": chart_title, "x": 0, "font": {"size": 15}},
        "barmode": "stack",
        "separators": FRENCH_SEPARATORS,
        "height": 150 + BAR_HEIGHT * len(names),
        "margin": {"l": 4, "r": 4, "t": 70, "b": 40},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "traceorder": "normal"},
        "xaxis": {"title": {"text": axis_title, "font": {"size": 12}}, "nticks": 6, "automargin": True},
        "yaxis": {"autorange": "reversed", "automargin": True, "tickfont": {"size": 12}},
        "font": {"size": 13},
    }  # fmt: skip
    return go.Figure({"data": bars, "layout": layout})  # built whole: update_layout costs 25 ms


def _project_name(ranking: Ranking, position: int) -> str:
    """« 3. Portail citoyen… » : short enough for a phone (the table and the hover give the rest)."""
    projects = ranking.inventory.projects
    rank = int(ranking.result.ranks[position])
    return _plain(f"{rank}. {short(projects['title'].iloc[position], LABEL_LENGTH)}")


def _plain(text: str) -> str:
    """User text for Plotly, which reads a subset of HTML in labels: shown, never interpreted,
    and never reordered by bidirectional control characters."""
    return html.escape(shown(text), quote=False)


# --- The plan -------------------------------------------------------------------------------

PHASE_COLOURS = {
    Phase.DIAGNOSTIC: "#56B4E9",
    Phase.PILOT: "#E69F00",
    Phase.DEPLOYMENT: "#0072B2",
    Phase.REVIEW: "#009E73",
}
SOURCE_COLOURS = ("#0072B2", "#56B4E9", "#009E73", "#CC79A7", "#E69F00", "#D55E00")
SHORT_MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)


def gantt_chart(plan: Plan, labels: dict[str, str], order: list[str], today: dt.date) -> go.Figure:
    """One bar per phase of each retained project, projects in `order` (top first)."""
    settings = plan.settings
    by_id = {p.work.id: p for p in plan.calendar.retained}
    shown = [work_id for work_id in order if work_id in by_id]
    bars = []
    for phase in Phase:
        y, base, length, hover = [], [], [], []
        for work_id in shown:
            for kind, first, after in by_id[work_id].phases(settings):
                if kind is not phase:
                    continue
                start, end = settings.date_of(first), settings.date_of(after)
                y.append(_plain(labels[work_id]))
                base.append(start.isoformat())
                length.append((end - start).days * 86_400_000)
                hover.append(
                    _plain(f"{labels[work_id]} — {phase.value} : {format_date(start)} → "
                           f"{format_date(end - dt.timedelta(days=1))}")
                )  # fmt: skip
        bars.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": phase.value,
                "y": y,
                "base": base,
                "x": length,
                "marker": {"color": PHASE_COLOURS[phase]},
                "text": hover,
                "textposition": "none",
                "hovertemplate": "%{text}<extra></extra>",
            }
        )
    first_day, last_day = settings.date_of(0), settings.date_of(settings.months)
    ticks = [settings.date_of(month) for month in range(0, settings.months + 1, 6)]
    layout = {
        "title": {"text": "Calendrier des projets retenus, phase par phase", "x": 0, "font": {"size": 15}},
        "barmode": "overlay",
        "separators": FRENCH_SEPARATORS,
        "height": 140 + 22 * max(1, len(shown)),
        "margin": {"l": 10, "r": 10, "t": 90, "b": 10},  # the title, the legend, and today's label
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "traceorder": "normal"},
        "xaxis": {
            "type": "date",
            "range": [first_day.isoformat(), last_day.isoformat()],
            "tickvals": [tick.isoformat() for tick in ticks],
            "ticktext": [f"{SHORT_MONTHS[tick.month - 1]} {tick.year}" for tick in ticks],
        },
        "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"},
        "font": {"size": 13},
    }
    if first_day <= today <= last_day:
        layout["shapes"] = [
            {"type": "line", "x0": today.isoformat(), "x1": today.isoformat(), "y0": 0, "y1": 1,
             "yref": "paper", "line": {"color": "#D55E00", "width": 2, "dash": "dot"}}
        ]  # fmt: skip
        layout["annotations"] = [
            {"x": today.isoformat(), "y": 1, "yref": "paper", "text": "aujourd'hui", "showarrow": False,
             "yanchor": "bottom", "yshift": 24, "font": {"color": "#D55E00"}}
        ]  # fmt: skip
    return go.Figure({"data": bars, "layout": layout})


def spending_chart(by_year: pd.DataFrame, envelopes: dict[int, float]) -> go.Figure:
    """Investment per year, stacked by funding source, with each year's envelope drawn over it."""
    years = [str(year) for year in by_year.index]
    bars: list[dict] = [
        {
            "type": "bar",
            "name": _plain(source),
            "x": years,
            "y": by_year[source].to_numpy(),
            "marker": {"color": SOURCE_COLOURS[i % len(SOURCE_COLOURS)]},
            "hovertemplate": "%{x} — %{fullData.name} : %{y:,.0f} €<extra></extra>",
        }
        for i, source in enumerate(by_year.columns)
    ]
    capped = [(str(year), amount) for year, amount in envelopes.items() if str(year) in years]
    if capped:
        bars.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Enveloppe",
                "x": [year for year, _ in capped],
                "y": [amount for _, amount in capped],
                "marker": {"symbol": "line-ew-open", "size": 44, "line": {"width": 3, "color": "#000000"}},
                "hovertemplate": "%{x} — enveloppe : %{y:,.0f} €<extra></extra>",
            }
        )
    return go.Figure(
        {
            "data": bars,
            "layout": _money_layout(
                "Investissement par année (€)", "stack", "Dépenses d'investissement par année et par source"
            ),
        }
    )


def cumulative_chart(by_year: pd.DataFrame, envelopes: dict[int, float]) -> go.Figure:
    years = [str(year) for year in by_year.index]
    lines: list[dict] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Dépenses cumulées",
            "x": years,
            "y": by_year.sum(axis=1).cumsum().to_numpy(),
            "line": {"color": "#0072B2"},
            "hovertemplate": "%{x} : %{y:,.0f} € cumulés<extra></extra>",
        }
    ]
    if envelopes and all(int(year) in envelopes for year in years):
        lines.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Enveloppes cumulées",
                "x": years,
                "y": np.cumsum([envelopes[int(year)] for year in years]),
                "line": {"color": "#000000", "dash": "dash"},
                "hovertemplate": "%{x} : %{y:,.0f} € d'enveloppes<extra></extra>",
            }
        )
    return go.Figure(
        {
            "data": lines,
            "layout": _money_layout("Cumul (€)", "group", "Dépenses cumulées face aux enveloppes"),
        }
    )


def opex_chart(years: tuple[int, ...], opex: np.ndarray) -> go.Figure:
    bars = [
        {
            "type": "bar",
            "name": "Fonctionnement ajouté",
            "x": [str(year) for year in years],
            "y": opex,
            "marker": {"color": "#CC79A7"},
            "hovertemplate": "%{x} : %{y:,.0f} € de fonctionnement<extra></extra>",
        }
    ]
    return go.Figure(
        {
            "data": bars,
            "layout": _money_layout(
                "Coûts de fonctionnement ajoutés (€ par an)",
                "group",
                "Fonctionnement que le plan ajoute, année après année",
            ),
        }
    )


def frontier_chart(points: list[tuple[float, float]], current: tuple[float, float] | None) -> go.Figure:
    series: list[dict] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Meilleur score total",
            "x": [budget for budget, _ in points],
            "y": [score for _, score in points],
            "line": {"color": "#0072B2"},
            "hovertemplate": "%{x:,.0f} € : score total %{y:.2f}<extra></extra>",
        }
    ]
    if current is not None:
        series.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Enveloppes actuelles",
                "x": [current[0]],
                "y": [current[1]],
                "marker": {"size": 14, "color": "#D55E00", "symbol": "diamond"},
                "hovertemplate": "enveloppes actuelles : %{x:,.0f} €, score %{y:.2f}<extra></extra>",
            }
        )
    layout = _money_layout(
        "Score total des projets retenus", "group", "Meilleur score total atteignable selon le budget"
    )
    layout["xaxis"] = {"title": {"text": "Enveloppes sur toute la durée du plan (€)"}, "tickformat": ",.0f"}
    layout["yaxis"] = {"title": {"text": "Score total"}}
    return go.Figure({"data": series, "layout": layout})


def _money_layout(title: str, mode: str, chart_title: str = "") -> dict:
    return {
        "title": {"text": chart_title, "x": 0, "font": {"size": 15}},
        "barmode": mode,
        "separators": FRENCH_SEPARATORS,
        "height": 400,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        # Under the plot: in a half-width column a legend above wrapped onto the chart's title.
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "traceorder": "normal"},
        "yaxis": {"title": {"text": title}, "tickformat": ",.0f", "automargin": True},
        "xaxis": {"type": "category"},
        "font": {"size": 13},
    }
