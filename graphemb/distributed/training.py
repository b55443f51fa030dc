"""Partitioned SGNS training on a Dask cluster (the executor of ``SGNS(partitions=P)``).

Use it through the trainer or the models::

    from graphemb.distributed.training import DaskExecutor
    SGNS(partitions=8, partition_options={"workdir": "/shared/run1", "executor": DaskExecutor("tcp://host:8786")})
    Node2Vec(partitions=8, partition_options={"workdir": "/shared/run1", "scheduler": "tcp://host:8786"})

The orchestration (partitioning, pair extraction into bucket files, schedule, checkpoints) is
:mod:`graphemb.sgns.partitioned`, run in the client process; this module only runs the bucket
chunks.  Design (docs/partitioned.md):

* **Tasks, not actors.**  Each bucket chunk is one task
  (:func:`graphemb.sgns.partitioned.bucket_task_on_files`).  Its inputs are immutable block
  files (``in_i`` and ``out_j`` at the versions the previous tasks produced, passed as the
  futures of those tasks) and its outputs are new block files under the next version's name,
  written atomically.  An input is never modified: the update goes to a copy.
* **A lost worker** makes the scheduler rerun its tasks (and, if the results it held are lost,
  the tasks that produced them) from the inputs' committed versions; a rerun writes the same
  bytes to the same names, so no update is ever applied twice.
* **Checkpoints**: after every chunk (``P`` rounds) the client gathers the results and the
  orchestrator writes ``checkpoint.json`` on the shared ``workdir``; a later run on the same
  ``workdir`` (same corpus and parameters) resumes there, even on another cluster.
* **Threads**: the bucket kernel is serial numba code compiled ``nogil``; several threads per
  worker may run buckets of one round at once (they touch different arrays), so workers need no
  numba threading layer.  One thread per worker and one worker per core is the simple set-up.

Every worker must see ``workdir`` at the same path (a shared file system); this is checked
before the first task.  The result for a seed is bit-for-bit the one of the in-process
executors, whatever the number of workers (tests/test_partitioned.py).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from ..sgns.partitioned import (
    BucketTask,
    PartitionJob,
    PartitionPlan,
    assemble_from_files,
    bucket_task_on_files,
)
from ._dask import Client, as_completed

__all__ = ["DaskExecutor", "resolve_partition_options"]

logger = logging.getLogger(__name__)


def _run_bucket(job: PartitionJob, task: BucketTask, src_in: Any, src_out: Any) -> dict:
    """Task body: ``src_*`` is a committed version (int) or the result dict of the task that made it."""
    in_version = src_in if isinstance(src_in, int) else int(src_in["version"])
    out_version = src_out if isinstance(src_out, int) else int(src_out["version"])
    return bucket_task_on_files(job, task, in_version, out_version)


def _check_workdir(path: str) -> tuple[str, bool]:
    import socket

    return socket.gethostname(), os.path.isfile(os.path.join(path, "run.json")) and os.access(path, os.W_OK)


class DaskExecutor:
    """Run the bucket chunks of partitioned SGNS as Dask tasks.

    Parameters
    ----------
    scheduler : str or distributed.Client
        A scheduler address (``"tcp://host:8786"``; a client is opened and closed by the
        executor) or an existing client (left open).
    timeout : float, default 30
        Seconds to wait for the scheduler.

    Attributes
    ----------
    stats : dict
        ``bytes_read`` and ``bytes_written`` (block files), ``tasks``.
    """

    persistent = True

    def __init__(self, scheduler: str | Client, timeout: float = 30.0) -> None:
        if not isinstance(scheduler, (str, Client)):
            raise ValueError(
                f"The 'scheduler' of DaskExecutor must be an address string or a distributed.Client. "
                f"Got {scheduler!r} instead."
            )
        self.scheduler = scheduler
        self.timeout = timeout
        self.stats = {"bytes_read": 0, "bytes_written": 0, "tasks": 0}
        self.client: Client | None = None
        self._own = False

    def start(self, job: PartitionJob, versions: dict) -> None:
        """Connect, check that every worker sees ``job.workdir``, remember the committed versions."""
        if isinstance(self.scheduler, Client):
            self.client = self.scheduler
        else:
            try:
                self.client = Client(self.scheduler, timeout=self.timeout)
            except OSError as exc:
                raise OSError(f"cannot reach the Dask scheduler at {self.scheduler}: {exc}") from None
            self._own = True
        seen = self.client.run(_check_workdir, job.workdir)
        if not seen:
            raise OSError(f"the Dask cluster at {self.client.scheduler.address} has no workers.")
        bad = [f"{addr} ({host})" for addr, (host, ok) in seen.items() if not ok]
        if bad:
            raise OSError(
                f"workers {', '.join(bad)} cannot read and write the workdir {job.workdir}; partitioned training "
                "needs a folder every worker sees at the same path (a shared file system)."
            )
        self.job = job
        self.versions = {kind: list(v) for kind, v in versions.items()}

    def run_chunk(self, rounds: list[list[BucketTask]], progress: Any = None) -> tuple[float, int]:
        """Submit the ``P x P`` tasks of one chunk with their dependencies; wait for all of them."""
        assert self.client is not None
        last_in: dict[int, Any] = dict(enumerate(self.versions["in"]))
        last_out: dict[int, Any] = dict(enumerate(self.versions["out"]))
        futures = []
        for tasks in rounds:
            for task in tasks:
                fut = self.client.submit(
                    _run_bucket, self.job, task, last_in[task.i], last_out[task.j], pure=False,
                    key=f"graphemb-bucket-v{task.version}-{task.i}-{task.j}-{os.urandom(4).hex()}",
                )  # fmt: skip
                last_in[task.i] = fut
                last_out[task.j] = fut
                futures.append(fut)
        if progress is not None:
            for fut in as_completed(futures):
                if fut.status == "finished":
                    progress(fut.result()["pairs"])
        results = self.client.gather(futures)
        loss, pairs = 0.0, 0
        for res in results:  # task order: the sums do not depend on the workers
            loss += res["loss"]
            pairs += res["pairs"]
            self.stats["bytes_read"] += res["bytes_read"]
            self.stats["bytes_written"] += res["bytes_written"]
            self.versions["in"][res["i"]] = res["version"]
            self.versions["out"][res["j"]] = res["version"]
        self.stats["tasks"] += len(results)
        del futures, last_in, last_out
        return loss, pairs

    def commit(self) -> dict:
        """The versions every block has reached (all written by the finished tasks)."""
        return {kind: list(v) for kind, v in self.versions.items()}

    def assemble(self, plan: PartitionPlan, num_nodes: int) -> tuple[Any, Any]:
        """Final tables in node order, written to the workdir and memory-mapped."""
        return assemble_from_files(self.job, self.commit(), plan, num_nodes)

    def close(self) -> None:
        if self._own and self.client is not None:
            self.client.close()
        self.client = None


def resolve_partition_options(options: dict | None) -> dict | None:
    """Turn ``{"scheduler": address}`` into ``{"executor": DaskExecutor(address)}`` (models, CLI)."""
    if not options or options.get("scheduler") is None:
        return options
    out = {k: v for k, v in options.items() if k != "scheduler"}
    out["executor"] = DaskExecutor(options["scheduler"])
    return out
