"""Why negative sampling works: graphemb's measured study (docs/negative-sampling.md).

Quick (seconds, used by the tests)::

    python examples/negative_sampling_study.py --quick --out /tmp/ns-quick

Full size (PPI and BlogCatalog from $GRAPHEMB_DATA; tens of minutes on 2 cores)::

    python examples/negative_sampling_study.py --out docs/img/negative-sampling

The work is done by :mod:`graphemb.experiments.negative_sampling_study`; this file
only forwards the command line.
"""

from __future__ import annotations

import sys

from graphemb.experiments.negative_sampling_study import main

if __name__ == "__main__":
    sys.exit(main())
