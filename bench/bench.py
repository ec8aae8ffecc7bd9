"""Benchmark: ranking, reading and writing at realistic and stress sizes.

    python bench/bench.py            # full table (about 3 minutes)
    python bench/bench.py --quick    # smaller sizes, for a quick look

Ranking: data frame in (an Inventory), ranks out, for each method, against a bare
scikit-criteria pipeline and a plain NumPy version on the same matrix. Reading and writing:
an inventory workbook like the sample (22 columns), read by our reader (safety checks
included) against pandas with openpyxl and with python-calamine; the ranked workbook
written by our exporter (formatted sheets and parameters) against pandas' plain
`to_excel` with openpyxl. Medians of repeated runs; timings never decide a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prioritisation.export.workbook import write_ranking
from prioritisation.ranking.criteria import Criterion, RankingSettings
from prioritisation.ranking.methods import Method
from prioritisation.ranking.priorities import rank_inventory
from prioritisation.reading.fields import (
    FIELDS,
    map_columns,
)
from prioritisation.reading.inventory import Scale, build_inventory, load_inventory, locate_table
from prioritisation.reading.spreadsheet import RawWorkbook, Sheet
from prioritisation.reading.untrusted import MB, FileKind, ReadLimits

CORE = ("urgency", "impact", "feasibility")
SIX = (*CORE, "capex", "opex", "duration")


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    work()  # warm-up (imports, caches)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def synthetic_rows(count: int, seed: int = 0) -> list[list[object]]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(count):
        capex = float(rng.integers(1_000, 2_000_000))
        rows.append(
            [
                f"P{i + 1:06d}", f"Projet numérique n° {i + 1}", f"Axe {rng.integers(1, 6)}",
                ["DSI", "Aménagement", "Éducation", "Solidarités"][i % 4],
                int(rng.integers(1, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 6)),
                capex, float(rng.integers(0, 50_000)), int(rng.integers(3, 48)), "",
                round(capex * 0.3), None, round(capex * 0.2), None,
                capex - round(capex * 0.3) - round(capex * 0.2), None,
                "Usagers", "1 000", "2028-12", "M. Martin", "Commentaire libre",
            ]
        )  # fmt: skip
    return rows


HEADERS = [
    "Identifiant", "Projet", "Axe stratégique", "Service porteur", "Urgence", "Impact", "Faisabilité",
    "Coût d'investissement (€)", "Coût de fonctionnement annuel (€)", "Durée (mois)", "Dépendances",
    "FEDER (€)", "DSIL (€)", "DETR (€)", "Autres subventions (€)", "Autofinancement (€)",
    "Partenaires privés (€)", "Indicateur", "Valeur cible", "Échéance", "Responsable", "Commentaire",
]  # fmt: skip
# The 22 columns of the sample (phase durations and the own-share exemption are optional).
assert len(HEADERS) == 22 and {*HEADERS} - {"Commentaire"} <= {f.header for f in FIELDS}


def synthetic_inventory(count: int):
    sheet = Sheet("Projets", [HEADERS, *synthetic_rows(count)])
    table = locate_table(RawWorkbook("bench.xlsx", FileKind.XLSX, (sheet,)))
    return build_inventory(table, map_columns(table.headers), Scale())


# -- ranking baselines ----------------------------------------------------------------------


def skcriteria_pipeline(method: Method) -> Callable[[np.ndarray, np.ndarray, list], object]:
    import skcriteria
    from skcriteria.agg.simple import WeightedSumModel
    from skcriteria.agg.topsis import TOPSIS
    from skcriteria.agg.vikor import VIKOR
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.invert_objectives import InvertMinimize
    from skcriteria.preprocessing.scalers import MinMaxScaler, VectorScaler

    if method is Method.WEIGHTED_SUM:
        pipe = mkpipe(InvertMinimize(), MinMaxScaler(target="matrix"), WeightedSumModel())
    elif method is Method.TOPSIS:
        pipe = mkpipe(VectorScaler(target="matrix"), TOPSIS())
    else:
        pipe = mkpipe(MinMaxScaler(target="matrix"), VIKOR(use_compromise_set=False))

    def run(matrix: np.ndarray, weights: np.ndarray, objectives: list) -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pipe.evaluate(skcriteria.mkdm(matrix, objectives, weights=weights))

    return run


def numpy_version(method: Method) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    def run(matrix: np.ndarray, weights: np.ndarray, maximise: np.ndarray) -> np.ndarray:
        if method is Method.TOPSIS:
            scaled = matrix / np.sqrt((matrix**2).sum(axis=0))
            weighted = scaled * weights
            ideal = np.where(maximise, weighted.max(0), weighted.min(0))
            worst = np.where(maximise, weighted.min(0), weighted.max(0))
            better = np.sqrt(((weighted - ideal) ** 2).sum(1))
            worse = np.sqrt(((weighted - worst) ** 2).sum(1))
            scores = worse / (better + worse)
            return np.argsort(-scores)
        low, high = matrix.min(0), matrix.max(0)
        scaled = (matrix - low) / np.where(high > low, high - low, 1)
        scaled[:, ~maximise] = 1 - scaled[:, ~maximise]
        if method is Method.WEIGHTED_SUM:
            return np.argsort(-(scaled @ weights))
        gaps = (1 - scaled) * weights
        s, r = gaps.sum(1), gaps.max(1)
        q = 0.5 * (s - s.min()) / np.ptp(s) + 0.5 * (r - r.min()) / np.ptp(r)
        return np.argsort(q)

    return run


def bench_ranking(sizes: list[int], repeats: int) -> list[dict[str, object]]:
    lines = []
    for size in sizes:
        inventory = synthetic_inventory(size)
        for fields in (CORE, SIX):
            criteria = tuple(Criterion(f, maximise=f in CORE) for f in fields)
            matrix = inventory.projects[list(fields)].to_numpy(dtype=float)
            maximise = np.array([c.maximise for c in criteria])
            weights = np.full(len(fields), 1 / len(fields))
            objectives = [max if m else min for m in maximise]
            for method in Method:
                settings = RankingSettings(criteria=criteria, method=method)
                ours = median_seconds(lambda s=settings, i=inventory: rank_inventory(i, s), repeats)
                pipeline = skcriteria_pipeline(method)
                bare = median_seconds(
                    lambda p=pipeline, m=matrix, w=weights, o=objectives: p(m, w, o), repeats
                )
                plain = numpy_version(method)
                fast = median_seconds(lambda f=plain, m=matrix, w=weights, x=maximise: f(m, w, x), repeats)
                lines.append(
                    {
                        "projets": size,
                        "critères": len(fields),
                        "méthode": method.value,
                        "nous (ms)": ours * 1e3,
                        "scikit-criteria (ms)": bare * 1e3,
                        "NumPy (ms)": fast * 1e3,
                        "nous / skcriteria": ours / bare,
                    }
                )
                print(_row(lines[-1]), flush=True)
    return lines


# -- reading and writing --------------------------------------------------------------------


def write_inventory_xlsx(path: Path, count: int, seed: int = 0) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Projets")
    sheet.append(HEADERS)
    for row in synthetic_rows(count, seed):
        sheet.append(row)
    workbook.save(path)


def bench_files(sizes: list[int]) -> list[dict[str, object]]:
    lines = []
    limits = ReadLimits(max_file_bytes=200 * MB)
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            path = Path(folder) / f"inventaire_{size}.xlsx"
            write_inventory_xlsx(path, size)
            repeats = 5 if size <= 10_000 else 1
            slow_repeats = min(repeats, 3)
            ours = median_seconds(lambda p=path: load_inventory(p, limits=limits), repeats)
            with_calamine = median_seconds(lambda p=path: pd.read_excel(p, engine="calamine"), repeats)
            with_openpyxl = median_seconds(lambda p=path: pd.read_excel(p, engine="openpyxl"), slow_repeats)
            ranking = rank_inventory(load_inventory(path, limits=limits))
            output = Path(folder) / "classement.xlsx"
            write = median_seconds(lambda r=ranking, o=output: write_ranking(r, o), slow_repeats)
            frame = ranking.ranked_original()
            pandas_write = median_seconds(
                lambda f=frame, o=output: f.to_excel(o, engine="openpyxl", index=False), slow_repeats
            )
            lines.append(
                {
                    "lignes": size,
                    "fichier (Mo)": path.stat().st_size / MB,
                    "lecture nous (s)": ours,
                    "pandas+calamine (s)": with_calamine,
                    "pandas+openpyxl (s)": with_openpyxl,
                    "nous / openpyxl": ours / with_openpyxl,
                    "écriture classement (s)": write,
                    "pandas.to_excel openpyxl (s)": pandas_write,
                    "écriture / pandas": write / pandas_write,
                }
            )
            print(_row(lines[-1]), flush=True)
    return lines


def _row(line: dict[str, object]) -> str:
    return " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in line.values())


def markdown(lines: list[dict[str, object]]) -> str:
    headers = list(lines[0])
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for line in lines:
        cells = [f"{v:.2f}" if isinstance(v, float) else str(v) for v in line.values()]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    arguments = parser.parse_args()
    ranking_sizes = [50, 500, 5_000] if arguments.quick else [50, 500, 5_000, 50_000]
    file_sizes = [1_000, 10_000] if arguments.quick else [1_000, 10_000, 100_000]
    print("Classement (médianes)")
    ranking = bench_ranking(ranking_sizes, repeats=7)
    print("\nLecture et écriture de classeurs (médianes)")
    files = bench_files(file_sizes)
    print("\n" + markdown(ranking) + "\n\n" + markdown(files))


if __name__ == "__main__":
    main()
