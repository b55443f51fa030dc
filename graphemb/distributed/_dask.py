"""The one import of Dask distributed in graphemb, with the message that says what to install.

``graphemb.distributed.walks`` and ``graphemb.distributed.training`` import
``Client``, ``as_completed``, ``get_worker`` and ``wait`` from here, so that a missing
extra fails the same way whichever part a user imports first.
"""

from __future__ import annotations

try:
    from distributed import Client, as_completed, get_worker, wait
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "graphemb.distributed needs Dask distributed, which is not installed: "
        "pip install 'graphemb[distributed]' (dask[distributed] and fsspec)."
    ) from exc

__all__ = ["Client", "as_completed", "get_worker", "wait"]
