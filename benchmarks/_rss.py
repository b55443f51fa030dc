"""Peak resident memory of the calling process, for the benchmarks that measure it in a child.

A child's ``ru_maxrss`` is not its own: Linux keeps the memory high-water mark across fork and
exec, so it starts from the parent's peak (a parent that built a graph or corpus before starting
the child would be measured instead). ``VmHWM`` in ``/proc/self/status`` belongs to the address
space and starts afresh at exec.
"""

from __future__ import annotations

import resource


def peak_rss_bytes() -> int:
    """Peak RSS of this process in bytes: ``VmHWM``, else ``ru_maxrss`` where ``/proc`` is missing."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
