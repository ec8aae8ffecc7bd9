"""Test settings shared by every test module."""

from __future__ import annotations

import os
import tempfile

from hypothesis import settings

# The dashboard's store (working states, workshops) lives in a throwaway folder during tests,
# never in the repository's donnees/ (the browser test's server inherits it).
os.environ.setdefault("PRIORISATION_DONNEES", tempfile.mkdtemp(prefix="priorisation-tests-"))

# Timings never decide a test: a slow first example (imports, a busy CI machine) is not a failure.
# On a developer's machine Hypothesis draws new examples at each run (and keeps any failure in
# .hypothesis/); in CI (.ci/run sets PRIORISATION_HYPOTHESIS=ci) the draw is fixed, so CI's
# verdict depends on the commit, not on the dice.
settings.register_profile("sans-chrono", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("PRIORISATION_HYPOTHESIS") == "ci" else "sans-chrono")

# The stores the store tests run against: SQLite, and PostgreSQL when a server can start.
# The browser tests' Debian chromium and `streamlit run` server (tests/browser.py).
from tests.browser import browser_path, server_url  # noqa: E402, F401
from tests.store_fixtures import clock, postgres_server, postgres_url, store, store_settings  # noqa: E402, F401
