"""Benchmark of the whole plan: ranking → calendar, funding checks, selection (scipy milp).

    python bench/plan.py            # 50, 500 and 5,000 projects over six years
    python bench/plan.py --quick    # 50 and 500

Synthetic ranked inventories: scores 0–100, costs from 1,000 € to 2 M€, durations 3 to 48
months, one project in five needing an earlier one, yearly envelopes a third of what funding
every project would need, a team of n/10 projects (at least twelve) at once. For each size,
`make_plan` from the ranking: the ranking-order plan (the baseline) and the whole optimal
plan (works, solver, calendar and funding checks included), the gap the
solver proved, and how far the ranking-order total is from the best bound — with starts at
the beginning of each plan year (the default) and of each quarter. Each line covers three
synthetic inventories (`--seeds`): medians of their times, the worst of their gaps; each
time is the median of three runs (one for the long ones). Timings never decide a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prioritisation.planning.plan import make_plan
from prioritisation.planning.portfolio import Selection, StartGrid
from prioritisation.planning.schedule import PlanSettings
from prioritisation.ranking.priorities import Ranking, rank_inventory
from prioritisation.reading.fields import map_columns
from prioritisation.reading.inventory import Scale, build_inventory, locate_table
from prioritisation.reading.spreadsheet import RawWorkbook, Sheet
from prioritisation.reading.untrusted import FileKind

START = dt.date(2027, 1, 1)
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


def synthetic_ranking(count: int, seed: int = 0) -> Ranking:
    """An inventory ranked as the dashboard would: scores 0–100, one project in five needs another."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(count):
        needs = f"P{int(rng.integers(0, i))}" if i and rng.random() < 0.2 else ""
        rows.append(
            [
                f"P{i}", f"Projet {i}", *(int(score) for score in rng.integers(0, 101, 3)),
                float(np.exp(rng.uniform(np.log(1_000), np.log(2_000_000)))),
                float(rng.integers(0, 50_000)), int(rng.integers(3, 49)), needs,
            ]
        )  # fmt: skip
    table = locate_table(RawWorkbook("bench.xlsx", FileKind.XLSX, (Sheet("Projets", [HEADERS, *rows]),)))
    return rank_inventory(build_inventory(table, map_columns(table.headers), Scale(0, 100)))


def settings_for(ranking: Ranking) -> PlanSettings:
    yearly = float(np.nansum(ranking.inventory.projects["capex"])) / 6 / 3
    envelopes = tuple((START.year + y, yearly) for y in range(6))
    return PlanSettings(
        start=START, envelopes=envelopes, capacity=max(12, len(ranking.inventory.projects) // 10)
    )


def timed(work, repeats: int) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


def measure(size: int, limit: float, grid: StartGrid, seeds: int) -> str:
    """One line: medians over `seeds` synthetic inventories, and the worst proven gap among them."""
    ranking_times, optimal_times, gaps, ranking_gaps, ratios = [], [], [], [], []
    for seed in range(seeds):
        ranking = synthetic_ranking(size, seed)
        settings = settings_for(ranking)
        ranking_seconds, _ = timed(lambda: make_plan(ranking, settings), 3)  # noqa: B023 (called at once)
        optimal_seconds, plan = timed(
            lambda: make_plan(ranking, settings, Selection.OPTIMAL, time_limit=limit, grid=grid),  # noqa: B023
            1 if size > 500 or limit > 2 else 3,
        )
        best, ranked = plan.chosen, plan.by_ranking
        bound = best.total_score / (1 - best.gap) if best.gap is not None and best.gap < 1 else float("nan")
        ranking_times.append(ranking_seconds)
        optimal_times.append(optimal_seconds)
        gaps.append(best.gap)
        ranking_gaps.append((bound - ranked.total_score) / bound)
        ratios.append(best.total_score / ranked.total_score)
    line = (
        f"| {size:,} | {grid.option} | {statistics.median(ranking_times) * 1000:,.0f} ms "
        f"| {statistics.median(optimal_times):,.2f} s | {max(optimal_times):,.2f} s | {limit:g} s "
        f"| {max(gaps) * 100:.2f} % | {statistics.median(ranking_gaps) * 100:.1f} % "
        f"| {statistics.median(ratios):.3f} |"
    )
    return line.replace(",", " ")


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
        "| Projects | Starts | Ranking-order plan | Optimal plan (median) | Optimal plan (slowest) "
        "| Limit (whole plan) | Proven gap (worst) | Ranking order below the bound "
        "| Optimal / ranking total |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for size in sizes:
        limit = options.time_limit or (1.0 if size <= 500 else 10.0)
        print(measure(size, limit, StartGrid.YEAR, options.seeds), flush=True)
    for size in (50, 500):  # quarters: better plans, a longer search (5,000 × 24 starts is out of reach)
        print(measure(size, options.time_limit or 10.0, StartGrid.QUARTER, options.seeds), flush=True)


if __name__ == "__main__":
    main()
