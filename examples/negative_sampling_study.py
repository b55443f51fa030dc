"""Why negative sampling works: graphemb's measured study (docs/negative-sampling.md).

Quick (seconds, used by the tests)::

    python examples/negative_sampling_study.py --quick --out /tmp/ns-quick

Full size (PPI and BlogCatalog from $GRAPHEMB_DATA; tens of minutes on 2 cores)::

    python examples/negative_sampling_study.py --out docs/img/negative-sampling

The work is done by :mod:`graphemb.experiments.negative_sampling_study`; this file
only forwards the command line.  The tables (CSV, summary.md) need only
``pip install .``; without matplotlib the plots are skipped with one line.
"""

from __future__ import annotations

import importlib.util
import sys

from graphemb.experiments.negative_sampling_study import main
from graphemb.plotting import PLOT_INSTALL_HINT

if __name__ == "__main__":
    argv = sys.argv[1:]
    if importlib.util.find_spec("matplotlib") is None and "--no-plots" not in argv:
        print(PLOT_INSTALL_HINT)
        argv.append("--no-plots")
    sys.exit(main(argv))
