"""Benchmark of the whole plan: ranking → calendar, funding checks, selection (scipy milp).

    python bench/plan.py            # 50, 500 and 5,000 projects; 50 with 1–5 scores; the sample
    python bench/plan.py --quick    # 50 and 500; 50 with 1–5 scores; the sample

Synthetic ranked inventories: scores 0–100 (or, for the "1–5" rows, three criteria scored
1 to 5 as people do, so that dozens of projects tie), costs from 1,000 € to 2 M€, durations
3 to 48 months, one project in five needing an earlier one, yearly envelopes a third of what
funding every project would need, a team of n/10 projects (at least twelve) at once. For
each size, `make_plan` from the ranking: the ranking-order plan (what a page shows at once),
then the optimal plan's steps as `optimal_plans` yields them (first result, then the final
one, works, solver, calendar and funding checks included), the gap proven on the grid and
the one over monthly starts, and how far the ranking-order total is from the best bound —
with starts at the beginning of each plan year (the default) and of each quarter. Each line
covers several synthetic inventories (`--seeds`): medians of their times, the worst of their
gaps. Timings never decide a test.

The last table is the Budget page's case: the bundled sample (40 projects, 1–5 scores) with
150,000 € a year, each step of the search with its time and gap.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prioritisation.planning.plan import Plan, make_plan, optimal_plans
from prioritisation.planning.portfolio import StartGrid
from prioritisation.planning.schedule import PlanSettings
from prioritisation.ranking.priorities import Ranking, rank_inventory
from prioritisation.reading.fields import map_columns
from prioritisation.reading.inventory import Scale, build_inventory, load_inventory, locate_table
from prioritisation.reading.spreadsheet import RawWorkbook, Sheet
from prioritisation.reading.untrusted import FileKind

START = dt.date(2027, 1, 1)
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "inventaire_exemple.xlsx"
HEADERS = [
    "Identifiant",
    "Projet",
    "Urgence",
    "Impact",
    "Faisabilité",
    "Coût",
    "Fonctionnement",
    "Durée (mois)",
    "Prérequis",
]


def synthetic_ranking(count: int, seed: int = 0, top: int = 100) -> Ranking:
    """An inventory ranked as the dashboard would: scores 0–100 (or 1–`top`), one project in five
    needs another."""
    rng = np.random.default_rng(seed)
    low = 0 if top == 100 else 1
    rows = []
    for i in range(count):
        needs = f"P{int(rng.integers(0, i))}" if i and rng.random() < 0.2 else ""
        rows.append(
            [
                f"P{i}", f"Projet {i}", *(int(score) for score in rng.integers(low, top + 1, 3)),
                float(np.exp(rng.uniform(np.log(1_000), np.log(2_000_000)))),
                float(rng.integers(0, 50_000)), int(rng.integers(3, 49)), needs,
            ]
        )  # fmt: skip
    table = locate_table(RawWorkbook("bench.xlsx", FileKind.XLSX, (Sheet("Projets", [HEADERS, *rows]),)))
    return rank_inventory(build_inventory(table, map_columns(table.headers), Scale(low, top)))


def settings_for(ranking: Ranking) -> PlanSettings:
    yearly = float(np.nansum(ranking.inventory.projects["capex"])) / 6 / 3
    envelopes = tuple((START.year + y, yearly) for y in range(6))
    return PlanSettings(
        start=START, envelopes=envelopes, capacity=max(12, len(ranking.inventory.projects) // 10)
    )


def timed(work: Callable[[], object], repeats: int) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


def steps(quick: Plan, limit: float, grid: StartGrid) -> list[tuple[float, Plan]]:
    """Each plan `optimal_plans` yields, with the seconds since the ranking-order plan was ready."""
    started, found = time.perf_counter(), []
    for plan in optimal_plans(quick, time_limit=limit, grid=grid):
        found.append((time.perf_counter() - started, plan))
    return found


def _gap(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f} %"


def measure(size: int, limit: float, grid: StartGrid, seeds: int, top: int = 100) -> str:
    """One line: medians over `seeds` synthetic inventories, and the worst proven gaps among them."""
    quick_times, first_times, final_times, gaps, monthly, first_gaps, ranking_gaps, ratios = (
        [], [], [], [], [], [], [], []
    )  # fmt: skip
    for seed in range(seeds):
        ranking = synthetic_ranking(size, seed, top)
        settings = settings_for(ranking)
        quick_seconds, quick = timed(lambda: make_plan(ranking, settings), 3)  # noqa: B023 (called at once)
        found = steps(quick, limit, grid)  # type: ignore[arg-type]
        (first_seconds, first), (final_seconds, final) = found[0], found[-1]
        best = final.chosen
        bound = best.total_score / (1 - best.gap) if best.gap is not None and best.gap < 1 else float("nan")
        quick_times.append(quick_seconds)
        first_times.append(first_seconds)
        final_times.append(final_seconds)
        first_gaps.append(first.chosen.gap)
        gaps.append(best.gap)
        monthly.append(best.monthly_gap)
        ranking_gaps.append((bound - final.by_ranking.total_score) / bound)
        ratios.append(best.total_score / final.by_ranking.total_score)
    known_monthly = [gap for gap in monthly if gap is not None]
    line = (
        f"| {size:,} | {'1–5' if top == 5 else '0–100'} | {grid.option} "
        f"| {statistics.median(quick_times) * 1000:,.0f} ms "
        f"| {statistics.median(first_times):,.2f} s ({_gap(max(first_gaps))}) "
        f"| {statistics.median(final_times):,.2f} s | {max(final_times):,.2f} s | {limit:g} s "
        f"| {_gap(max(gaps))} | {_gap(max(known_monthly)) if len(known_monthly) == seeds else '—'} "
        f"| {statistics.median(ranking_gaps) * 100:.1f} % | {statistics.median(ratios):.3f} |"
    )
    return line.replace(",", " ")


def sample_lines(limit: float) -> list[str]:
    """The Budget page's case: the sample with 150,000 € a year, each step of the search."""
    ranking = rank_inventory(load_inventory(SAMPLE))
    start = dt.date(2026, 1, 1)
    settings = PlanSettings(start=start, envelopes=tuple((start.year + y, 150_000.0) for y in range(6)))
    quick_seconds, quick = timed(lambda: make_plan(ranking, settings), 3)
    lines = [
        f"| ranking order | — | {quick_seconds * 1000:.0f} ms | {quick.chosen.total_score:.3f} | — | — | "  # type: ignore[attr-defined]
        f"{len(quick.calendar.retained)} |"  # type: ignore[attr-defined]
    ]
    for grid in StartGrid:
        for seconds, plan in steps(quick, limit, grid):  # type: ignore[arg-type]
            chosen = plan.chosen
            lines.append(
                f"| {chosen.stage} | {grid.option} | {seconds:.2f} s | {chosen.total_score:.3f} "
                f"| {_gap(chosen.gap)} | {_gap(chosen.monthly_gap)} | {len(plan.calendar.retained)} |"
            )
    return [line.replace(".", ",") if "|" in line else line for line in lines]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--time-limit", type=float, default=None, help="whole-plan limit (default: 1 s / 10 s)"
    )
    parser.add_argument("--seeds", type=int, default=3, help="synthetic inventories per size (default 3)")
    options = parser.parse_args()
    sizes = (50, 500) if options.quick else (50, 500, 5_000)
    print(
        "| Projects | Scores | Starts | Ranking-order plan | First optimal result (its gap) "
        "| Optimal plan (median) | Optimal plan (slowest) | Limit (whole plan) | Proven gap, grid (worst) "
        "| Proven gap, monthly starts (worst) | Ranking order below the bound | Optimal / ranking total |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for size in sizes:
        limit = options.time_limit or (1.0 if size <= 500 else 10.0)
        print(measure(size, limit, StartGrid.YEAR, options.seeds), flush=True)
    for size in (50, 500):  # quarters: better plans, a longer search (5,000 × 24 starts is out of reach)
        print(measure(size, options.time_limit or 10.0, StartGrid.QUARTER, options.seeds), flush=True)
    for limit in (2.0, 10.0):  # small inventories scored 1 to 5: many ties, the hardest to prove
        print(
            measure(50, options.time_limit or limit, StartGrid.YEAR, max(options.seeds, 5), top=5), flush=True
        )
    print()
    print("Budget page: the sample (40 projects, 1–5 scores), 150 000 € a year, search limited to 10 s")
    print()
    print("| Step | Starts | Time | Total score | Proven gap, grid | Proven gap, monthly starts | Retained |")
    print("|---|---|---|---|---|---|---|")
    for line in sample_lines(options.time_limit or 10.0):
        print(line, flush=True)


if __name__ == "__main__":
    main()
