"""Benchmark: rank acceptability (SMAA-2) of many weight draws, against the loop over scikit-criteria.

    python bench/robustness.py            # full table (a few minutes)
    python bench/robustness.py --quick    # smaller, for a quick look

Each row ranks the projects of a normalised "more is better" matrix (uniform random values: no
two projects alike, the worst case) under weight vectors drawn uniformly on the simplex:

- « nous » : `rank_acceptability` — every rank's probability, P(top 10), median rank and 90 %
  interval, central weights (ties shared, identical projects grouped). « avec confiance » adds
  the confidence factor (1,000 draws of the grades) and the weights' flip intervals: the whole
  `analyse`, as the page and the workbook run it.
- « scikit-criteria » : one call per draw of the aggregation scikit-criteria offers (`wsm`,
  `topsis` functions; VIKOR's class on a decision matrix, as methods.py does), its ranks added
  to a projects × ranks count; run on a subset of the draws and scaled to all of them.
- « NumPy » : the floor — one matrix product and one `argsort` per batch, ranks counted with
  `bincount`; no ties, no quantiles, no central weights, weighted sum only.

Medians of repeated runs; timings never decide a test. Memory: a fresh process analyses 50,000
projects and reports its peak resident size, before and after (batches keep it flat).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prioritisation.ranking.acceptability import rank_acceptability
from prioritisation.ranking.methods import Method, load_engine
from prioritisation.ranking.robustness import RobustnessInputs, RobustnessSettings, analyse, draw_weights

TOP_N = 10


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    work()  # warm-up (imports, caches)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def problem(projects: int, criteria: int, draws: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    values = np.random.default_rng(seed).random((projects, criteria))
    weights = draw_weights(RobustnessSettings(draws=draws, seed=seed), np.ones(criteria))
    return values, weights


def ours(values: np.ndarray, weights: np.ndarray, method: Method) -> object:
    return rank_acceptability(values, weights, method=method, top_n=TOP_N, confidence_draws=1)


def ours_complete(values: np.ndarray, weights: np.ndarray, method: Method) -> object:
    criteria = values.shape[1]
    inputs = RobustnessInputs(values, np.full(criteria, 1 / criteria), method, 0.5, np.full(criteria, 0.125))
    return analyse(inputs, RobustnessSettings(draws=len(weights), top_n=TOP_N))


def scikit_criteria_loop(values: np.ndarray, weights: np.ndarray, method: Method) -> np.ndarray:
    """The straightforward way: one scikit-criteria ranking per draw, ranks counted."""
    import skcriteria
    from skcriteria.agg.simple import wsm
    from skcriteria.agg.topsis import topsis
    from skcriteria.agg.vikor import VIKOR

    projects, criteria = values.shape
    counts = np.zeros((projects, projects), dtype=np.int64)
    objectives = np.ones(criteria, dtype=int)
    for draw in weights:
        if method is Method.WEIGHTED_SUM:
            ranks, _ = wsm(values, draw)
        elif method is Method.TOPSIS:
            ranks, *_ = topsis(values, objectives, draw)
        else:
            decision = skcriteria.mkdm(values, [max] * criteria, weights=draw)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ranks = VIKOR(use_compromise_set=False).evaluate(decision).rank_
        np.add.at(counts, (np.arange(projects), np.asarray(ranks) - 1), 1)
    return counts


def numpy_floor(values: np.ndarray, weights: np.ndarray, method: Method) -> np.ndarray:
    """Weighted sum only: the least any rank count can do (product, sort, count)."""
    projects = values.shape[0]
    counts = np.zeros(projects * projects, dtype=np.int32)
    batch = max(1, (1 << 17) // projects)
    positions = np.arange(projects)
    for start in range(0, len(weights), batch):
        order = np.argsort(-(weights[start : start + batch] @ values.T), axis=1)
        np.add.at(counts, (order * projects + positions).ravel(), np.int32(1))
    return counts


def row(projects: int, criteria: int, draws: int, method: Method, repeats: int, loop_draws: int) -> list[str]:
    values, weights = problem(projects, criteria, draws)
    mine = median_seconds(lambda: ours(values, weights, method), repeats)
    complete = median_seconds(lambda: ours_complete(values, weights, method), max(1, repeats // 2))
    subset = weights[:loop_draws]
    loop = median_seconds(lambda: scikit_criteria_loop(values, subset, method), 1) * draws / loop_draws
    floor = (
        median_seconds(lambda: numpy_floor(values, weights, method), repeats)
        if method is Method.WEIGHTED_SUM and projects <= 5_000
        else float("nan")
    )
    return [
        f"{projects:,}".replace(",", "\u202f"),
        str(criteria),
        f"{draws:,}".replace(",", "\u202f"),
        method.value,
        seconds(mine),
        seconds(complete),
        seconds(loop) + f" ({loop_draws} tirages × {draws // loop_draws})",
        seconds(floor),
        ratio(mine, loop),
        ratio(mine, floor),
    ]


def seconds(value: float) -> str:
    if value != value:
        return "—"
    return f"{value:.3f}".replace(".", ",")


def ratio(value: float, other: float) -> str:
    if other != other or other == 0:
        return "—"
    return f"{value / other:.3g}".replace(".", ",")


def memory_probe(projects: int, draws: int) -> None:
    """Run in a fresh process: resident size before, and its peak during a full analysis (Linux:
    the peak is reset through /proc/self/clear_refs, so imports do not count)."""
    values, weights = problem(projects, 6, draws)
    before = _status("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    started = time.perf_counter()
    ours_complete(values, weights, Method.WEIGHTED_SUM)
    elapsed = time.perf_counter() - started
    print(f"{before:.0f};{_status('VmHWM'):.0f};{elapsed:.2f}")


def _status(field: str) -> float:
    """A /proc/self/status size, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def memory_rows(sizes: list[tuple[int, int]]) -> list[list[str]]:
    rows = []
    for projects, draws in sizes:
        output = (
            subprocess.run(
                [sys.executable, __file__, "--memory-probe", str(projects), str(draws)],
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        before, after, elapsed = output.split(";")
        rows.append(
            [f"{projects:,}".replace(",", "\u202f"), f"{draws:,}".replace(",", "\u202f"), before, after,
             str(int(after) - int(before)), elapsed.replace(".", ",")]
        )  # fmt: skip
    return rows


def table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join([*lines, *("| " + " | ".join(cells) + " |" for cells in rows)])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--memory-probe", nargs=2, type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.memory_probe:
        memory_probe(*arguments.memory_probe)
        return
    load_engine()
    sizes = [(500, 6, 10_000, 5, 200), (5_000, 6, 10_000, 3, 50)]
    if arguments.quick:
        sizes = [(500, 6, 10_000, 3, 100)]
    rows = [row(*size[:3], method, *size[3:]) for size in sizes for method in Method]
    headers = [
        "projets", "critères", "tirages", "méthode", "nous (s)", "avec confiance et marges (s)",
        "boucle scikit-criteria (s, extrapolée)", "NumPy (s)", "nous / scikit-criteria", "nous / NumPy",
    ]  # fmt: skip
    print(table(headers, rows))
    print()
    memory = [(5_000, 10_000), (50_000, 1_000)] if arguments.quick else [(5_000, 10_000), (50_000, 10_000)]
    print(
        table(
            ["projets", "tirages", "RSS avant (Mo)", "RSS au pic (Mo)", "pic − avant (Mo)", "durée (s)"],
            memory_rows(memory),
        )
    )


if __name__ == "__main__":
    main()
