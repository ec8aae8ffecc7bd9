"""The « Robustesse » section of the Priorisation page, and each weight's margin under its slider.

The analysis (`prioritisation.ranking.robustness.analyse`) is a pure function of arrays,
settings and a seed. It runs in background threads, cached by a SHA-256 fingerprint of those
inputs, so a slider move reruns the page at once: the page waits at most `WAIT` seconds (enough
for the sample's 40 projects), then shows « calcul en cours » in a fragment that polls every
`POLL` seconds and reruns the page once the result is there. A queued analysis that no page
has asked for in `STALE_AFTER` seconds (its user has moved the slider again) is skipped.

Entry points for the page: `robustness_section(ranking, top_n)`, `weight_interval_caption(
ranking, criterion, top_n)` under each weight's slider, `stability_badges(ranking, top_n)` for a
« Stabilité » column of the ranking table, and `robustness_for_export(ranking, top_n)` for the
workbook. Definitions shown to users come from the domain (docs/robustness.md).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Generic, TypeVar

import numpy as np
import pandas as pd
import streamlit as st

from prioritisation.french import format_number, format_percent
from prioritisation.ranking.methods import InvalidSettings
from prioritisation.ranking.priorities import Ranking
from prioritisation.ranking.robustness import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    Robustness,
    RobustnessInputs,
    RobustnessSettings,
    Sampling,
    analyse,
    badge_definition,
    badges,
    confidence_definition,
    inputs_of,
    interval_caption,
    interval_sentence,
    rank_precision_text,
    top_words,
    weight_intervals,
)
from prioritisation.ranking.sensitivity import FlipInterval
from ui.robustness_charts import acceptability_heatmap
from ui.state import widget_value
from ui.tables import escape_markdown

WAIT = 0.1  # seconds a page run waits for a result before showing « calcul en cours »
POLL = 0.5
STALE_AFTER = 3.0
HEATMAP_PROJECTS = 25
DRAW_CHOICES = (1_000, DEFAULT_DRAWS, 100_000)
SAMPLING_LABELS = {
    Sampling.UNIFORM.value: "Au hasard (tous les jeux de poids)",
    Sampling.AROUND.value: "Autour des poids actuels",
}
Result = TypeVar("Result")


class _Jobs(Generic[Result]):
    """Background computations keyed by their inputs, shared by sessions with identical inputs
    (the key is a digest of everything the result depends on), bounded in number."""

    def __init__(self, entries: int, name: str) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._futures: OrderedDict[str, Future[Result | None]] = OrderedDict()
        self._wanted: dict[str, float] = {}
        self._lock = threading.Lock()
        self._entries = entries

    def ask(self, key: str, work: Callable[[], Result]) -> Future[Result | None]:
        """The job for `key`, started if new (or if it was skipped as stale)."""
        with self._lock:
            self._wanted[key] = time.monotonic()
            future = self._futures.get(key)
            if future is None or _skipped(future):
                future = self._executor.submit(self._run, key, work)
                self._futures[key] = future
            self._futures.move_to_end(key)
            while len(self._futures) > self._entries:
                oldest, _ = self._futures.popitem(last=False)
                self._wanted.pop(oldest, None)
        return future

    def touch(self, key: str) -> None:
        with self._lock:
            self._wanted[key] = time.monotonic()

    def _run(self, key: str, work: Callable[[], Result]) -> Result | None:
        with self._lock:
            stale = time.monotonic() - self._wanted.get(key, 0.0) > STALE_AFTER
        return None if stale else work()


def _skipped(future: Future) -> bool:
    return future.done() and future.exception() is None and future.result() is None


_ANALYSES: _Jobs[Robustness] = _Jobs(entries=16, name="robustesse")
_MARGINS: _Jobs[tuple[FlipInterval, ...]] = _Jobs(entries=64, name="marges-des-poids")


def _ready(future: Future[Result | None], timeout: float) -> Result | None:
    """The result if there within `timeout` seconds; None otherwise. Errors propagate."""
    wait([future], timeout=timeout)
    return future.result() if future.done() else None


# --- Requests (non-blocking) -----------------------------------------------------------------------


def _analysis_key(inputs: RobustnessInputs, settings: RobustnessSettings) -> str:
    return f"{inputs.fingerprint()}|{settings!r}"


def request_analysis(ranking: Ranking, settings: RobustnessSettings) -> tuple[str, Future[Robustness | None]]:
    inputs = inputs_of(ranking)
    key = _analysis_key(inputs, settings)
    return key, _ANALYSES.ask(key, lambda: analyse(inputs, settings))


def weight_margins(ranking: Ranking, top_n: int, timeout: float = 0.05) -> tuple[FlipInterval, ...] | None:
    """Each weight's flip interval, or None while they are being computed (waits `timeout` s)."""
    inputs = inputs_of(ranking)
    key = f"{inputs.fingerprint()}|{top_n}"
    return _ready(_MARGINS.ask(key, lambda: weight_intervals(inputs, top_n)), timeout)


def weight_interval_caption(ranking: Ranking, criterion: int, top_n: int) -> str:
    """The caption under criterion `criterion`'s slider (index in `ranking.criteria`), or ""
    while it is being computed (the section's poll reruns the page when it is ready)."""
    margins = weight_margins(ranking, top_n)
    if not margins or criterion >= len(margins):
        return ""
    return interval_caption(margins[criterion])


def finished_analysis(ranking: Ranking, top_n: int) -> Robustness | None:
    """The analysis with the section's current settings if it is ready, without waiting."""
    try:
        settings = current_settings(top_n)
    except InvalidSettings:
        return None
    _, future = request_analysis(ranking, settings)
    if not future.done() or future.exception() is not None:
        return None
    return future.result()


def stability_badges(ranking: Ranking, top_n: int) -> list[str] | None:
    """« solide » / « fragile » / "" per project, best first (as `Ranking.order`); None until ready."""
    robustness = finished_analysis(ranking, top_n)
    if robustness is None:
        return None
    by_position = badges(ranking.order, robustness.acceptability)
    return [by_position[int(position)] for position in ranking.order]


def robustness_for_export(ranking: Ranking, top_n: int, timeout: float = 30.0) -> Robustness | None:
    """The analysis for the workbook: the page's own if ready, else computed (waiting `timeout`)."""
    try:
        settings = current_settings(top_n)
    except InvalidSettings:
        return None
    _, future = request_analysis(ranking, settings)
    try:
        return _ready(future, timeout)
    except InvalidSettings:
        return None


# --- The section ---------------------------------------------------------------------------------

_SAMPLING_KEY = "robustesse_tirage"
_SPREAD_KEY = "robustesse_ecart"
_DRAWS_KEY = "robustesse_tirages"
_SEED_KEY = "robustesse_graine"


def robustness_controls(top_n: int) -> RobustnessSettings:
    """The analysis settings (widgets in an expander); InvalidSettings for unusable ones."""
    with st.expander("Réglages de l'analyse de robustesse"):
        sampling = st.radio(
            "Tirage des poids",
            list(SAMPLING_LABELS),
            format_func=SAMPLING_LABELS.__getitem__,
            key=_SAMPLING_KEY,
            horizontal=True,
            persist_state="session",
        )
        st.slider(
            "Écart autour des poids actuels (points de pourcentage)",
            min_value=1,
            max_value=50,
            value=10,
            key=_SPREAD_KEY,
            disabled=sampling != Sampling.AROUND.value,
            persist_state="session",
        )
        st.select_slider(
            "Nombre de jeux de poids tirés",
            options=DRAW_CHOICES,
            value=DEFAULT_DRAWS,
            format_func=format_number,
            key=_DRAWS_KEY,
            persist_state="session",
        )
        st.number_input(
            "Graine du tirage (la même graine redonne les mêmes résultats)",
            min_value=0,
            value=DEFAULT_SEED,
            step=1,
            key=_SEED_KEY,
            persist_state="session",
        )
    return current_settings(top_n)


def current_settings(top_n: int) -> RobustnessSettings:
    """The section's settings from its widgets' values (their defaults before it is first drawn),
    for the badges, the captions and the export, which are drawn elsewhere."""
    sampling = Sampling(widget_value(_SAMPLING_KEY) or Sampling.UNIFORM.value)
    spread = widget_value(_SPREAD_KEY)
    draws = widget_value(_DRAWS_KEY)
    seed = widget_value(_SEED_KEY)
    return RobustnessSettings(
        draws=int(draws) if draws is not None else DEFAULT_DRAWS,
        seed=int(seed) if seed is not None else DEFAULT_SEED,
        sampling=sampling,
        spread=(int(spread) if spread is not None else 10) / 100,
        top_n=max(1, int(top_n)),
    )


def robustness_section(ranking: Ranking, top_n: int, positions: np.ndarray | None = None) -> None:
    """« Et si on avait pesé autrement ? »: rank acceptability of the shown projects (`positions`,
    best first; the first 25 of the ranking by default), badges and each weight's margin."""
    st.subheader("Robustesse")
    st.caption(
        f"Et si on avait pesé autrement ? Les poids sont tirés de nombreuses fois ; pour chaque projet, "
        f"la part des tirages où il obtient chaque rang, et où il reste parmi {top_words(top_n)}."
    )
    try:
        settings = robustness_controls(top_n)
    except InvalidSettings as refused:
        st.error(str(refused), icon=":material/error:")
        return
    key, future = request_analysis(ranking, settings)
    try:
        robustness = _ready(future, WAIT)
    except InvalidSettings as refused:
        st.error(str(refused), icon=":material/error:")
        return
    if robustness is None:
        _poll_until_ready(key, future)
        return
    shown = ranking.order[:HEATMAP_PROJECTS] if positions is None else np.asarray(positions, dtype=int)
    _show(ranking, robustness, shown)


def _poll_until_ready(key: str, future: Future) -> None:
    @st.fragment(run_every=POLL)
    def pending() -> None:
        _ANALYSES.touch(key)
        if future.done():
            st.rerun()  # the whole page: the section, the badges and the sliders' captions
        st.info(
            "Calcul de la robustesse en cours… Le classement est déjà à jour.",
            icon=":material/hourglass_top:",
        )

    pending()


def _show(ranking: Ranking, robustness: Robustness, positions: np.ndarray) -> None:
    settings, accepted = robustness.settings, robustness.acceptability
    st.caption(
        escape_markdown(
            f"{format_number(settings.draw_count)} jeux de poids, {settings.sampling_text()} ; "
            f"graine {settings.seed}. Solidité : {badge_definition(robustness.top_n)}"
        )
    )
    if len(positions):
        chart, table = st.columns([3, 2], gap="medium")
        chart.plotly_chart(
            acceptability_heatmap(ranking, accepted, positions),
            width="stretch",
            config={"displaylogo": False, "displayModeBar": False},
        )
        table.dataframe(robustness_table(ranking, robustness, positions), hide_index=True, width="stretch")
    if robustness.intervals:
        st.markdown("**Marges des poids** (chaque poids bouge seul, les autres gardant leurs proportions)")
        for interval in robustness.intervals:
            label = ranking.criteria[interval.criterion].label
            st.markdown(f"- {escape_markdown(interval_sentence(label, interval))}")
    with st.expander("Comment lire ces chiffres"):
        st.markdown(escape_markdown(_reading_notes(robustness)))
        st.dataframe(central_weights_table(ranking, robustness), hide_index=True, width="stretch")


def robustness_table(ranking: Ranking, robustness: Robustness, positions: np.ndarray) -> pd.DataFrame:
    """The heat map's projects as a table (French text, for screen readers and phones)."""
    accepted, projects = robustness.acceptability, ranking.inventory.projects
    stability = badges(ranking.order, accepted)
    return pd.DataFrame(
        {
            "Rang": [int(ranking.result.ranks[i]) for i in positions],
            "Projet": [str(projects["title"].iloc[i]) for i in positions],
            "P(rang 1)": [format_percent(accepted.first[i]) for i in positions],
            f"P({top_words(robustness.top_n).removeprefix('les ').removeprefix('le ')})": [
                format_percent(accepted.top[i]) for i in positions
            ],
            "Rang médian": [str(int(accepted.median_rank[i])) for i in positions],
            "Rangs (90 %)": [f"{accepted.low_rank[i]} à {accepted.high_rank[i]}" for i in positions],
            "Stabilité": [stability[i] for i in positions],
        }
    )


def central_weights_table(ranking: Ranking, robustness: Robustness) -> pd.DataFrame:
    """Projects first in at least one draw: their central weights and confidence factor."""
    accepted = robustness.acceptability
    leaders = [int(i) for i in ranking.order if accepted.first[i] > 0]
    frame = {
        "Projet": [str(ranking.inventory.projects["title"].iloc[i]) for i in leaders],
        "P(rang 1)": [format_percent(accepted.first[i]) for i in leaders],
        "Facteur de confiance": [format_percent(accepted.confidence[i]) for i in leaders],
    }
    for column, criterion in enumerate(ranking.criteria):
        frame[f"Poids central « {criterion.label} »"] = [
            format_percent(accepted.central_weights[i, column]) for i in leaders
        ]
    return pd.DataFrame(frame)


def _reading_notes(robustness: Robustness) -> str:
    return (
        "Ex aequo : dans un tirage, des projets ex aequo se partagent à parts égales les rangs qu'ils "
        "occupent. Rang médian : la moitié des tirages donnent ce rang ou mieux ; « Rangs (90 %) » : "
        f"9 tirages sur 10 tombent dans cet intervalle (précision : "
        f"{rank_precision_text(robustness.acceptability)}). Poids centraux : les poids moyens des "
        f"tirages où le projet est premier. Facteur de confiance : {confidence_definition(robustness)}."
    )
