"""Counter-based random streams for numba kernels.

Every random draw in graphemb's kernels comes from a *stream* identified by
``(seed, stream_id)``: a walk's stream is ``(seed, walk_index)``, a training
thread's stream is ``(seed, epoch, block)``.  Because a stream depends only on
its identifiers, results do not depend on how work is split across threads.

The generator is SplitMix64 (Steele, Lea & Flood, "Fast splittable
pseudorandom number generators", OOPSLA 2014, doi:10.1145/2660193.2660195):
the state advances by a fixed odd increment and each output is a bijective
mix of the state.  It passes BigCrush, costs a few integer operations per draw
and needs 8 bytes of state, so a stream is a single ``uint64`` that kernels
thread through their loops (``state, x = next_u64(state)``).

All functions are ``@njit(cache=True, nogil=True)`` and work on ``np.uint64``
scalars only; mixing signed and unsigned integers in numba silently promotes to
float64, so every constant here is an explicit ``np.uint64``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._validation import check_seed

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True, nogil=True)
def mix64(z):
    """Bijective 64-bit finaliser of SplitMix64.

    Parameters
    ----------
    z : np.uint64

    Returns
    -------
    np.uint64
        Well-mixed 64-bit value.  O(1).
    """
    z = np.uint64(z)
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, nogil=True)
def stream_state(seed, stream):
    """Initial state of the stream ``(seed, stream)``.

    Parameters
    ----------
    seed : np.uint64
        Run seed (already reduced to 64 bits).
    stream : np.uint64 or int
        Stream identifier, e.g. a global walk index.

    Returns
    -------
    np.uint64
        State to pass to :func:`next_u64` and friends.  O(1).
    """
    return mix64(np.uint64(seed) ^ mix64(np.uint64(stream) + _GOLDEN))


@njit(cache=True, nogil=True)
def stream_state2(seed, a, b):
    """Initial state of the two-level stream ``(seed, a, b)``; O(1)."""
    return stream_state(stream_state(seed, a), b)


@njit(cache=True, nogil=True)
def next_u64(state):
    """Advance ``state``; return ``(new_state, 64 random bits)``.  O(1)."""
    state = np.uint64(state) + _GOLDEN
    return state, mix64(state)


@njit(cache=True, nogil=True)
def next_float(state):
    """Return ``(new_state, u)`` with ``u`` uniform on [0, 1) (53-bit float64).  O(1)."""
    state, x = next_u64(state)
    return state, float(x >> _S11) * _INV53


@njit(cache=True, nogil=True)
def next_below(state, n):
    """Return ``(new_state, k)`` with ``k`` uniform on ``0..n-1`` (``n >= 1``).

    Uses the top 53 bits scaled by ``n`` (bias below ``n / 2**53``, far under
    anything a statistical test can see for ``n < 2**31``).  O(1).
    """
    state, u = next_float(state)
    k = np.int64(u * n)
    if k >= n:  # guard against rounding at u -> 1
        k = n - 1
    return state, k


def normalize_seed(seed: int | None, owner: str | None = None) -> tuple[int, np.uint64]:
    """Turn a user seed into ``(seed_, kernel_seed)``.

    Parameters
    ----------
    seed : int or None
        Non-negative integer, or None to draw fresh entropy from the OS.
    owner : str, optional
        The public function or class, named in the error message.

    Returns
    -------
    seed_ : int
        The seed actually used (recorded by estimators so a run can be replayed).
    kernel_seed : np.uint64
        The 64-bit value kernels receive.

    Raises
    ------
    ValueError
        If ``seed`` is negative or not an integer.
    """
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    seed = check_seed(seed, "seed", owner)
    return seed, np.uint64(seed % (2**64))
