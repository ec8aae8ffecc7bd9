"""Benchmark: memory and time of reading the worst files under the upload limit.

    python bench/read_limits.py             # every file (about two minutes)
    python bench/read_limits.py --quick     # the small ones only

Each file is built in memory, then read by `read_bytes` in a fresh process whose peak
resident memory (ru_maxrss) is reported, absolute and above what the process held once
its imports were done; with the reading time and the outcome. The two public inventories
(the State's 2018 and 2019 investment-grant lists) are timed too when present in
fichiers_publics/ (at the repository's root, not committed) or in the folder given by --real.
The limits are ReadLimits' defaults.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from prioritisation.reading.untrusted import MB  # noqa: E402
from tests import corpus  # noqa: E402

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])


def high_water_mb():  # VmHWM: this process's peak; ru_maxrss would include the parent's
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

from prioritisation.reading.inventory import load_inventory
from prioritisation.reading.spreadsheet import read_bytes
from prioritisation.reading.untrusted import FileRefused
data = sys.stdin.buffer.read()
name = sys.argv[2]
before = high_water_mb()
started = time.perf_counter()
try:
    if sys.argv[3] == "inventory":
        inventory = load_inventory(data, name)
        outcome = f"lu : {len(inventory.projects)} projets"
    else:
        workbook = read_bytes(data, name)
        sizes = [f"{len(s.rows)} × {max(map(len, s.rows), default=0)}" for s in workbook.sheets]
        outcome = "lu : " + ", ".join(sizes)
except FileRefused as refused:
    outcome = "refusé : " + str(refused)[:90]
seconds = time.perf_counter() - started
peak = high_water_mb()
print(json.dumps({"outcome": outcome, "seconds": seconds, "peak": peak, "above": peak - before}))
"""


def measure(data: bytes, name: str, what: str = "read") -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), name, what], input=data, capture_output=True, check=False
    )
    if result.returncode:
        return {"outcome": f"le processus meurt ({result.returncode}) : {result.stderr.decode()[-200:]}"}
    return json.loads(result.stdout)


def deflated(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return buffer.getvalue()


def with_sheets(sheets: list[bytes], shared: bytes | None = None) -> bytes:
    base = zipfile.ZipFile(
        io.BytesIO(corpus.xlsx({f"Feuille {n}": [["x"]] for n in range(1, len(sheets) + 1)}))
    )
    members = {info.filename: base.read(info.filename) for info in base.infolist()}
    for number, sheet in enumerate(sheets, start=1):
        members[f"xl/worksheets/sheet{number}.xml"] = sheet
    if shared is not None:
        members["xl/sharedStrings.xml"] = shared
    return deflated(members)


def numbers_sheet(rows: int, columns: int, strings: int = 0) -> bytes:
    """Numbers, or references to `strings` shared strings in turn."""
    letters = [corpus_letters(c) for c in range(1, columns + 1)]
    kind = ' t="s"' if strings else ""
    body = "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{letter}{r}"{kind}><v>{(r * columns + i) % strings if strings else r + i}</v></c>'
            for i, letter in enumerate(letters)
        )
        + "</row>"
        for r in range(1, rows + 1)
    )
    return corpus.sheet_xml(body)


def corpus_letters(number: int) -> str:
    from prioritisation.reading.untrusted import column_letters

    return column_letters(number)


FAR_CELLS = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
SPACES = (
    '<table:table-row><table:table-cell office:value-type="string"><text:p><text:s text:c="1000000000"/>'
    "</text:p></table:table-cell></table:table-row>"
)


def repeated_tables(shapes: list[tuple[int, int]], characters: int, formula: str = "") -> str:
    """content.xml whose tables repeat one text cell (with a formula if given) over rows × columns."""
    formula = f' table:formula="{formula}"' if formula else ""
    tables = "".join(
        f'<table:table table:name="Feuille {number}"><table:table-row table:number-rows-repeated="{rows}">'
        f'<table:table-cell office:value-type="string"{formula} table:number-columns-repeated="{columns}">'
        f"<text:p>{'x' * characters}</text:p></table:table-cell></table:table-row></table:table>"
        for number, (rows, columns) in enumerate(shapes, start=1)
    )
    return corpus._ODS_HEAD.format(doctype="") + tables + corpus._ODS_TAIL


def worst_files(quick: bool) -> list[tuple[str, Callable[[], bytes], str]]:
    files: list[tuple[str, Callable[[], bytes], str]] = [
        (
            "CSV, une ligne de 200 000 séparateurs (0,4 Mo, issue 9)",
            lambda: b";" * 200_000 + b"\n" + b"a;b\n" * 50_000,
            "x.csv",
        ),
        (
            "CSV, 6,6 millions de valeurs de 2 caractères sur une ligne (20 Mo)",
            lambda: b"ab;" * 6_600_000 + b"\n",
            "x.csv",
        ),
        ("CSV, 20 Mo de lignes vides", lambda: b"\n" * (20 * MB - 1), "x.csv"),
        ("CSV, 10 millions de lignes « a » (20 Mo)", lambda: b"a\n" * (10 * MB - 1), "x.csv"),
        (
            "CSV, au budget : 990 000 cellules de 2 caractères",
            lambda: (b"ab;" * 9 + b"ab\n") * 99_000,
            "x.csv",
        ),
        (
            "CSV, 19 Mo de textes de 130 000 caractères",
            lambda: (b"P;" + b"x" * 130_000 + b"\n") * 150,
            "x.csv",
        ),
        (
            "XLSX, valeurs en A1 et XFD1048576 (5 Ko)",
            lambda: with_sheets([corpus.sheet_xml(FAR_CELLS)]),
            "x.xlsx",
        ),
        (
            "XLSX, 300 cellules partageant un texte de 1 Mo (6 Ko)",
            lambda: with_sheets(
                [numbers_sheet(30, 10, strings=1)], corpus.shared_strings_xml(["a" * 1_000_000])
            ),
            "x.xlsx",
        ),
        (
            "XLSX, uniqueCount de 2 milliards (5 Ko)",
            lambda: with_sheets(
                [numbers_sheet(1, 1, strings=1)], corpus.shared_strings_xml(["a"], declared=2_000_000_000)
            ),
            "x.xlsx",
        ),
        ("XLSX, bombe de décompression (300 Mo)", lambda: corpus.zip_bomb_xlsx(300 * MB), "x.xlsx"),
        (
            'ODS, un <text:s text:c="1000000000"/>',
            lambda: corpus.ods(
                {"P": [["a"]]},
                raw_rows=SPACES,
            ),
            "x.ods",
        ),
    ]
    if not quick:
        files += [
            (
                "XLSX, au budget : 1 000 000 + 500 000 nombres sur 2 feuilles",
                lambda: with_sheets([numbers_sheet(50_000, 20), numbers_sheet(25_000, 20)]),
                "x.xlsx",
            ),
            (
                "XLSX, au budget : 1 500 000 cellules de textes partagés (100 000 distincts)",
                lambda: with_sheets(
                    [
                        numbers_sheet(50_000, 20, strings=100_000),
                        numbers_sheet(25_000, 20, strings=100_000),
                    ],
                    corpus.shared_strings_xml([f"t{n:05d}" for n in range(100_000)]),
                ),
                "x.xlsx",
            ),
            (
                "XLSX, au budget de texte : un texte de 131 000 caractères dans 180 cellules",
                lambda: with_sheets(
                    [numbers_sheet(18, 10, strings=1)], corpus.shared_strings_xml(["a" * 131_000])
                ),
                "x.xlsx",
            ),
            (
                "ODS, au budget : 1 000 000 + 500 000 cellules répétées de 16 caractères",
                lambda: corpus.ods_archive(repeated_tables([(1000, 999), (500, 999)], 16)),
                "x.ods",
            ),
            (
                "ODS, au budget : 1 500 000 cellules répétées, texte de 7 caractères et formule de 9",
                lambda: corpus.ods_archive(
                    repeated_tables([(1000, 999), (500, 999)], 7, formula="of:=1+234")
                ),
                "x.ods",
            ),
        ]
    return files


def real_files(folder: Path) -> list[tuple[str, Path]]:
    names = ["projets_dotations_investissement_2019.xlsx", "Projets_DI_2018.ods"]
    return [(name, folder / name) for name in names if (folder / name).exists()]


def table_row(label: str, data: bytes, row: dict[str, object]) -> str:
    nan = float("nan")
    return (
        f"| {label} | {len(data) / MB:.2f} | {row.get('peak', nan):.0f} | {row.get('above', nan):.0f} | "
        f"{row.get('seconds', nan):.2f} | {row['outcome']} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--real", type=Path, default=Path(__file__).resolve().parents[1] / "fichiers_publics")
    arguments = parser.parse_args()
    print("| fichier | taille (Mo) | pic mémoire (Mo) | au-delà des imports (Mo) | durée (s) | résultat |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for label, build, name in worst_files(arguments.quick):
        data = build()
        row = measure(data, name)
        print(table_row(label, data, row))
    for label, path in real_files(arguments.real):
        data = path.read_bytes()
        for what in ("read", "inventory"):
            row = measure(data, path.name, what)
            step = "lecture" if what == "read" else "inventaire complet"
            print(table_row(f"{label} ({step})", data, row))


if __name__ == "__main__":
    main()
