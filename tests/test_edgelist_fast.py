"""The numba edge-list parser (read_edgelist's fast path) against the pandas path it replaces."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from graphemb.graph import _kernels, io
from graphemb.graph.io import read_edgelist


def both(path, monkeypatch, **kw):
    """(fast-path result or error text, pandas-path result or error text)."""
    out = []
    for fast in (True, False):
        with monkeypatch.context() as m:
            if not fast:
                m.setattr(io, "_parse_int_edges", lambda *a, **k: None)
            try:
                g = read_edgelist(path, **kw)
                w = None if g.weights is None else g.weights.tolist()
                out.append((g.nodes, g.indptr.tolist(), g.indices.tolist(), w, g.directed))
            except ValueError as exc:
                out.append(("error", str(exc)))
    return out


CASES = {
    "tabs": "1\t2\n2\t3\n3\t1\n",
    "spaces, runs, leading blanks": "  10 20\n20    30\n\t30 \t 10  \n",
    "crlf, comments, blank lines": "# a comment\r\n1 2\r\n\r\n2 3 # trailing\r\n   \r\n# end\r\n",
    "header": "source target\n5 6\n6 7\n",
    "no final newline": "1 2\n2 3",
    "signs, zeros, negatives": "+1 002\n-3 2\n007 -3\n",
    "self loop and duplicate": "1 1\n1 2\n2 1\n1 2\n",
    "weights": "1 2 0.5\n2 3 1\n3 4 2.5e-3\n4 1 +1.25E+2\n5 1 .5\n6 1 7.\n",
    "big ids": "123456789012345678 5\n5 -99999999999\n",
}


@pytest.mark.parametrize("name", list(CASES))
def test_fast_path_equals_pandas_path(name, tmp_path, monkeypatch):
    path = tmp_path / "e.txt"
    path.write_text(CASES[name])
    fast, slow = both(path, monkeypatch)
    assert fast == slow
    assert fast[0] != "error"


@pytest.mark.parametrize("sep", [",", "\t", ";", " "])
def test_explicit_separator(sep, tmp_path, monkeypatch):
    path = tmp_path / "e.txt"
    around = "" if sep == " " else " "  # spaces around fields are stripped (but are the separator itself)
    path.write_text(f"1{sep}2\n{around}2{around}{sep}{around}3{around}\n\n3{sep}4\n")
    fast, slow = both(path, monkeypatch, sep=sep)
    assert fast == slow and fast[0] != "error"
    path.write_text(f"1{sep}2\n2{sep}{sep}3\n")  # an empty field
    fast, slow = both(path, monkeypatch, sep=sep)
    assert fast == slow and fast[0] == "error"


@pytest.mark.parametrize(
    "text",
    [
        "a b\nb c\n",  # string ids: the pandas path
        "1 2\n2 x\n",  # mixed: strings
        "1 2\n2 3 4\n",  # a line with a third field
        "1 2 1\n2 3 abc\n",  # a bad weight
        "1 2 1\n2 3 nan\n",
        "1 2 1e400\n",
        "1 2 0.1000000000000000055511151231257827\n",  # beyond the exact fast path
        "1 2\n12345678901234567890 3\n",  # beyond int64
        "1 2\n3\n",
        "1,2\n",
        "1 2 0\n",  # a zero weight: error in both
    ],
)
def test_fallbacks_give_the_pandas_result_or_error(text, tmp_path, monkeypatch):
    path = tmp_path / "e.txt"
    path.write_text(text)
    fast, slow = both(path, monkeypatch)
    assert fast == slow


def test_errors_still_name_file_and_line(tmp_path):
    path = tmp_path / "e.txt"
    path.write_text("1 2\n2 3\n# c\n3 4 5\n")
    with pytest.raises(ValueError, match=r"e\.txt:4 \('3 4 5'\): expected 2 fields"):
        read_edgelist(path)


def test_gzip_file(tmp_path, monkeypatch):
    path = tmp_path / "e.txt.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("".join(f"{i} {(i * 7) % 50}\n" for i in range(50)))
    fast, slow = both(path, monkeypatch)
    assert fast == slow and fast[0] != "error"


def test_weights_are_correctly_rounded():
    tokens = ["0.1", "0.3", "2.675", "1e-5", "123456.789", "-7.25e+3", "3.14159265358979", ".5", "5."]
    buf = np.frombuffer("".join(f"1 2 {t}\n" for t in tokens).encode(), dtype=np.uint8)
    starts, counts = _kernels.split_blocks(buf, 0, 3)
    src, dst, w, bad = _kernels.parse_edges(buf, starts, counts, -1, ord("#"), 3)
    assert bad == -1
    assert w.tolist() == [float(t) for t in tokens]


def test_parser_reports_the_first_bad_line_across_blocks():
    lines = [f"{i} {i + 1}" for i in range(200)]
    lines[137] = "137 x"
    lines[190] = "oops"
    buf = np.frombuffer(("\n".join(lines) + "\n").encode(), dtype=np.uint8)
    for blocks in (1, 3, 8):
        starts, counts = _kernels.split_blocks(buf, 0, blocks)
        assert counts.sum() == 200 and starts[-1] == buf.size
        *_, bad = _kernels.parse_edges(buf, starts, counts, -1, ord("#"), 2)
        assert bad == 137


def test_split_blocks_cuts_after_newlines():
    text = "".join(f"{i} {i}\n" for i in range(1000))
    buf = np.frombuffer(text.encode(), dtype=np.uint8)
    starts, counts = _kernels.split_blocks(buf, 0, 7)
    assert starts[0] == 0 and starts[-1] == buf.size
    assert all(buf[s - 1] == 10 for s in starts[1:-1])
    assert counts.sum() == 1000
    src, dst, _, bad = _kernels.parse_edges(buf, starts, counts, -1, -1, 2)
    assert bad == -1 and src.tolist() == list(range(1000)) and dst.tolist() == list(range(1000))


# ---------------------------------------------------------------- CSR builder
def naive_rows(src, dst, n, directed, drop_loops):
    rows = [set() for _ in range(n)]
    for a, b in zip(src.tolist(), dst.tolist(), strict=True):
        if a == b and drop_loops:
            continue
        rows[a].add(b)
        if not directed:
            rows[b].add(a)
    return rows


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("self_loops", ["keep", "drop"])
def test_unweighted_csr_builder_matches_naive_and_weighted_path(directed, self_loops):
    from graphemb.graph.convert import from_edge_arrays

    rng = np.random.default_rng(0)
    n = 60
    src = rng.integers(0, n, 500)
    dst = np.where(rng.random(500) < 0.1, src, rng.integers(0, n, 500))  # self-loops and duplicates
    g = from_edge_arrays(src, dst, None, list(range(n)), directed=directed, self_loops=self_loops)
    rows = naive_rows(src, dst, n, directed, self_loops == "drop")
    for u in range(n):
        assert g.indices[g.indptr[u] : g.indptr[u + 1]].tolist() == sorted(rows[u])
    loops = sum(u in rows[u] for u in range(n))
    expected = sum(len(r) for r in rows) if directed else (sum(len(r) for r in rows) - loops) // 2 + loops
    assert g.num_edges == expected
    # the general (sorting) path, taken with weights, builds the same rows
    h = from_edge_arrays(src, dst, np.ones(500), list(range(n)), directed=directed, self_loops=self_loops)
    assert np.array_equal(g.indptr, h.indptr) and np.array_equal(g.indices, h.indices)
    assert g.indices.dtype == h.indices.dtype and g.num_edges == h.num_edges
    assert g.fingerprint() != h.fingerprint()  # weighted vs unweighted; the structure is the same
