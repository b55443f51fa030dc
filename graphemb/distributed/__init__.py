"""graphemb beyond one machine, on Dask distributed (optional extra ``graphemb[distributed]``).

``graphemb.distributed.training.DaskExecutor`` runs partitioned SGNS training
(``SGNS(partitions=P)``) on a Dask cluster (docs/partitioned.md).  The core package never
imports this package nor Dask; importing it without ``distributed`` installed raises an
ImportError saying what to install.
"""

from __future__ import annotations

from .training import DaskExecutor

__all__ = ["DaskExecutor"]
