"""Selection: in ranking order, or the optimal portfolio solved with scipy's `milp` (HiGHS).

The optimal portfolio is the set of projects, each with a start year, that maximises the
total priority score within the yearly envelopes and the team's capacity, honouring must-do,
excluded and prerequisites. A 0-1 programme: one variable per project and start year.
Multi-year starts make some instances hard, so the solver runs under a time limit and we
report the gap it has proven (to the bound of the linear relaxation, or the tighter one of
the integer search); the ranking-order plan is one of the candidates, so nothing worse than
it is ever returned.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING

import numpy as np

from prioritisation.french import format_percent
from prioritisation.planning.schedule import (
    Calendar,
    PlanSettings,
    Work,
    _Years,
    monthly_capex,
    schedule_in_order,
)

if TYPE_CHECKING:  # scipy is imported where it is used: about 0.9 s off the dashboard's first page
    from scipy import sparse
    from scipy.optimize import LinearConstraint, OptimizeResult

EARLY_BONUS = 1e-6  # per year earlier: among equal totals, start sooner
PROVEN = 1e-4  # below this, the gap is reported as none
TARGET_GAP = 0.005  # HiGHS stops once it has proven the portfolio within 0.5 % of the optimum

# scipy passes HiGHS's `objective_bound` through verbatim, with a warning each time: expected,
# and silenced here once (a filter set around each call would not be thread-safe).
warnings.filterwarnings(
    "ignore", message=r"Unrecognized options detected: \{'objective_bound'\}", category=RuntimeWarning
)


class StartGrid(Enum):
    """When the optimal portfolio may start a project: with each plan year, or each quarter.

    Years are the model of the brief and the fastest to prove; quarters give better plans
    (bench/plan.py: 5 to 11 % more total score than years) at the price of a longer search.
    """

    YEAR = 12
    QUARTER = 3

    @property
    def label(self) -> str:
        return {StartGrid.YEAR: "en début d'année du plan", StartGrid.QUARTER: "en début de trimestre"}[self]

    @property
    def option(self) -> str:
        return {StartGrid.YEAR: "year", StartGrid.QUARTER: "quarter"}[self]


class Selection(Enum):
    RANKING = "ranking"
    OPTIMAL = "optimal"

    @property
    def label(self) -> str:
        return {Selection.RANKING: "ordre du classement", Selection.OPTIMAL: "portefeuille optimal"}[self]


@dataclass(frozen=True)
class Portfolio:
    """A calendar and how it was chosen; `gap` bounds how far from the optimum it can be."""

    calendar: Calendar
    selection: Selection
    gap: float | None  # proven relative gap to the best total on the solver's grid; None: not computed
    seconds: float = 0.0
    note: str = ""
    grid: StartGrid = StartGrid.YEAR

    @property
    def total_score(self) -> float:
        return self.calendar.total_score

    def gap_text(self) -> str:
        """The proven distance to the best portfolio whose starts lie on the solver's grid."""
        if self.gap is None:
            return "écart à l'optimum non calculé"
        if self.gap < PROVEN:
            return f"au moins aussi bon que le meilleur portefeuille à démarrages {self.grid.label} (prouvé)"
        shown = format_percent(self.gap, 1 if self.gap >= 0.001 else 2)
        return f"à {shown} au plus de l'optimum (démarrages {self.grid.label})"


@dataclass(frozen=True)
class _Relaxation:
    """The linear relaxation: the starts it takes whole, the share of each project it starts
    (in the works' order), its bound on every portfolio's total, and the seconds it took."""

    starts: dict[str, int]
    share: np.ndarray
    bound: float
    seconds: float

    def preferences(self, works: Sequence[Work]) -> tuple[list[str], list[str]]:
        """The projects by how much of them the relaxation starts, then by score, and then by
        score per euro (a knapsack's density: bench/plan.py found it the best of the fillings)."""
        ids = np.array([work.id for work in works], dtype=object)
        scores = np.array([work.score for work in works])
        per_euro = scores / (np.array([work.capex for work in works]) + 1.0)
        return (
            ids[np.lexsort((-scores, -self.share))].tolist(),
            ids[np.lexsort((-per_euro, -self.share))].tolist(),
        )


def load_solver() -> None:
    """Import scipy's solver now (about 0.9 s): a server calls it once, off the user's path."""
    import scipy.optimize  # noqa: F401


def in_ranking_order(
    works: Sequence[Work], settings: PlanSettings, order: Sequence[str] | None = None
) -> Portfolio:
    """What the table suggests: projects funded in the ranking's order (must-do first)."""
    return Portfolio(schedule_in_order(works, settings, order), Selection.RANKING, None)


def optimal(
    works: Sequence[Work],
    settings: PlanSettings,
    *,
    time_limit: float = 10.0,
    order: Sequence[str] | None = None,
    grid: StartGrid = StartGrid.YEAR,
    baseline: Calendar | None = None,
    known: Mapping[str, int] | None = None,
) -> Portfolio:
    """The best total score within the envelopes (HiGHS under a time limit); never below ranking order.

    The linear relaxation comes first: its bound proves how far any plan can be from the
    optimum. The projects it starts whole are kept, and the others fill in month by month in
    three orders (the ranking's; the relaxation's preference, then score; the relaxation's
    preference, then score per euro); starting between the grid's points, the best of them
    often beats the grid's optimum at once. Otherwise the integer search runs in the time
    left, asked only for a portfolio better than the best of these: it stops as soon as its
    bound proves there is none, or once its own is within the target gap of that bound.
    `baseline` is the ranking-order plan, when the caller has it already; `known` are starts
    already known to fit these settings (the best plan of a smaller budget): the result is
    never below them either.
    """
    started = time.perf_counter()
    ranking_plan = baseline or schedule_in_order(works, settings, order)
    candidates = [ranking_plan]
    if known is not None:
        candidates.append(schedule_in_order(works, settings, order, fixed=known))
    model = _Model(works, settings, grid.value)
    relaxed = model.relaxation()
    if relaxed is None:
        note = (
            "Aucun portefeuille ne respecte toutes les contraintes (projets obligatoires, enveloppes) : "
            "voici l'ordre du classement."
        )
        return Portfolio(ranking_plan, Selection.RANKING, None, time.perf_counter() - started, note, grid)
    fill_seconds = 0.0
    for preference in (order, *relaxed.preferences(works)):
        filled_at = time.perf_counter()
        candidates.append(schedule_in_order(works, settings, preference, fixed=relaxed.starts))
        fill_seconds = max(fill_seconds, time.perf_counter() - filled_at)
    bound = relaxed.bound
    best_total = max(candidate.total_score for candidate in candidates)
    left = time_limit - (time.perf_counter() - started) - 1.25 * fill_seconds  # room for the last filling
    if best_total < (1 - TARGET_GAP) * bound and left > 1.5 * relaxed.seconds:  # HiGHS solves it again first
        starts, proven = model.integer(left, better_than=best_total * (1 + PROVEN / 2))
        bound = min(bound, proven)
        if starts is not None:
            candidates.append(schedule_in_order(works, settings, order, fixed=starts))
    best = max(candidates, key=lambda calendar: calendar.total_score)  # the first of equals: ranking order
    gap = _gap(best.total_score, bound, tolerance=model.bonus_slack)
    note = "" if best is not ranking_plan else "Le meilleur portefeuille trouvé est l'ordre du classement."
    return Portfolio(best, Selection.OPTIMAL, gap, time.perf_counter() - started, note, grid)


def _proven_bound(result: OptimizeResult, better_than: float) -> float:
    """What HiGHS's answer proves of every portfolio's total, asked to beat `better_than`.

    Within its time limit or at its end (statuses 0 and 1) its dual bound holds for what it
    did not prune, and what it pruned is below `better_than`. "Infeasible" means nothing beats
    `better_than`. Any other answer (a model error shares status 2) proves nothing.
    """
    if result.status in (0, 1) and result.mip_dual_bound is not None:
        return max(-result.mip_dual_bound, better_than)
    if result.status == 2 and result.message.startswith("The problem is infeasible"):
        return better_than
    return math.inf


def _gap(total: float, bound: float, tolerance: float = 0.0) -> float:
    """How far `total` may be below the optimum, relative to `bound`; none within `tolerance`
    (what the early-start bonus can move a bound by)."""
    if bound - total <= tolerance + 1e-9 or bound <= 0:
        return 0.0
    return (bound - total) / bound


class _Model:
    """x[p, k] = 1 when project p starts at month k × step of the plan (each year, or each quarter)."""

    def __init__(self, works: Sequence[Work], settings: PlanSettings, step: int = 12) -> None:
        self.works, self.settings, self.step = works, settings, step
        self.years = _Years(settings)
        self.index = {work.id: i for i, work in enumerate(works)}
        projects, starts = [], []
        for p, work in enumerate(works):
            if work.id in settings.excluded or any(
                n in settings.excluded for n in work.needs if n in self.index
            ):
                continue
            for start in range(0, settings.months - work.length + 1, step):
                projects.append(p)
                starts.append(start)
        self.project = np.array(projects, dtype=int)
        self.start = np.array(starts, dtype=int)
        self.length = np.array([works[p].length for p in projects], dtype=int)
        self.scores = np.array([works[p].score for p in projects], dtype=float)
        latest = np.zeros(len(works))
        np.maximum.at(latest, self.project, self.start / 12)
        # The most the early-start bonus can take off a total: the solver's bounds plus this
        # bound the total score itself.
        self.bonus_slack = EARLY_BONUS * float(latest.sum())
        self._rows: list[sparse.coo_matrix] = []
        self._lower: list[np.ndarray] = []
        self._upper: list[np.ndarray] = []
        self._constraint: LinearConstraint | None = None

    @property
    def count(self) -> int:
        return len(self.project)

    def relaxation(self) -> _Relaxation | None:
        """The linear relaxation: the starts it takes whole, how much of each project it starts,
        and its bound; None if infeasible."""
        from scipy.optimize import Bounds, milp

        started = time.perf_counter()
        if self.count == 0:
            return _Relaxation({}, np.zeros(len(self.works)), 0.0, 0.0)
        result = milp(
            self.objective,
            integrality=np.zeros(self.count),
            bounds=Bounds(0, 1),
            constraints=self.constraints,
        )
        if result.x is None:
            return None
        share = np.zeros(len(self.works))
        np.add.at(share, self.project, result.x)
        return _Relaxation(
            self._rounded(result.x), share, -result.fun + self.bonus_slack, time.perf_counter() - started
        )

    def integer(self, time_limit: float, better_than: float) -> tuple[dict[str, int] | None, float]:
        """HiGHS's branch and bound under a time limit, asked for a total above `better_than`:
        its portfolio (None if it found none) and the bound it proved on every portfolio.

        HiGHS prunes whatever cannot beat `better_than` (its `objective_bound`, passed through
        scipy verbatim), so it stops as soon as its bound falls below: the optimum is then
        proven within `better_than`.
        """
        from scipy.optimize import Bounds, milp

        options = {
            "time_limit": time_limit,
            "mip_rel_gap": TARGET_GAP,
            "presolve": True,
            "objective_bound": -better_than,
        }
        result = milp(
            self.objective,
            integrality=np.ones(self.count),
            bounds=Bounds(0, 1),
            constraints=self.constraints,
            options=options,
        )
        bound = _proven_bound(result, better_than) + self.bonus_slack
        if result.x is None:
            return None, bound
        chosen = np.flatnonzero(result.x > 0.5)
        return {self.works[self.project[c]].id: int(self.start[c]) for c in chosen}, bound

    @property
    def objective(self) -> np.ndarray:
        return -(self.scores - EARLY_BONUS * self.start / 12)

    @property
    def constraints(self) -> LinearConstraint:
        from scipy.optimize import LinearConstraint

        if self._constraint is None:
            self._constraint = LinearConstraint(*self._constraints())
        return self._constraint

    def _rounded(self, x: np.ndarray) -> dict[str, int]:
        """Projects the relaxation starts whole, minus those whose prerequisites are not kept in time."""
        kept = {self.works[self.project[c]].id: int(self.start[c]) for c in np.flatnonzero(x > 1 - 1e-6)}
        changed = True
        while changed:
            changed = False
            for work_id, start in list(kept.items()):
                for need in self.works[self.index[work_id]].needs:
                    q = self.index.get(need)
                    if q is not None and (need not in kept or kept[need] + self.works[q].length > start):
                        del kept[work_id]
                        changed = True
                        break
        return kept

    def _constraints(self) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
        from scipy import sparse

        self._rows, self._lower, self._upper = [], [], []
        self._one_start_rows()
        self._envelope_rows()
        self._capacity_rows()
        self._prerequisite_rows()
        return sparse.vstack(self._rows).tocsr(), np.concatenate(self._lower), np.concatenate(self._upper)

    def _add(
        self, rows: np.ndarray, columns: np.ndarray, values: np.ndarray, lower: np.ndarray, upper: np.ndarray
    ) -> None:
        from scipy import sparse

        self._rows.append(sparse.coo_matrix((values, (rows, columns)), shape=(len(lower), self.count)))
        self._lower.append(lower)
        self._upper.append(upper)

    def _one_start_rows(self) -> None:
        """One start at most; exactly one for a must-do project."""
        projects, row_of = np.unique(self.project, return_inverse=True)
        must = np.array([self.works[p].id in self.settings.must_do for p in projects], dtype=float)
        self._add(row_of, np.arange(self.count), np.ones(self.count), must, np.ones(len(projects)))

    def _envelope_rows(self) -> None:
        capped = [
            y for y, year in enumerate(self.settings.years) if math.isfinite(self.settings.envelope(year))
        ]
        if not capped:
            return
        spend = np.zeros((self.count, len(self.settings.years)))
        for p in np.unique(self.project):
            columns = np.flatnonzero(self.project == p)
            monthly = monthly_capex(self.works[p], self.settings.cost_split)
            spend[columns] = self.years.spread(monthly, self.start[columns])
        block = spend[:, capped].T  # capped years × columns
        rows, columns = np.nonzero(block > 0)
        envelopes = np.array([self.settings.envelope(self.settings.years[y]) for y in capped])
        self._add(rows, columns, block[rows, columns], np.full(len(capped), -np.inf), envelopes)

    def _capacity_rows(self) -> None:
        """Projects in progress at each start of the grid within the team's capacity.

        Every start lies on the grid, so between two of its points projects only finish: the
        number in progress is highest on the points themselves, and checking them is exact
        (a sixth of the rows' coefficients with yearly starts, against one row per month).
        """
        if self.settings.capacity is None:
            return
        points = np.arange(0, self.settings.months, self.step)
        covered = (self.length + self.step - 1) // self.step  # grid points each column is running at
        columns = np.repeat(np.arange(self.count), covered)
        offsets = np.arange(len(columns)) - np.repeat(np.cumsum(covered) - covered, covered)
        rows = self.start[columns] // self.step + offsets
        inside = rows < len(points)
        self._add(
            rows[inside],
            columns[inside],
            np.ones(int(inside.sum())),
            np.full(len(points), -np.inf),
            np.full(len(points), float(self.settings.capacity)),
        )

    def _prerequisite_rows(self) -> None:
        """x[p, k] ≤ the starts of each prerequisite q that end by p's start."""
        rows, columns, values = [], [], []
        by_project = {int(p): np.flatnonzero(self.project == p) for p in np.unique(self.project)}
        number = 0
        for column in range(self.count):
            p = int(self.project[column])
            for need in self.works[p].needs:
                q = self.index.get(need)
                if q is None:
                    continue
                candidates = by_project.get(q, np.zeros(0, dtype=int))
                in_time = candidates[self.start[candidates] + self.length[candidates] <= self.start[column]]
                rows += [number] * (1 + len(in_time))
                columns += [column, *in_time.tolist()]
                values += [1.0] + [-1.0] * len(in_time)
                number += 1
        if number:
            self._add(
                np.array(rows),
                np.array(columns),
                np.array(values),
                np.full(number, -np.inf),
                np.zeros(number),
            )


def frontier(
    works: Sequence[Work],
    settings: PlanSettings,
    factors: Sequence[float],
    *,
    time_limit: float = 2.0,
    grid: StartGrid = StartGrid.YEAR,
) -> list[tuple[float, float]]:
    """(total envelope over the plan, best total score) as every envelope is scaled by each factor,
    smallest budget first.

    Without envelopes, the budget is the plan's total cost spread evenly over its years. The
    best plan of each budget still fits the next, larger one, so it is a candidate there: the
    best total found never falls as the budget grows (the solver's grid alone would not ensure it,
    since the ranking-order plan may start projects between its points).
    """
    base = dict(settings.envelopes)
    if not base:
        total = sum(work.capex for work in works)
        base = {year: total / len(settings.years) for year in settings.years}
    points: list[tuple[float, float]] = []
    known: dict[str, int] | None = None
    for factor in sorted(factors):
        scaled = replace(settings, envelopes=tuple((year, amount * factor) for year, amount in base.items()))
        portfolio = optimal(works, scaled, time_limit=time_limit, grid=grid, known=known)
        known = {p.work.id: p.start for p in portfolio.calendar.retained if p.start is not None}
        points.append((sum(amount for _, amount in scaled.envelopes), portfolio.total_score))
    return points
