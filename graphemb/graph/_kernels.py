"""numba kernels of the edge-list reader: a parallel parser for integer edge lists.

The fast path of :func:`graphemb.graph.io.read_edgelist`.  It accepts only the plain case
(two integer ids per line, optionally a simple decimal weight, a one-character or
whitespace separator, ``#``-style comments, blank lines, CRLF endings) and reports failure
for anything else, so that the reader falls back to pandas, whose path handles string ids
and names the offending file and line in its errors.  Whatever the fast path accepts, it
parses to the same numbers as that path (weights correctly rounded, like Python's
``float``).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

_NL = 10
_CR = 13
_SPACE = 32
_TAB = 9
_MAX_INT_DIGITS = 18  # int64 without overflow checks
_MAX_MANTISSA = 2**53
# exact float64 powers of ten (10**22 is the largest exactly representable)
_POW10 = np.array([10.0**k for k in range(23)], dtype=np.float64)


@njit(cache=True, nogil=True)
def count_lines(buf, start, end):
    """Number of ``\\n`` bytes in ``buf[start:end]``.  O(end - start) time, no memory."""
    c = 0
    for i in range(start, end):
        if buf[i] == _NL:
            c += 1
    return c


@njit(cache=True, nogil=True)
def _parse_float(buf, i, end, pow10):
    """``(value, next_index, ok)`` for a decimal ``[+-]?d*[.d*]([eE][+-]?d+)?`` on the exact fast path.

    ``ok`` is False when the value is not exactly ``m * 10**e`` with ``m < 2**53`` and
    ``|e| <= 22`` (then one IEEE multiply or divide is correctly rounded, Clinger's fast
    path); the caller then falls back to the general parser.
    """
    neg = False
    if i < end and (buf[i] == 43 or buf[i] == 45):
        neg = buf[i] == 45
        i += 1
    m = np.int64(0)
    nd = 0
    exp10 = 0
    while i < end and 48 <= buf[i] <= 57:
        if nd < 19:
            m = m * 10 + (buf[i] - 48)
        nd += 1
        i += 1
    if i < end and buf[i] == 46:  # .
        i += 1
        while i < end and 48 <= buf[i] <= 57:
            if nd < 19:
                m = m * 10 + (buf[i] - 48)
            nd += 1
            exp10 -= 1
            i += 1
    if nd == 0 or nd >= 19:
        return 0.0, i, False
    if i < end and (buf[i] == 101 or buf[i] == 69):  # e E
        i += 1
        eneg = False
        if i < end and (buf[i] == 43 or buf[i] == 45):
            eneg = buf[i] == 45
            i += 1
        e = 0
        ne = 0
        while i < end and 48 <= buf[i] <= 57:
            e = e * 10 + (buf[i] - 48)
            ne += 1
            i += 1
        if ne == 0 or ne > 3:
            return 0.0, i, False
        exp10 += -e if eneg else e
    if m >= _MAX_MANTISSA or exp10 < -22 or exp10 > 22:
        return 0.0, i, False
    v = float(m)
    if exp10 >= 0:
        v = v * pow10[exp10]
    else:
        v = v / pow10[-exp10]
    return (-v if neg else v), i, True


@njit(cache=True, nogil=True, inline="always")
def _store_int(src, dst, k, field, v, neg, nd):
    """Store the integer field just read (``nd`` digits, value ``v``) as edge ``k``'s source or target.

    Returns False (nothing stored) when the field has no digit or more than
    ``_MAX_INT_DIGITS``.  O(1).
    """
    if nd == 0 or nd > _MAX_INT_DIGITS:
        return False
    if field == 0:
        src[k] = -v if neg else v
    else:
        dst[k] = -v if neg else v
    return True


@njit(cache=True, nogil=True)
def parse_block(buf, start, end, sep, comment, ncols, src, dst, w, out):
    """Parse the lines of ``buf[start:end]`` into ``src, dst (, w)[out:]``.

    Parameters
    ----------
    buf : ndarray of uint8
        File bytes.
    start, end : int
        A range of whole lines.
    sep : int
        Separator byte, or -1 for runs of spaces and tabs.
    comment : int
        Comment byte (rest of the line ignored), or -1.
    ncols : int
        2 (``source target``) or 3 (``source target weight``).
    src, dst : ndarray of int64
    w : ndarray of float64 (length >= 1; written only when ``ncols == 3``)
    out : int
        First output slot.

    Returns
    -------
    count : int
        Edges written (``>= 0``), or ``-1 - line`` for the first line (0-based within the
        range) outside the fast path.

    Notes
    -----
    One pass over the bytes, a state machine with the integer fields parsed in line
    (no call per byte): O(end - start) time, no memory beyond the outputs.
    """
    k = out
    line = 0
    field = 0  # fields completed on this line
    in_tok = False  # an integer field is being read
    pending = False  # an explicit separator was read: a field must follow
    in_comment = False
    neg = False
    v = np.int64(0)
    nd = 0
    i = start
    while i < end:
        c = buf[i]
        if in_tok and 48 <= c <= 57:  # the common byte first
            v = v * 10 + (c - 48)
            nd += 1
            i += 1
            continue
        if c == _NL or in_comment or c == comment or c == _SPACE or c == _CR or c == _TAB or c == sep:
            if in_tok:  # close the integer field
                if not _store_int(src, dst, k, field, v, neg, nd):
                    return -1 - line
                field += 1
                in_tok = False
                pending = False
            if c == _NL:
                if pending or (field != 0 and field != ncols):
                    return -1 - line
                if field == ncols:
                    k += 1
                field = 0
                in_comment = False
                line += 1
            elif in_comment:
                pass
            elif c == comment:
                in_comment = True
            elif c == sep:
                if field == 0 or pending:
                    return -1 - line  # an empty field
                pending = True
            i += 1
            continue
        if in_tok:
            return -1 - line  # e.g. "12a"
        # a field starts here
        if field >= ncols or (sep >= 0 and field > 0 and not pending):
            return -1 - line
        if field < 2:
            in_tok = True
            v = np.int64(0)
            nd = 0
            neg = c == 45
            if c == 43 or c == 45:  # + -
                i += 1
                continue
            if not 48 <= c <= 57:
                return -1 - line
            continue  # the digit is read by the in_tok branch
        x, j, ok = _parse_float(buf, i, end, _POW10)
        if not ok:
            return -1 - line
        w[k] = x
        field += 1
        pending = False
        i = j
    if in_tok:
        if not _store_int(src, dst, k, field, v, neg, nd):
            return -1 - line
        field += 1
    if pending or (field != 0 and field != ncols):
        return -1 - line
    if field == ncols:
        k += 1
    return k - out


@njit(cache=True, nogil=True, parallel=True)
def parse_edges(buf, starts, line_counts, sep, comment, ncols):
    """Parse blocks ``buf[starts[b]:starts[b + 1]]`` in parallel.

    Parameters
    ----------
    buf : ndarray of uint8
    starts : ndarray of int64, shape (B + 1,)
        Block boundaries, each just after a ``\\n`` (or 0 / ``len(buf)``).
    line_counts : ndarray of int64, shape (B,)
        Lines in each block (an upper bound of its edges).
    sep, comment, ncols
        As for :func:`parse_block`.

    Returns
    -------
    src, dst : ndarray of int64, shape (E,)
    w : ndarray of float64, shape (E,) (empty when ``ncols == 2``)
    bad_line : int
        -1, or the 0-based line (from ``starts[0]``) of the first line outside the fast path
        (then the arrays are meaningless).

    Notes
    -----
    O(len(buf)) time over the threads; memory 16 or 24 bytes per line, then the compacted
    copy.
    """
    nb = starts.shape[0] - 1
    slot = np.zeros(nb + 1, dtype=np.int64)
    for b in range(nb):
        slot[b + 1] = slot[b] + line_counts[b]
    cap = slot[nb]
    src = np.empty(cap, dtype=np.int64)
    dst = np.empty(cap, dtype=np.int64)
    w = np.empty(cap if ncols == 3 else 1, dtype=np.float64)
    got = np.empty(nb, dtype=np.int64)
    for b in prange(nb):
        got[b] = parse_block(buf, starts[b], starts[b + 1], sep, comment, ncols, src, dst, w, slot[b])
    bad = -1
    for b in range(nb):
        if got[b] < 0:
            bad = slot[b] + (-1 - got[b])
            break
    if bad >= 0:
        return src[:0], dst[:0], w[:0], bad
    full = True
    for b in range(nb):
        full = full and got[b] == line_counts[b]
    if full:  # every line was an edge: the blocks are contiguous already
        return src, dst, w[: cap if ncols == 3 else 0], bad
    total = 0
    for b in range(nb):
        total += got[b]
    s2 = np.empty(total, dtype=np.int64)
    d2 = np.empty(total, dtype=np.int64)
    w2 = np.empty(total if ncols == 3 else 0, dtype=np.float64)
    pos = 0
    for b in range(nb):
        a = slot[b]
        for j in range(got[b]):
            s2[pos + j] = src[a + j]
            d2[pos + j] = dst[a + j]
            if ncols == 3:
                w2[pos + j] = w[a + j]
        pos += got[b]
    return s2, d2, w2, bad


@njit(cache=True, nogil=True, parallel=True)
def split_blocks(buf, start, nblocks):
    """Cut ``buf[start:]`` into about ``nblocks`` ranges of whole lines.

    Returns
    -------
    starts : ndarray of int64, shape (B + 1,)
        Block boundaries (each just after a ``\\n``; ``starts[-1] == len(buf)``).
    line_counts : ndarray of int64, shape (B,)
        Lines in each block (the last block's last line may lack its ``\\n``).

    Notes
    -----
    O(len(buf)) time (the newline count, in parallel), O(nblocks) memory.
    """
    n = buf.shape[0]
    size = max((n - start) // max(nblocks, 1), 1)
    cuts = np.empty(nblocks + 1, dtype=np.int64)
    cuts[0] = start
    m = 1
    pos = start
    for b in range(1, nblocks):
        target = start + b * size
        if target <= pos:
            continue
        i = target
        while i < n and buf[i - 1] != _NL:
            i += 1
        if i >= n:
            break
        cuts[m] = i
        m += 1
        pos = i
    cuts[m] = n
    starts = cuts[: m + 1].copy()
    counts = np.empty(m, dtype=np.int64)
    for b in prange(m):
        counts[b] = count_lines(buf, starts[b], starts[b + 1])
    if n > start and buf[n - 1] != _NL:
        counts[m - 1] += 1
    return starts, counts


@njit(cache=True, nogil=True, parallel=True)
def build_csr_unweighted(src, dst, n, symmetric, drop_loops, nchunks):
    """CSR rows (sorted, duplicates merged) of an unweighted edge list.

    Parameters
    ----------
    src, dst : ndarray of int32 or int64, shape (k,)
        Endpoint rows in ``[0, n)`` (checked by the caller).
    n : int
    symmetric : bool
        Store every edge ``u -- v`` in both rows (undirected graph); a self-loop once.
    drop_loops : bool
        Leave out edges ``u -- u``.
    nchunks : int
        Edge ranges counted and scattered in parallel (the number of threads).

    Returns
    -------
    indptr : ndarray of int64, shape (n + 1,)
    indices : ndarray of int32, shape (nnz,)
        Row ``u`` holds its distinct neighbours in ascending order (what
        :func:`graphemb.graph.convert.from_edge_arrays` builds with sorts).
    loops : int
        Self-loops kept.

    Notes
    -----
    A parallel counting sort by row (one histogram per edge range: O(k + nchunks n)),
    then each row sorted (insertion sort below 33 entries) and deduplicated in
    parallel (O(k log d) for degree d), then compacted when duplicates were found.
    Memory: 4 bytes per stored entry (twice when compacting), ``8 nchunks n`` bytes of
    histograms.
    """
    k = src.shape[0]
    hist = np.zeros((nchunks, n), dtype=np.int64)
    for c in prange(nchunks):
        for i in range(k * c // nchunks, k * (c + 1) // nchunks):
            a = src[i]
            b = dst[i]
            if a == b:
                if not drop_loops:
                    hist[c, a] += 1
            else:
                hist[c, a] += 1
                if symmetric:
                    hist[c, b] += 1
    deg = np.zeros(n + 1, dtype=np.int64)
    for u in range(n):  # hist[c, u] becomes chunk c's first slot in row u
        pos = deg[u]
        for c in range(nchunks):
            cnt = hist[c, u]
            hist[c, u] = pos
            pos += cnt
        deg[u + 1] = pos
    cols = np.empty(deg[n], dtype=np.int32)
    for c in prange(nchunks):
        for i in range(k * c // nchunks, k * (c + 1) // nchunks):
            a = src[i]
            b = dst[i]
            if a == b:
                if drop_loops:
                    continue
                cols[hist[c, a]] = b
                hist[c, a] += 1
            else:
                cols[hist[c, a]] = b
                hist[c, a] += 1
                if symmetric:
                    cols[hist[c, b]] = a
                    hist[c, b] += 1
    kept = np.empty(n, dtype=np.int64)
    nloops = np.zeros(n, dtype=np.int64)
    for u in prange(n):
        lo = deg[u]
        hi = deg[u + 1]
        if hi - lo > 32:
            cols[lo:hi].sort()
        else:  # insertion sort: no allocation for the many short rows
            for j in range(lo + 1, hi):
                x = cols[j]
                t = j - 1
                while t >= lo and cols[t] > x:
                    cols[t + 1] = cols[t]
                    t -= 1
                cols[t + 1] = x
        m = 0
        for j in range(lo, hi):
            if m == 0 or cols[j] != cols[lo + m - 1]:
                cols[lo + m] = cols[j]
                m += 1
            if cols[j] == u:
                nloops[u] = 1
        kept[u] = m
    indptr = np.zeros(n + 1, dtype=np.int64)
    for u in range(n):
        indptr[u + 1] = indptr[u] + kept[u]
    if indptr[n] == deg[n]:  # no duplicates: the rows are in place
        return indptr, cols, nloops.sum()
    indices = np.empty(indptr[n], dtype=np.int32)
    for u in prange(n):
        a = deg[u]
        b = indptr[u]
        for j in range(kept[u]):
            indices[b + j] = cols[a + j]
    return indptr, indices, nloops.sum()


@njit(cache=True, nogil=True, parallel=True)
def dense_rows(src, dst, lo, span):
    """Rows of ids in the dense range ``[lo, lo + span)``: ids ranked in ascending order.

    Parameters
    ----------
    src, dst : ndarray of int64, shape (k,)
        Ids, all in ``[lo, lo + span)`` (checked by the caller).
    lo, span : int

    Returns
    -------
    rows_src, rows_dst : ndarray of int32, shape (k,)
        Row of each id (its rank among the distinct ids).
    ids : ndarray of int64, shape (n,)
        The distinct ids in ascending order (row ``r`` is ``ids[r]``).

    Notes
    -----
    O(k + span) time (the mapping in parallel); memory ``span`` bytes and 8 ``span``
    for the ranks, plus the outputs.  The caller keeps ``n < 2**31``.
    """
    k = src.shape[0]
    present = np.zeros(span, dtype=np.bool_)
    for i in prange(k):  # concurrent writes all store True: no lost update matters
        present[src[i] - lo] = True
        present[dst[i] - lo] = True
    rank = np.empty(span, dtype=np.int32)
    n = 0
    for j in range(span):
        rank[j] = n
        if present[j]:
            n += 1
    ids = np.empty(n, dtype=np.int64)
    for j in range(span):
        if present[j]:
            ids[rank[j]] = lo + j
    rows_src = np.empty(k, dtype=np.int32)
    rows_dst = np.empty(k, dtype=np.int32)
    for i in prange(k):
        rows_src[i] = rank[src[i] - lo]
        rows_dst[i] = rank[dst[i] - lo]
    return rows_src, rows_dst, ids
