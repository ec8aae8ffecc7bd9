"""Benchmark of the plan: scheduling in ranking order and the optimal portfolio (scipy milp).

    python bench/plan.py            # 50, 500 and 5,000 projects over six years
    python bench/plan.py --quick    # 50 and 500

Synthetic inventories like the sample: costs from 1,000 € to 2 M€, durations 3 to 48 months,
one project in five needing an earlier one, yearly envelopes a third of what funding every
project would need, a team of twelve projects at once. For each size: the time of the
ranking-order plan (the baseline), of the whole optimal plan (solver included), the gap the
solver proved, and how far the ranking-order total is from the best bound — with starts at
the beginning of each plan year (the default) and of each quarter. Medians of three runs
(one for the long ones); timings never decide a test.
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

from prioritisation.portfolio import StartGrid, in_ranking_order, optimal
from prioritisation.schedule import PlanSettings, Work

START = dt.date(2027, 1, 1)


def synthetic_works(count: int, seed: int = 0) -> list[Work]:
    rng = np.random.default_rng(seed)
    works = []
    for i in range(count):
        total = int(rng.integers(3, 49))
        diagnostic = max(1, total // 8)
        pilot = max(1, total // 3)
        needs = (f"P{int(rng.integers(0, i))}",) if i and rng.random() < 0.2 else ()
        works.append(
            Work(
                id=f"P{i}",
                title=f"Projet {i}",
                score=float(rng.random()),
                capex=float(np.exp(rng.uniform(np.log(1_000), np.log(2_000_000)))),
                opex=float(rng.integers(0, 50_000)),
                months=(diagnostic, pilot, max(1, total - diagnostic - pilot)),
                needs=needs,
            )
        )
    return works


def settings_for(works: list[Work]) -> PlanSettings:
    yearly = sum(work.capex for work in works) / 6 / 3
    envelopes = tuple((START.year + y, yearly) for y in range(6))
    return PlanSettings(start=START, envelopes=envelopes, capacity=max(12, len(works) // 10))


def timed(work, repeats: int) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


def measure(size: int, limit: float, grid: StartGrid) -> str:
    works = synthetic_works(size)
    settings = settings_for(works)
    ranking_seconds, ranked = timed(lambda: in_ranking_order(works, settings), 3)
    optimal_seconds, best = timed(
        lambda: optimal(works, settings, time_limit=limit, grid=grid), 1 if size > 500 or limit > 2 else 3
    )
    bound = best.total_score / (1 - best.gap) if best.gap is not None and best.gap < 1 else float("nan")
    ranking_gap = (bound - ranked.total_score) / bound
    ratio = best.total_score / ranked.total_score
    line = (
        f"| {size:,} | {grid.option} | {ranking_seconds * 1000:,.0f} ms | {optimal_seconds:,.2f} s "
        f"| {limit:g} s "
        f"| {best.gap * 100:.2f} % | {ranking_gap * 100:.1f} % | {ratio:.3f} |"
    )
    return line.replace(",", " ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--time-limit", type=float, default=None, help="solver limit (default: 1 s / 9 s)")
    options = parser.parse_args()
    sizes = (50, 500) if options.quick else (50, 500, 5_000)
    print(
        "| Projects | Starts | Ranking-order plan | Optimal plan (total) | Solver limit | Proven gap "
        "| Ranking order below the bound | Optimal / ranking total |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for size in sizes:
        print(measure(size, options.time_limit or (1.0 if size <= 500 else 9.0), StartGrid.YEAR))
    for size in (50, 500):  # quarters: better plans, a longer search (5,000 × 24 starts is out of reach)
        print(measure(size, options.time_limit or 10.0, StartGrid.QUARTER))


if __name__ == "__main__":
    main()
