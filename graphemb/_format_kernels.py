"""numba kernels that print float32 vectors as word2vec text, byte for byte like Python's ``"%.9g" % float(v)``.

``"%.9g"`` (nine significant digits: every float32 reads back exactly) is the
word2vec text writer's format.  Python formats one value at a time; these
kernels format a block of rows in parallel into a byte buffer.

Exactness
---------
A float32 is ``m * 2**e`` with integer ``m < 2**24`` and ``-149 <= e <= 104``.
Printing it with nine digits means finding the decimal exponent ``X`` and the
integer ``q`` in ``[10**8, 10**9)`` nearest to ``N = v * 10**(8 - X)``, ties to
even (C's ``printf`` and Python round the exact binary value so).
:func:`format_value` computes ``N`` in float64 (``m * 2**e`` is exact, the
power of ten and the product are correctly rounded: relative error below
``2**-51``, so an absolute error below ``1e-5`` for ``N < 2**34``).  When the
estimate has nine digits and lies at least ``1e-4`` from a half-integer, no
error of that size can move it across one, and it is rounded directly.
Otherwise :func:`nine_digits` corrects the exponent and :func:`scaled_round`
rounds, comparing ``N`` with the midpoint exactly in integer arithmetic
(:func:`compare_with_midpoint`, base ``2**32`` limbs, at most 256 bits) when
the estimate is near it.  No value is left to chance, so no row falls back
to Python.  Near-midpoint estimates are rare in embeddings (about 2 in
10,000 values of N(0, 0.3)) but common among float32 values of 2**12 to
2**21 with few fraction bits, which are exact ties.

Layout: :func:`format_lines` splits a block of rows into chunks, one parallel
task each; a chunk's lines go, packed, into its own region of the output,
sized for the longest text its rows could take (``row_stride``), so no pass
has to measure them first and no bytes are copied twice.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

MAX_VALUE_BYTES = 16  # " -1.23456789e-05" or " -0.000123456789": a separator and at most 15 characters
_LIMBS = 8  # 8 x 32 bits: exact products in the midpoint comparison stay below 2**160
_MASK32 = np.uint64(0xFFFFFFFF)
# correctly rounded float64 powers of ten 10**-60 ... 10**60 (exact up to 10**22)
_POW10 = np.array([float(f"1e{k}") for k in range(-60, 61)], dtype=np.float64)
_POW10_BIAS = 60
# exact float64 powers of two 2**-149 ... 2**104 (every float32 is m * _POW2[e + 149])
_POW2 = np.array([2.0**k for k in range(-149, 105)], dtype=np.float64)
_POW2_BIAS = 149
# floor(log10(2**k)) for k = -149 ... 127: the decimal exponent of 2**k
_DEC_EXP = np.array([math.floor(k * math.log10(2.0)) for k in range(-149, 128)], dtype=np.int64)
# "00" "01" ... "99" as ASCII pairs
_PAIRS = np.array([ord(c) for k in range(100) for c in f"{k:02d}"], dtype=np.uint8)


@njit(cache=True, nogil=True)
def _big_set(out, c, p2, p5):
    """``out = c * 2**p2 * 5**p5`` as little-endian base-2**32 limbs (uint64[_LIMBS]).

    ``c < 2**40``, ``p2, p5 >= 0`` and a product below ``2**(32 * _LIMBS)``.
    O(p5 + p2 / 32) limb operations; no allocation.
    """
    for i in range(_LIMBS):
        out[i] = np.uint64(0)
    out[0] = np.uint64(c) & _MASK32
    out[1] = np.uint64(c) >> np.uint64(32)
    for _ in range(p5):
        carry = np.uint64(0)
        for i in range(_LIMBS):
            t = out[i] * np.uint64(5) + carry
            out[i] = t & _MASK32
            carry = t >> np.uint64(32)
    words = p2 // 32
    bits = p2 % 32
    if words:
        for i in range(_LIMBS - 1, -1, -1):
            out[i] = out[i - words] if i >= words else np.uint64(0)
    if bits:
        carry = np.uint64(0)
        for i in range(_LIMBS):
            t = (out[i] << np.uint64(bits)) | carry
            out[i] = t & _MASK32
            carry = t >> np.uint64(32)


@njit(cache=True, nogil=True)
def compare_with_midpoint(m, e, s, q0, scratch):
    """Sign of ``m * 2**e * 10**s - (q0 + 1/2)``, exactly: -1, 0 or 1.

    Both sides times ``2 * 2**a * 5**b`` (the smallest factor making them
    integers) are built as limbs in ``scratch`` (uint64[2, _LIMBS]) and
    compared from the top.  O(|s| + |e|) operations; no allocation.
    """
    # 2 * m * 2**e * 2**s * 5**s  versus  (2 * q0 + 1)
    p2_left = e + s + 1
    p5_left = s
    p2_right = 0
    p5_right = 0
    if p2_left < 0:
        p2_right = -p2_left
        p2_left = 0
    if p5_left < 0:
        p5_right = -p5_left
        p5_left = 0
    left = scratch[0]
    right = scratch[1]
    _big_set(left, m, p2_left, p5_left)
    _big_set(right, 2 * q0 + 1, p2_right, p5_right)
    for i in range(_LIMBS - 1, -1, -1):
        if left[i] > right[i]:
            return 1
        if left[i] < right[i]:
            return -1
    return 0


@njit(cache=True, nogil=True)
def scaled_round(m, e, s):
    """``m * 2**e * 10**s`` rounded to the nearest integer, ties to even (int64).

    ``m < 2**24``, ``-149 <= e <= 104``, ``|s| <= 60`` and a result below
    ``2**34``.  O(1) time in float64; O(|s| + |e|) time and 128 bytes in the
    rare exact comparison (an estimate within ``1e-4`` of a half-integer).
    """
    y = np.float64(m) * _POW2[e + _POW2_BIAS]
    y = y * _POW10[s + _POW10_BIAS]
    q0 = np.int64(y)  # y > 0: truncation is floor
    r = y - np.float64(q0)
    if abs(r - 0.5) < 1e-4:
        c = compare_with_midpoint(m, e, s, q0, np.empty((2, _LIMBS), dtype=np.uint64))
        if c > 0 or (c == 0 and q0 % 2 == 1):
            return q0 + 1
        return q0
    if r > 0.5:
        return q0 + 1
    return q0


@njit(cache=True, nogil=True)
def nine_digits(m, e, x10):
    """``(q, X)``: ``m * 2**e`` is ``q * 10**(X - 8)`` rounded to nine digits, ``10**8 <= q < 10**9``.

    ``x10`` is an estimate of ``X`` off by at most one; each step moves it
    towards the exponent whose rounding has nine digits (never back: a
    rounding up to ``10**9`` is ``10**8`` one exponent higher).  O(1) time
    (:func:`scaled_round`).
    """
    q = np.int64(0)
    for _ in range(4):
        q = scaled_round(m, e, 8 - x10)
        if q >= 1_000_000_000:
            x10 += 1
        elif q < 100_000_000:
            x10 -= 1
        else:
            break
    return q, x10


@njit(cache=True, nogil=True)
def _leading_zeros64(x):
    """Leading zero bits of the positive int64 ``x`` (as a 64-bit word). O(log 64)."""
    n = 0
    v = np.uint64(x)
    for shift in (32, 16, 8, 4, 2, 1):
        if v >> np.uint64(64 - shift) == np.uint64(0):
            n += shift
            v = v << np.uint64(shift)
    return n


@njit(cache=True, nogil=True)
def _write9(value, out, pos):
    """Write the nine decimal digits of ``value`` (uint64, < 10**9, zero-padded) at ``out[pos:pos + 9]``. O(1)."""
    v = value
    for i in (7, 5, 3, 1):
        k = np.int64(v % np.uint64(100)) * 2
        v = v // np.uint64(100)
        out[pos + i] = _PAIRS[k]
        out[pos + i + 1] = _PAIRS[k + 1]
    out[pos] = np.uint8(48 + v)


@njit(cache=True, nogil=True)
def format_value(bits, out, pos):
    """Write ``"%.9g" % float(v)`` for the float32 ``v`` whose bit pattern is ``bits`` (uint32) into ``out`` (uint8).

    Writes ASCII at ``out[pos:]`` and returns the end: at most 15 bytes.  nan
    (any sign or payload) prints as ``nan``, infinities as ``inf``/``-inf``,
    ``-0.0`` as ``-0``, like Python.  O(1) time; no allocation but the rare
    exact comparison's 128 bytes (:func:`scaled_round`).
    """
    b = np.int64(bits)
    negative = (b >> 31) & 1
    biased = (b >> 23) & 0xFF
    frac = b & 0x7FFFFF
    if biased == 255:
        if frac != 0:
            out[pos] = 110  # n
            out[pos + 1] = 97  # a
            out[pos + 2] = 110  # n
            return pos + 3
        if negative:
            out[pos] = 45
            pos += 1
        out[pos] = 105  # i
        out[pos + 1] = 110  # n
        out[pos + 2] = 102  # f
        return pos + 3
    out[pos] = 45  # '-', also for -0.0 (kept only when negative: no branch)
    pos += negative
    if biased == 0 and frac == 0:
        out[pos] = 48
        return pos + 1
    if biased == 0:
        m = frac
        e = np.int64(-149)
    else:
        m = frac | 0x800000
        e = biased - 150
    # decimal exponent x10 of the value rounded to nine digits: estimate, then correct
    value = np.float64(m) * _POW2[e + _POW2_BIAS]
    e2 = e + 23 if biased else e + 63 - _leading_zeros64(m)  # value in [2**e2, 2**(e2 + 1))
    x10 = _DEC_EXP[e2 + 149]
    x10 += np.int64(value >= _POW10[x10 + 1 + _POW10_BIAS])  # 2**e2 .. 2**(e2 + 1) may hold a power of ten
    # the common case inline: an estimate with nine digits, not near a half-integer, is the answer
    y = value * _POW10[8 - x10 + _POW10_BIAS]
    q = np.int64(y)
    r = y - np.float64(q)
    if 100_000_000.0 <= y < 999_999_999.0 and abs(r - 0.5) >= 1e-4:
        q += np.int64(r > 0.5)  # no branch: r is as likely above as below
    else:  # another exponent, or a rounding the float64 error could flip
        q, x10 = nine_digits(m, e, x10)
    digits = np.uint64(q)
    nd = 9  # significant digits left once trailing zeros are dropped (%g without '#')
    rest = digits
    while rest % np.uint64(10) == np.uint64(0):  # q >= 10**8: stops by nd == 1
        rest //= np.uint64(10)
        nd -= 1
    # All nine digits are always written (a value never needs more than 15 bytes
    # either way); trailing zeros are dropped by moving the end back.
    if -4 <= x10 < 0:  # fixed notation, 0.000ddddddddd
        out[pos] = 48
        out[pos + 1] = 46
        out[pos + 2] = 48
        out[pos + 3] = 48
        out[pos + 4] = 48
        pos += 1 - x10
        _write9(digits, out, pos)
        return pos + nd
    if 0 <= x10 < 9:  # fixed notation, ddd.dddddd
        whole = x10 + 1  # digits before the point
        _write9(digits, out, pos + 1)
        for i in range(whole):
            out[pos + i] = out[pos + i + 1]
        out[pos + whole] = 46
        if nd > whole:
            return pos + nd + 1
        return pos + whole
    # exponent notation: d[.dddddddd]e[+-]XX
    _write9(digits, out, pos + 1)
    out[pos] = out[pos + 1]
    out[pos + 1] = 46
    pos += nd + 1 if nd > 1 else 1
    out[pos] = 101  # e
    exp_negative = x10 < 0
    out[pos + 1] = 45 if exp_negative else 43
    k = (-x10 if exp_negative else x10) * 2  # |x10| <= 45: two digits, as C prints at least two
    out[pos + 2] = _PAIRS[k]
    out[pos + 3] = _PAIRS[k + 1]
    return pos + 4


@njit(cache=True, nogil=True)
def format_values(bits, out):
    """Format each of the float32 bit patterns ``bits`` (uint32[k]) as ``"%.9g"`` into ``out``, one per 16 bytes.

    Returns int64[k] lengths; value ``i`` occupies ``out[16 i : 16 i + lengths[i]]``.
    O(k) time, ``16 k`` bytes of ``out``; for tests and single values.
    """
    lengths = np.empty(bits.size, dtype=np.int64)
    for i in range(bits.size):
        lengths[i] = format_value(bits[i], out, MAX_VALUE_BYTES * i) - MAX_VALUE_BYTES * i
    return lengths


def row_stride(d: int) -> int:
    """Most bytes of one row's values: a separator and 15 characters a value, then the newline (the id aside)."""
    return MAX_VALUE_BYTES * d + 2


@njit(cache=True, nogil=True, parallel=True)
def format_lines(bits, names, name_ends, chunk_rows, chunk_starts, out, chunk_ends):
    """Write the word2vec text lines ``name v1 ... vd\\n`` of a block of rows, chunks of rows in parallel.

    Parameters
    ----------
    bits : uint32[r, d]
        The block's float32 vectors viewed as uint32; each value printed as ``"%.9g"``.
    names : uint8[total id bytes]
        The ids' UTF-8 bytes, concatenated; id ``i`` ends at ``name_ends[i]`` (int64[r]).
    chunk_rows : int
        Rows per chunk; chunk ``c`` holds rows ``c * chunk_rows`` up to the next chunk's.
    chunk_starts : int64[chunks]
        Where chunk ``c`` starts in ``out``: the sum, over earlier rows, of the
        row's id bytes plus ``row_stride(d)`` (a row's most bytes).
    out : uint8[chunk_starts[-1] + the last chunk's most bytes]
    chunk_ends : int64[chunks]
        Filled with where each chunk's text ends: chunk ``c``'s lines, packed,
        are ``out[chunk_starts[c] : chunk_ends[c]]``.

    O(r d) time; memory: ``out`` (at most ``16 d + 2`` bytes a row beyond the
    ids).
    """
    r, d = bits.shape
    for c in prange(chunk_starts.size):
        pos = chunk_starts[c]
        for i in range(c * chunk_rows, min(r, (c + 1) * chunk_rows)):
            name_start = name_ends[i - 1] if i > 0 else 0
            name_end = name_ends[i]
            out[pos : pos + name_end - name_start] = names[name_start:name_end]
            pos += name_end - name_start
            out[pos] = 32  # the space after the id (alone when d == 0, as "%s \n" wrote)
            pos += 1
            for j in range(d):
                if j:
                    out[pos] = 32
                    pos += 1
                pos = format_value(bits[i, j], out, pos)
            out[pos] = 10
            pos += 1
        chunk_ends[c] = pos
