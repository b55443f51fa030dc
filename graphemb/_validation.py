"""Parameter checks shared by every public entry point (scikit-learn style messages)."""

from __future__ import annotations

import numbers
import os
from typing import Any

__all__ = [
    "check_int",
    "check_float",
    "check_bool",
    "check_workers",
    "check_choice",
    "check_seed",
]


def _where(owner: str | None) -> str:
    return f" of {owner}" if owner else ""


def check_int(value: Any, name: str, owner: str | None = None, minimum: int = 1, maximum: int | None = None) -> int:
    """Return ``value`` as int if it is an integer in ``[minimum, maximum]``.

    Raises
    ------
    ValueError
        ``"The 'walk_length' parameter of random_walks must be an int >= 1. Got 0 instead."``
    """
    bound = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if ok:
        value = int(value)
        ok = value >= minimum and (maximum is None or value <= maximum)
    if not ok:
        raise ValueError(f"The '{name}' parameter{_where(owner)} must be an int {bound}. Got {value!r} instead.")
    return value


def check_float(
    value: Any,
    name: str,
    owner: str | None = None,
    minimum: float = 0.0,
    inclusive: bool = False,
    maximum: float | None = None,
) -> float:
    """Return ``value`` as float if it is a finite real ``> minimum`` (``>=`` when ``inclusive``).

    Raises
    ------
    ValueError
        ``"The 'p' parameter of random_walks must be a finite float > 0. Got -1 instead."``
    """
    op = ">=" if inclusive else ">"
    bound = f"{op} {minimum:g}" + ("" if maximum is None else f" and <= {maximum:g}")
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        v = float(value)
        ok = (v == v) and v not in (float("inf"), float("-inf"))
        ok = ok and (v >= minimum if inclusive else v > minimum) and (maximum is None or v <= maximum)
    if not ok:
        raise ValueError(
            f"The '{name}' parameter{_where(owner)} must be a finite float {bound}. Got {value!r} instead."
        )
    return float(value)


def check_bool(value: Any, name: str, owner: str | None = None) -> bool:
    """Return ``value`` if it is a bool (numpy bools accepted)."""
    if not isinstance(value, (bool,)) and type(value).__name__ != "bool_":
        raise ValueError(f"The '{name}' parameter{_where(owner)} must be a bool. Got {value!r} instead.")
    return bool(value)


def check_choice(value: Any, name: str, choices: tuple, owner: str | None = None) -> Any:
    """Return ``value`` if it is one of ``choices``."""
    if value not in choices:
        opts = ", ".join(repr(c) for c in choices)
        raise ValueError(f"The '{name}' parameter{_where(owner)} must be one of {opts}. Got {value!r} instead.")
    return value


def check_seed(value: Any, name: str = "seed", owner: str | None = None, allow_none: bool = True) -> int | None:
    """Return ``value`` as int if it is a non-negative integer (or None when ``allow_none``).

    Raises
    ------
    ValueError
        ``"The 'seed' parameter of Node2Vec must be a non-negative int or None. Got -1 instead."``
    """
    if value is None and allow_none:
        return None
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) >= 0
    if not ok:
        what = "a non-negative int or None" if allow_none else "a non-negative int"
        raise ValueError(f"The '{name}' parameter{_where(owner)} must be {what}. Got {value!r} instead.")
    return int(value)


def check_workers(workers: Any, owner: str | None = None) -> int:
    """Resolve ``workers`` (None = all cores numba may use) to a thread count >= 1."""
    import numba

    limit = int(numba.config.NUMBA_NUM_THREADS)
    if workers is None:
        return max(1, min(limit, os.cpu_count() or 1))
    workers = check_int(workers, "workers", owner, minimum=1)
    return min(workers, limit)
