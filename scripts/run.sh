#!/usr/bin/env bash
# Installs the pinned runtime and starts the dashboard on the bundled sample inventory.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -r requirements.txt
export OPENBLAS_NUM_THREADS=1  # small numpy calls stall on two BLAS threads under load
exec python3 -m streamlit run app.py "$@"
