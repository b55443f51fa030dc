"""Refuse allocations that cannot fit, before making them (CONTRACTS.md, Resources)."""

from __future__ import annotations

import os

__all__ = ["available_memory", "check_allocation", "format_bytes", "peak_rss"]


def available_memory() -> int | None:
    """Bytes of memory available to this process, or None if unknown.

    Reads ``MemAvailable`` from ``/proc/meminfo`` (Linux), bounded by a cgroup
    limit when one is set; falls back to ``os.sysconf`` pages.
    """
    avail = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    if avail is None:
        try:
            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            avail = None
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as f:
                raw = f.read().strip()
            if raw.isdigit():
                limit = int(raw)
                if limit < 2**60:
                    avail = limit if avail is None else min(avail, limit)
        except OSError:
            continue
    return avail


def format_bytes(n: float) -> str:
    """Human-readable size, e.g. ``'1.5 GiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} TiB"


def check_allocation(nbytes: int, what: str, alternative: str, fraction: float = 0.8) -> None:
    """Raise ``MemoryError`` if ``nbytes`` exceeds ``fraction`` of available memory.

    Parameters
    ----------
    nbytes : int
        Estimated size of the allocation.
    what : str
        What is being allocated (e.g. ``"the walk corpus (1,000,000 walks x 80 steps)"``).
    alternative : str
        The cheaper way to do it, shown to the user (e.g. ``"use iter_random_walks"``).
    fraction : float
        Share of available memory one allocation may take.

    Raises
    ------
    MemoryError
        With the estimate, the budget and the alternative in the message.
    """
    avail = available_memory()
    if avail is None:
        return
    budget = int(avail * fraction)
    if nbytes > budget:
        raise MemoryError(
            f"{what} needs about {format_bytes(nbytes)}, more than the {format_bytes(budget)} "
            f"this machine can spare ({format_bytes(avail)} available). {alternative}"
        )


def peak_rss() -> str:
    """Peak resident memory of this process so far, formatted (``'?'`` where the OS does not say)."""
    try:
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return format_bytes(peak if sys.platform == "darwin" else peak * 1024)  # macOS: bytes; Linux: KiB
    except (ImportError, OSError, ValueError):
        return "?"
