"""Selection: in ranking order, or the optimal portfolio solved with scipy's `milp` (HiGHS).

The optimal portfolio is the set of projects, each with a start, that maximises the total
priority score within the yearly envelopes and the team's capacity, honouring must-do,
excluded and prerequisites. A 0-1 programme: one variable per project and start on a grid
(each plan year, or each quarter). Multi-year starts make some instances hard, so the
solver runs under a time limit and we report the gap it has proven.

What is proven is said exactly. The grid's bound holds for starts on the grid; a start in
the middle of a year can do better, so the linear relaxation over monthly starts (a valid
bound for every start, small enough up to a few hundred projects) is computed too, and
its gap reported beside the grid's. The ranking-order plan is one of the candidates, so
nothing worse than it is ever returned; among candidates, the one that funds more
must-do projects comes first. A must-do project is placed where the ranking order placed
it when the grid has no room for it, and one that cannot be funded at all is said, with
why, rather than dropped silently.

`optimal_steps` yields ever better portfolios, for a page that shows progress from a
background thread; `optimal` returns the last one.
"""

from __future__ import annotations

import itertools
import math
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
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
    pulled_earlier,
    schedule_in_order,
)

if TYPE_CHECKING:  # scipy is imported where it is used: about 0.9 s off the dashboard's first page
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, OptimizeResult

EARLY_BONUS = 1e-6  # per year earlier, in the relaxation: among equal totals, start sooner
PROVEN = 1e-4  # below this, the gap is reported as none
TARGET_GAP = 0.005  # HiGHS stops once it has proven the portfolio within 0.5 % of the optimum
# The monthly relaxation: above this many (project, month) columns it is not attempted (about
# 250 projects over six years: beyond, it takes seconds; bench/plan.py), and it never takes more
# than this share of the time limit.
MONTHLY_MAX_COLUMNS = 12_000
MONTHLY_SHARE = 0.3
MONTHLY_SECONDS_PER_COLUMN = 60e-6  # bench/plan.py: 50 projects over six years, 2,300 columns, 0.05 s
SWAP_SHARE, SWAP_MAX_SECONDS = 0.2, 2.0  # the swap pass's share of the time limit, and its cap
SWAP_MIN_TRIALS = 20  # below this many fillings in its time, the swap pass is skipped

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
    def starts(self) -> str:
        """'en début d'année': the starts the grid's proof covers."""
        return {StartGrid.YEAR: "en début d'année", StartGrid.QUARTER: "en début de trimestre"}[self]

    @property
    def between(self) -> str:
        """'en cours d'année': the starts the grid's proof does not cover."""
        return {StartGrid.YEAR: "en cours d'année", StartGrid.QUARTER: "en cours de trimestre"}[self]

    @property
    def option(self) -> str:
        return {StartGrid.YEAR: "year", StartGrid.QUARTER: "quarter"}[self]


class Selection(Enum):
    RANKING = "ranking"
    OPTIMAL = "optimal"

    @property
    def label(self) -> str:
        return {Selection.RANKING: "ordre du classement", Selection.OPTIMAL: "portefeuille optimal"}[self]


def _shown(gap: float) -> str:
    return format_percent(gap, 1 if gap >= 0.001 else 2)


@dataclass(frozen=True)
class Portfolio:
    """A calendar and how it was chosen; the gaps bound how far from the optimum it can be."""

    calendar: Calendar
    selection: Selection
    gap: float | None  # proven relative gap to the best total with starts on the grid; None: not computed
    seconds: float = 0.0
    note: str = ""
    grid: StartGrid = StartGrid.YEAR
    monthly_gap: float | None = None  # the same, with starts at any month; None: not computed
    bound: float | None = None  # the proven bound on the total with starts on the grid
    monthly_bound: float | None = None  # the proven bound on the total with starts at any month
    monthly_note: str = ""  # why the monthly bound was not computed
    stage: str = ""  # what the search has done so far (for a page showing progress)
    final: bool = True  # False for the intermediate results of `optimal_steps`

    @property
    def total_score(self) -> float:
        return self.calendar.total_score

    def gap_text(self) -> str:
        """What is proven, exactly: on the grid's starts, then with a start at any month.

        « optimal parmi les démarrages en début d'année ; un démarrage en cours d'année peut
        faire mieux » when only the grid is proven.
        """
        if self.gap is None:
            return "écart à l'optimum non calculé"
        grid = self.grid
        if self.gap < PROVEN:
            first = f"optimal parmi les démarrages {grid.starts}"
        else:
            first = f"à {_shown(self.gap)} au plus de l'optimum parmi les démarrages {grid.starts}"
        if self.monthly_gap is None:
            second = f"un démarrage {grid.between} peut faire mieux"
        elif self.monthly_gap < PROVEN:
            second = f"optimal aussi avec un démarrage {grid.between} (prouvé)"
        else:
            second = (
                f"un démarrage {grid.between} peut faire mieux, l'optimum étant à "
                f"{_shown(self.monthly_gap)} au plus"
            )
        return f"{first} ; {second}"

    def monthly_text(self) -> str:
        """The bound with starts at any month, for the workbook and the pages."""
        if self.monthly_gap is not None:
            if self.monthly_gap < PROVEN:
                return "aucun démarrage, à quelque mois que ce soit, ne fait mieux (prouvé)"
            return f"à {_shown(self.monthly_gap)} au plus de l'optimum, tous mois de démarrage confondus"
        return f"non calculé : {self.monthly_note}" if self.monthly_note else "non calculé"


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


def must_do_notes(calendar: Calendar) -> list[str]:
    """One sentence per must-do project the calendar could not fund, with why."""
    return [
        f"Projet obligatoire {p.work.id} (« {p.work.title} ») non retenu : {p.reason}."
        for p in calendar.must_do_missing()
    ]


def in_ranking_order(
    works: Sequence[Work], settings: PlanSettings, order: Sequence[str] | None = None
) -> Portfolio:
    """What the table suggests: projects funded in the ranking's order (must-do first)."""
    calendar = schedule_in_order(works, settings, order)
    return Portfolio(calendar, Selection.RANKING, None, note=" ".join(must_do_notes(calendar)))


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
    """The best total score within the envelopes (HiGHS under a time limit); never below ranking
    order. The last of `optimal_steps`."""
    steps = optimal_steps(
        works, settings, time_limit=time_limit, order=order, grid=grid, baseline=baseline, known=known
    )
    return list(steps)[-1]


def optimal_steps(
    works: Sequence[Work],
    settings: PlanSettings,
    *,
    time_limit: float = 10.0,
    order: Sequence[str] | None = None,
    grid: StartGrid = StartGrid.YEAR,
    baseline: Calendar | None = None,
    known: Mapping[str, int] | None = None,
) -> Iterator[Portfolio]:
    """Ever better portfolios, each with the gaps proven so far; the last has `final` set.

    The linear relaxation comes first: its bound proves how far any plan on the grid can be
    from the optimum. The projects it starts whole are kept, and the others fill in month by
    month in three orders (the ranking's; the relaxation's preference, then score; the
    relaxation's preference, then score per euro): first result. A swap pass then takes each
    retained project out in turn and fills in again, for a quarter of its time (second result).
    If a gap remains, the integer search runs in the time left but what the monthly bound
    usually needs, asked only for a portfolio better than the best so far: it stops as soon as
    its bound proves there is none, or once within the target gap; the swap pass takes the
    rest of its time (third result). Last, the relaxation over monthly starts bounds every
    plan, whatever its starts (final result).
    `baseline` is the ranking-order plan, when the caller has it already; `known` are starts
    already known to fit these settings (the best plan of a smaller budget): the result is
    never below them either.
    """
    started = time.perf_counter()
    deadline = started + time_limit
    ranking_plan = baseline or schedule_in_order(works, settings, order)
    order = list(order) if order is not None else _by_score(works)
    candidates = [ranking_plan]
    if known is not None:
        candidates.append(schedule_in_order(works, settings, order, fixed=known))
    placed = _must_do_starts(ranking_plan)
    model = _Model(works, settings, grid.value, placed)
    relaxed = model.relaxation()
    if relaxed is None:  # a must-do project the ranking order could not fund either: not required
        model = _Model(works, settings, grid.value, placed, required=frozenset(placed) & settings.must_do)
        relaxed = model.relaxation()
    if relaxed is None:
        note = (
            "Le solveur n'a trouvé aucun portefeuille qui finance tous les projets obligatoires : "
            "voici l'ordre du classement."
        )
        yield _result(ranking_plan, Selection.RANKING, started, grid, note=note)
        return
    fill_seconds = 0.0
    orders = (order, *relaxed.preferences(works))
    for preference in orders:
        filled_at = time.perf_counter()
        candidates.append(schedule_in_order(works, settings, preference, fixed=relaxed.starts))
        fill_seconds = max(fill_seconds, time.perf_counter() - filled_at)
    best = max(candidates, key=_rank_key)  # the first of equals: ranking order
    bound = relaxed.bound
    yield _result(best, Selection.OPTIMAL, started, grid, bound=bound, slack=model.bonus_slack,
                  ranking_plan=ranking_plan, stage="relaxation et remplissages", final=False)  # fmt: skip

    swap_left = min(SWAP_MAX_SECONDS, SWAP_SHARE * time_limit)  # a quarter now, the rest after the search
    if swap_left < SWAP_MIN_TRIALS * fill_seconds:  # too few trials to be worth it (thousands of projects)
        swap_left = 0.0
    swapped_at = time.perf_counter()
    best = _swap_pass(works, settings, best, orders, min(swapped_at + swap_left / 4, deadline))
    swap_left -= time.perf_counter() - swapped_at
    yield _result(best, Selection.OPTIMAL, started, grid, bound=bound, slack=model.bonus_slack,
                  ranking_plan=ranking_plan, stage="échanges de projets", final=False)  # fmt: skip

    reserve = _monthly_reserve(works, settings, time_limit)  # time kept for the monthly bound
    left = deadline - time.perf_counter() - 1.25 * fill_seconds - reserve  # and for the last filling
    if best.total_score < (1 - TARGET_GAP) * (bound - model.bonus_slack) and left > 1.5 * relaxed.seconds:
        starts, proven = model.integer(left, better_than=best.total_score * (1 + PROVEN / 2))
        bound = min(bound, proven)
        if starts is not None:
            starts = pulled_earlier(works, settings, starts)
            best = max((best, schedule_in_order(works, settings, order, fixed=starts)), key=_rank_key)
    if swap_left > 0:  # even when the grid is proven: starts between its points can do better
        swapped_at = time.perf_counter()
        best = _swap_pass(works, settings, best, orders, min(swapped_at + swap_left, deadline - reserve))
    yield _result(best, Selection.OPTIMAL, started, grid, bound=bound, slack=model.bonus_slack,
                  ranking_plan=ranking_plan, stage="recherche en nombres entiers", final=False)  # fmt: skip

    monthly = _monthly_bound(works, settings, placed, model.required, deadline)
    if monthly[0] is not None:  # it bounds the plans on the grid too
        bound = min(bound, monthly[0] + model.bonus_slack)
    yield _result(best, Selection.OPTIMAL, started, grid, bound=bound, slack=model.bonus_slack,
                  monthly=monthly, ranking_plan=ranking_plan, stage="recherche terminée")  # fmt: skip


def _result(
    best: Calendar,
    selection: Selection,
    started: float,
    grid: StartGrid,
    *,
    bound: float | None = None,
    slack: float = 0.0,
    monthly: tuple[float | None, str] = (None, ""),
    ranking_plan: Calendar | None = None,
    note: str = "",
    stage: str = "",
    final: bool = True,
) -> Portfolio:
    notes = [note] if note else []
    if best is ranking_plan:
        notes.append("Le meilleur portefeuille trouvé est l'ordre du classement.")
    notes += must_do_notes(best)
    monthly_bound, monthly_note = monthly
    return Portfolio(
        best,
        selection,
        None if bound is None else _gap(best.total_score, bound, slack),
        time.perf_counter() - started,
        " ".join(notes),
        grid,
        monthly_gap=None if monthly_bound is None else _gap(best.total_score, monthly_bound),
        monthly_note=monthly_note,
        bound=bound,
        monthly_bound=monthly_bound,
        stage=stage,
        final=final,
    )


def _rank_key(calendar: Calendar) -> tuple[int, float]:
    """Plans compare by the must-do projects they fund, then by total score."""
    return (calendar.must_do_retained, calendar.total_score)


def _by_score(works: Sequence[Work]) -> list[str]:
    return [works[i].id for i in sorted(range(len(works)), key=lambda i: (-works[i].score, i))]


def _must_do_starts(ranking_plan: Calendar) -> dict[str, int]:
    """Where the ranking order placed each must-do project it funds, and their prerequisites.

    The ranking order places them before anything else, so these starts fit together: given
    to the solver beside the grid's, they keep it feasible when a must-do project only fits
    between the grid's points.
    """
    by_id = {p.work.id: p for p in ranking_plan.placements}
    must_do = ranking_plan.settings.must_do
    wanted = [p.work.id for p in ranking_plan.placements if p.retained and p.work.id in must_do]
    starts: dict[str, int] = {}
    while wanted:
        work_id = wanted.pop()
        placement = by_id.get(work_id)
        if work_id in starts or placement is None or placement.start is None:
            continue
        starts[work_id] = placement.start
        wanted += list(placement.work.needs)
    return starts


def _swap_pass(
    works: Sequence[Work],
    settings: PlanSettings,
    best: Calendar,
    orders: Sequence[Sequence[str]],
    deadline: float,
) -> Calendar:
    """Local search: one retained project (and what needs it) out, every other start kept, and the
    rest filled in again month by month in each of `orders`; kept as soon as the total rises, until
    nothing does or time is up. The lowest scores go out first.

    Filling month by month, it often passes the grid's optimum (on bench/plan.py's 50-project
    inventories, up to 2 % above what the integer search proves best on the yearly grid).
    """
    needed_by: dict[str, list[str]] = {}
    for work in works:
        for need in work.needs:
            needed_by.setdefault(need, []).append(work.id)
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        outs = sorted(
            (p for p in best.retained if p.work.id not in settings.must_do), key=lambda p: p.work.score
        )
        for out in outs:
            dropped = _with_dependants(out.work.id, needed_by)
            fixed = {p.work.id: p.start for p in best.retained if p.work.id not in dropped}
            for order in orders:
                if time.perf_counter() >= deadline:
                    return best
                trial = schedule_in_order(works, settings, order, fixed=fixed)  # type: ignore[arg-type]
                if _rank_key(trial) > (best.must_do_retained, best.total_score + 1e-9):
                    best, improved = trial, True
                    break
            if improved:
                break
    return best


def _with_dependants(work_id: str, needed_by: Mapping[str, list[str]]) -> set[str]:
    found, waiting = set(), [work_id]
    while waiting:
        current = waiting.pop()
        if current not in found:
            found.add(current)
            waiting += needed_by.get(current, [])
    return found


def _monthly_columns(works: Sequence[Work], settings: PlanSettings) -> int:
    return sum(max(0, settings.months - w.length + 1) for w in works if w.id not in settings.excluded)


def _monthly_reserve(works: Sequence[Work], settings: PlanSettings, time_limit: float) -> float:
    """The time kept for the monthly bound: what it usually takes, within its share of the limit."""
    columns = _monthly_columns(works, settings)
    if columns > MONTHLY_MAX_COLUMNS:
        return 0.0
    return min(MONTHLY_SHARE * time_limit, MONTHLY_SECONDS_PER_COLUMN * columns)


def _monthly_bound(
    works: Sequence[Work],
    settings: PlanSettings,
    placed: Mapping[str, int],
    required: frozenset[str],
    deadline: float,
) -> tuple[float | None, str]:
    """The relaxation over monthly starts: a bound on every plan's total (None, and why, when it is
    too large or too slow to compute). Prerequisites are left out: a looser bound, still valid,
    found sooner."""
    if _monthly_columns(works, settings) > MONTHLY_MAX_COLUMNS:
        return None, (
            f"trop de projets ({len(works)}) pour borner les démarrages mensuels dans le temps imparti"
        )
    model = _Model(works, settings, 1, placed, required=required, prerequisites=False)
    bound = model.bound(deadline - time.perf_counter())
    if bound is None:
        return None, "borne des démarrages mensuels non obtenue dans le temps imparti"
    return bound, ""


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
    """x[p, k] = 1 when project p starts at month k × step of the plan (each year, each quarter or,
    with step 1, each month), plus the starts `placed` (where the ranking order put the must-do
    projects and their prerequisites) when they lie between the grid's points.

    A start whose spending alone exceeds a year's envelope cannot be in any plan: it gets no
    column (a tighter relaxation, a smaller search). Identical projects (same score, cost,
    phases and prerequisites, and nothing waiting for them) are interchangeable: the first is
    asked to start no later than the next, which removes their symmetric copies from the search.
    """

    def __init__(
        self,
        works: Sequence[Work],
        settings: PlanSettings,
        step: int = 12,
        placed: Mapping[str, int] | None = None,
        *,
        required: frozenset[str] | None = None,
        prerequisites: bool = True,
    ) -> None:
        self.works, self.settings, self.step = works, settings, step
        self.prerequisites = prerequisites
        self.placed = dict(placed or {})
        self.required = settings.must_do if required is None else required
        self.years = _Years(settings)
        self.index = {work.id: i for i, work in enumerate(works)}
        projects, starts = self._candidate_columns()
        self._rows: list[sparse.coo_matrix] = []
        self._lower: list[np.ndarray] = []
        self._upper: list[np.ndarray] = []
        self._constraint: LinearConstraint | None = None
        self._set_columns(*self._affordable(np.array(projects, dtype=int), np.array(starts, dtype=int)))

    def _candidate_columns(self) -> tuple[list[int], list[int]]:
        """Every start on the grid from the earliest its prerequisites allow (and the start `placed`)."""
        projects, starts = [], []
        earliest = self._earliest_starts()
        for p, work in enumerate(self.works):
            first = earliest[p]
            if first is None:
                continue
            grid = [
                start
                for start in range(0, self.settings.months - work.length + 1, self.step)
                if start >= first
            ]
            extra = self.placed.get(work.id)
            for start in grid if extra is None or extra in grid else sorted([*grid, extra]):
                projects.append(p)
                starts.append(start)
        return projects, starts

    def _earliest_starts(self) -> list[int | None]:
        """The earliest month each project can start: after the chain of its prerequisites, each
        started as early as it can; None if it can never run (excluded, too long, or waiting for a
        project that cannot). A bound every plan meets, so the model loses no plan by it."""
        earliest: dict[int, int | None] = {}

        def first(p: int, seen: frozenset[int]) -> int | None:
            if p in earliest:
                return earliest[p]
            work = self.works[p]
            start: int | None = 0
            if work.id in self.settings.excluded or p in seen:
                start = None
            for need in work.needs:
                q = self.index.get(need)
                if q is None or start is None:
                    continue
                before = first(q, seen | {p})
                start = None if before is None else max(start, before + self.works[q].length)
            if start is not None and start + work.length > self.settings.months:
                start = None
            earliest[p] = start
            return start

        return [first(p, frozenset()) for p in range(len(self.works))]

    def _affordable(
        self, project: np.ndarray, start: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The columns whose own spending fits every year's envelope, and that spending.

        Spending is linear in the cost: one profile per distinct set of phases, scaled.
        """
        spend = np.zeros((len(project), len(self.settings.years)))
        months = [self.works[p].months for p in project]
        by_shape: dict[tuple[int, int, int], list[int]] = {}
        for column, shape in enumerate(months):
            by_shape.setdefault(shape, []).append(column)
        for shape, columns in by_shape.items():
            unit = monthly_capex(Work("", "", 0.0, 1.0, 0.0, shape), self.settings.cost_split)
            picked = np.array(columns)
            costs = np.array([self.works[p].capex for p in project[picked]])
            spend[picked] = self.years.spread(unit, start[picked]) * costs[:, None]
        envelopes = np.array([self.settings.envelope(year) for year in self.settings.years])
        fits = np.all(spend <= envelopes[None, :] * (1 + 1e-12) + 1e-6, axis=1)
        return project[fits], start[fits], spend[fits]

    def _set_columns(self, project: np.ndarray, start: np.ndarray, spend: np.ndarray) -> None:
        self.project, self.start, self.spend = project, start, spend
        self.length = np.array([self.works[p].length for p in project], dtype=int)
        self.scores = np.array([self.works[p].score for p in project], dtype=float)
        latest = np.zeros(len(self.works))
        np.maximum.at(latest, project, start / 12)
        # The most the early-start bonus can take off a total: the relaxation's bound plus this
        # bounds the total score itself.
        self.bonus_slack = EARLY_BONUS * float(latest.sum())

    @property
    def count(self) -> int:
        return len(self.project)

    @property
    def running_variables(self) -> int:
        """Months of the plan whose number of projects in progress is a variable of its own: with
        starts finer than a year and a team capacity, counting projects month by month as starts
        minus ends costs two coefficients a column instead of one per month it runs."""
        return self.settings.months if self.settings.capacity is not None and self.step < 12 else 0

    def _padded(self, values: np.ndarray) -> np.ndarray:
        return np.concatenate([values, np.zeros(self.running_variables)])

    def _bounds(self) -> Bounds:
        from scipy.optimize import Bounds

        upper = np.full(self.running_variables, float(self.settings.capacity or 0))
        return Bounds(self._padded(np.zeros(self.count)), np.concatenate([np.ones(self.count), upper]))

    def relaxation(self) -> _Relaxation | None:
        """The linear relaxation: the starts it takes whole, how much of each project it starts,
        and its bound; None if infeasible."""
        from scipy.optimize import milp

        started = time.perf_counter()
        if self.count == 0:
            if self.required & {work.id for work in self.works}:
                return None
            return _Relaxation({}, np.zeros(len(self.works)), 0.0, 0.0)
        result = milp(
            self._padded(self.objective),
            integrality=self._padded(np.zeros(self.count)),
            bounds=self._bounds(),
            constraints=self.constraints,
        )
        if result.x is None:
            return None
        x = result.x[: self.count]
        share = np.zeros(len(self.works))
        np.add.at(share, self.project, x)
        return _Relaxation(
            self._rounded(x), share, -result.fun + self.bonus_slack, time.perf_counter() - started
        )

    def bound(self, time_limit: float) -> float | None:
        """The linear relaxation's bound on the total score (no early-start bonus), or None if it is
        not solved within `time_limit` (or infeasible)."""
        from scipy.optimize import milp

        if self.count == 0:
            return 0.0
        if time_limit <= 0:
            return None
        result = milp(
            self._padded(-self.scores),
            integrality=self._padded(np.zeros(self.count)),
            bounds=self._bounds(),
            constraints=self.constraints,
            options={"time_limit": time_limit},
        )
        return float(-result.fun) if result.status == 0 and result.fun is not None else None

    def integer(self, time_limit: float, better_than: float) -> tuple[dict[str, int] | None, float]:
        """HiGHS's branch and bound under a time limit, asked for a total above `better_than`:
        its portfolio (None if it found none) and the bound it proved on every portfolio.

        HiGHS prunes whatever cannot beat `better_than` (its `objective_bound`, passed through
        scipy verbatim), so it stops as soon as its bound falls below: the optimum is then
        proven within `better_than`. The objective is the scores alone, without the relaxation's
        early-start bonus: when every score is a multiple of one unit (1–5 scores and simple
        weights), HiGHS sees the objective is integral and prunes by whole units; the starts it
        finds are then pulled as early as they fit.
        """
        from scipy.optimize import milp

        options = {
            "time_limit": time_limit,
            "mip_rel_gap": TARGET_GAP,
            "presolve": True,
            "objective_bound": -better_than,
        }
        result = milp(
            self._padded(-self.scores),
            integrality=self._padded(np.ones(self.count)),
            bounds=self._bounds(),
            constraints=self.constraints,
            options=options,
        )
        bound = _proven_bound(result, better_than)
        if result.x is None:
            return None, bound
        chosen = np.flatnonzero(result.x[: self.count] > 0.5)
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
        if self.prerequisites:  # without them, a looser bound, still valid, found sooner
            self._prerequisite_rows()
        self._symmetry_rows()
        return sparse.vstack(self._rows).tocsr(), np.concatenate(self._lower), np.concatenate(self._upper)

    def _add(
        self, rows: np.ndarray, columns: np.ndarray, values: np.ndarray, lower: np.ndarray, upper: np.ndarray
    ) -> None:
        from scipy import sparse

        shape = (len(lower), self.count + self.running_variables)
        self._rows.append(sparse.coo_matrix((values, (rows, columns)), shape=shape))
        self._lower.append(lower)
        self._upper.append(upper)

    def _one_start_rows(self) -> None:
        """One start at most; exactly one for a must-do project that is required."""
        projects, row_of = np.unique(self.project, return_inverse=True)
        must = np.array([self.works[p].id in self.required for p in projects], dtype=float)
        self._add(row_of, np.arange(self.count), np.ones(self.count), must, np.ones(len(projects)))

    def _envelope_rows(self) -> None:
        capped = [
            y for y, year in enumerate(self.settings.years) if math.isfinite(self.settings.envelope(year))
        ]
        if not capped:
            return
        block = self.spend[:, capped].T  # capped years × columns
        rows, columns = np.nonzero(block > 0)
        envelopes = np.array([self.settings.envelope(self.settings.years[y]) for y in capped])
        self._add(rows, columns, block[rows, columns], np.full(len(capped), -np.inf), envelopes)

    def _capacity_rows(self) -> None:
        """Projects in progress at each start the model allows, within the team's capacity.

        Projects only finish between two starts, so the number in progress is highest at the
        starts themselves, and checking them is exact (with yearly starts, a sixth of the
        coefficients of one row per month). With finer starts, the number in progress is a
        variable per month, bounded by the capacity: last month's, plus the starts, minus the ends.
        """
        if self.settings.capacity is None:
            return
        if self.running_variables:
            self._running_rows()
            return
        points = np.unique(
            np.concatenate([np.arange(0, self.settings.months, self.step), list(self.placed.values())])
        ).astype(int)
        first = np.searchsorted(points, self.start, side="left")
        covered = np.searchsorted(points, self.start + self.length, side="left") - first
        columns = np.repeat(np.arange(self.count), covered)
        offsets = np.arange(len(columns)) - np.repeat(np.cumsum(covered) - covered, covered)
        rows = first[columns] + offsets
        self._add(
            rows,
            columns,
            np.ones(len(columns)),
            np.full(len(points), -np.inf),
            np.full(len(points), float(self.settings.capacity)),
        )

    def _running_rows(self) -> None:
        """running[t] − running[t − 1] − (starts at t) + (ends at t) = 0, for every month t."""
        months, count = self.settings.months, self.count
        ends = self.start + self.length
        inside = ends < months
        running = count + np.arange(months)
        self._add(
            np.concatenate([self.start, ends[inside], np.arange(months), np.arange(1, months)]),
            np.concatenate([np.arange(count), np.flatnonzero(inside), running, running[:-1]]),
            np.concatenate(
                [-np.ones(count), np.ones(int(inside.sum())), np.ones(months), -np.ones(months - 1)]
            ),
            np.zeros(months),
            np.zeros(months),
        )

    def _prerequisite_rows(self) -> None:
        """x[p, k] ≤ the starts of each prerequisite q that end by p's start."""
        blocks_rows, blocks_columns, blocks_values = [], [], []
        by_project = {int(p): np.flatnonzero(self.project == p) for p in np.unique(self.project)}
        number = 0
        for p, mine in by_project.items():
            for need in self.works[p].needs:
                q = self.index.get(need)
                if q is None:
                    continue
                theirs = by_project.get(q, np.zeros(0, dtype=int))
                in_time = (self.start[theirs] + self.length[theirs])[None, :] <= self.start[mine][:, None]
                rows = number + np.arange(len(mine))
                pairs_row, pairs_column = np.nonzero(in_time)
                blocks_rows += [rows, rows[pairs_row]]
                blocks_columns += [mine, theirs[pairs_column]]
                blocks_values += [np.ones(len(mine)), -np.ones(len(pairs_row))]
                number += len(mine)
        if number:
            self._add(
                np.concatenate(blocks_rows),
                np.concatenate(blocks_columns),
                np.concatenate(blocks_values),
                np.full(number, -np.inf),
                np.zeros(number),
            )

    def _symmetry_rows(self) -> None:
        """For identical projects p before q: by every start, p has started if q has (so q is
        funded only if p is, and starts no earlier)."""
        rows, columns, values = [], [], []
        number = 0
        for first, second in self._identical_pairs():
            mine = np.flatnonzero(self.project == first)
            theirs = np.flatnonzero(self.project == second)
            if not np.array_equal(self.start[mine], self.start[theirs]):
                continue
            for k in range(len(mine)):
                rows += [number] * (2 * (k + 1))
                columns += [*mine[: k + 1].tolist(), *theirs[: k + 1].tolist()]
                values += [1.0] * (k + 1) + [-1.0] * (k + 1)
                number += 1
        if number:
            self._add(
                np.array(rows), np.array(columns), np.array(values), np.zeros(number), np.full(number, np.inf)
            )

    def _identical_pairs(self) -> list[tuple[int, int]]:
        needed = {need for work in self.works for need in work.needs}
        special = needed | self.settings.must_do | set(self.placed)
        groups: dict[tuple, list[int]] = {}
        for p in np.unique(self.project):
            work = self.works[int(p)]
            if work.id not in special:
                key = (work.score, work.capex, work.months, tuple(sorted(work.needs)))
                groups.setdefault(key, []).append(int(p))
        return [(a, b) for members in groups.values() for a, b in itertools.pairwise(members)]


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
