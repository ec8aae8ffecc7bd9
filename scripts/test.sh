#!/usr/bin/env bash
# Installs the pinned runtime and test tools (and axe-core), checks the code with ruff, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
# axe-core, pinned in package.json: the browser test checks every page's accessibility with it.
if command -v npm >/dev/null 2>&1; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
python3 -m ruff check .
python3 -m ruff format --check .
set +e
python3 -m pytest -n 2 "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "Aucun test n'a été exécuté : c'est un échec." >&2
  exit 1
fi
exit "$status"
