"""graphemb beyond one machine, on Dask distributed (optional extra ``graphemb[distributed]``).

``graphemb.distributed.random_walks(graph, client, output, ...)`` generates the
walks of :func:`graphemb.random_walks` on a Dask cluster and writes them as walk
shards (docs/distributed.md).  The core package never imports this package nor
Dask; importing it without ``distributed`` installed raises an ImportError
saying what to install.
``graphemb.distributed.training.DaskExecutor`` runs partitioned SGNS training
(``SGNS(partitions=P)``) on a Dask cluster (docs/partitioned.md).
"""

from __future__ import annotations

from .training import DaskExecutor
from .walks import random_walks

__all__ = ["DaskExecutor", "random_walks"]
