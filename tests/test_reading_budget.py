"""A hostile file under the upload limit is refused within a bounded memory (issue 9 item 3).

The inventory is loaded in a fresh process whose peak resident memory (VmHWM) is read back:
before, a 0.4 MB CSV with one row of 200 000 separators took 1.6 GB, padded row by row.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from prioritisation.reading.untrusted import MB

ROOT = Path(__file__).resolve().parents[1]
CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from prioritisation.reading.inventory import load_inventory
from prioritisation.reading.untrusted import FileRefused

def high_water():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

data = sys.stdin.buffer.read()
before = high_water()
try:
    load_inventory(data, sys.argv[2])
    outcome = "read"
except FileRefused as refused:
    outcome = str(refused)
print(json.dumps({"outcome": outcome, "before": before, "peak": high_water()}))
"""


def read_in_a_fresh_process(data: bytes, name: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), name],
        input=data,
        capture_output=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc to read peak memory")
@pytest.mark.parametrize(
    ("data", "refusal"),
    [
        (b";" * 200_000 + b"\n" + b"a;b\n" * 50_000, "au-delà de la limite de 16 384 colonnes"),
        (b"ab;" * 6_600_000 + b"\n", "au-delà de la limite de 16 384 colonnes"),
        ((b";" * 16_000 + b"\n") * 1_200, "au-delà de la limite de 1 000 000 cellules"),
    ],
    ids=["issue-9-file", "one-line-of-6.6-million-values", "wide-rows-past-the-cell-budget"],
)
def test_a_crafted_csv_under_the_upload_limit_is_refused_within_bounded_memory(data, refusal):
    assert len(data) < 20 * MB
    measured = read_in_a_fresh_process(data, "inventaire.csv")
    assert refusal in str(measured["outcome"]).replace("\u202f", " ")
    assert measured["peak"] < 300, measured  # MB, imports included; 500 MB is the bound
