#!/usr/bin/env bash
# Build the anchors' own virtual environment (.venv-anchors): PecanPy, gensim,
# fastnode2vec and GRAPE, compared against graphemb in benchmarks/*.py.
# They are never graphemb dependencies; PecanPy pins numpy < 2 (through nptyping),
# so they live apart and run as separate processes.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="${ANCHORS_VENV:-$here/.venv-anchors}"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q "numpy<2" "pecanpy==2.0.9" "gensim>=4.3" "fastnode2vec" "scikit-learn" "pandas" "networkx"
"$venv/bin/pip" install -q "grape" "numpy<2" || echo "warning: grape failed to install; its rows will be skipped" >&2
"$venv/bin/python" -c "import pecanpy, gensim, numpy; print('anchors ready: pecanpy', pecanpy.__version__ if hasattr(pecanpy,'__version__') else '?', 'gensim', gensim.__version__, 'numpy', numpy.__version__)"
