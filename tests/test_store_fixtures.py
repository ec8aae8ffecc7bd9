"""The PostgreSQL tests are skipped locally when no server can start, and fail in CI instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ONE_POSTGRES_TEST = (
    "tests/test_store_schema.py::test_a_new_database_is_created_at_the_current_version[postgresql]"
)


def run_without_postgres(require: bool) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "POSTGRES_BIN": "/dossier/absent"}
    environment.pop("REQUIRE_POSTGRES", None)
    if require:
        environment["REQUIRE_POSTGRES"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", ONE_POSTGRES_TEST, "-q", "-n", "0", "-rs", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("require", [False, True])
def test_without_a_server_postgres_tests_skip_locally_and_fail_when_required(require):
    finished = run_without_postgres(require)
    if require:
        assert finished.returncode == 1, finished.stdout
        assert "REQUIRE_POSTGRES=1" in finished.stdout and "binaires introuvables" in finished.stdout
    else:
        assert finished.returncode == 0, finished.stdout
        assert "1 skipped" in finished.stdout and "PostgreSQL ne peut pas démarrer ici" in finished.stdout
