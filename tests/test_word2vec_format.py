"""The numba ``"%.9g"`` kernels print every float32 exactly as Python does, and the word2vec text file is unchanged.

``graphemb._format_kernels`` rounds to nine significant digits with ties to
even on the exact binary value (like C's printf, which Python follows).  The
checks: millions of random bit patterns (every exponent, nan and inf included),
every float32 that lies exactly halfway between two nine-digit decimals for
small decimal exponents (and a sample of the rest), hand-picked boundaries, and
whole files compared byte for byte with the old Python writer
(``tests/naive.py``).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

import graphemb.embedding as embedding_module
from graphemb import Embedding
from graphemb._format_kernels import format_lines, row_stride

try:  # tests/ on sys.path (pytest rootdir insertion) or tests as a package
    import naive
except ImportError:  # pragma: no cover
    from tests import naive

COLS = 64


def kernel_text(values: np.ndarray) -> tuple[str, int]:
    """The kernel's text for ``values`` (float32) in rows of 64 (``" v1 ... v64\\n"``), and the zeros padded."""
    flat = np.ascontiguousarray(values, dtype=np.float32).ravel()
    pad = (-flat.size) % COLS
    flat = np.concatenate([flat, np.zeros(pad, dtype=np.float32)])
    bits = flat.view(np.uint32).reshape(-1, COLS)
    r = bits.shape[0]
    chunk_rows = 1000
    chunk_starts = np.arange(0, r, chunk_rows, dtype=np.int64) * row_stride(COLS)
    chunk_ends = np.empty_like(chunk_starts)
    out = np.empty(r * row_stride(COLS), dtype=np.uint8)
    no_names = np.empty(0, dtype=np.uint8)
    format_lines(bits, no_names, np.zeros(r, dtype=np.int64), chunk_rows, chunk_starts, out, chunk_ends)
    text = b"".join(out[lo:hi].tobytes() for lo, hi in zip(chunk_starts, chunk_ends, strict=True))
    return text.decode("ascii"), pad


def python_text(values: np.ndarray, pad: int) -> str:
    flat = np.concatenate([np.ascontiguousarray(values, dtype=np.float32).ravel(), np.zeros(pad, dtype=np.float32)])
    row_format = " " + " ".join(["%.9g"] * COLS) + "\n"
    return "".join(row_format % tuple(row) for row in flat.reshape(-1, COLS).tolist())


def assert_prints_like_python(values: np.ndarray) -> None:
    got, pad = kernel_text(values)
    expected = python_text(values, pad)
    if got != expected:  # name the first value that differs
        flat = np.ascontiguousarray(values, dtype=np.float32).ravel()
        for v, g in zip(flat.tolist(), got.split(), strict=False):
            want = "%.9g" % v  # noqa: UP031 - the format the writer must reproduce
            assert g == want, f"{v!r} (bits {np.float32(v).view(np.uint32):#010x}) printed as {g!r}, not {want!r}"
        raise AssertionError("the texts differ")


def test_random_bit_patterns_print_like_python():
    """4 million uniform random bit patterns: every exponent, subnormals, nan payloads and infinities."""
    rng = np.random.default_rng(20261203)
    bits = rng.integers(0, 2**32, size=4_000_000, dtype=np.uint64).astype(np.uint32)
    assert_prints_like_python(bits.view(np.float32))


def test_typical_embedding_values_print_like_python():
    rng = np.random.default_rng(7)
    values = np.concatenate(
        [rng.standard_normal(500_000) * 0.3, rng.uniform(-1, 1, 200_000), rng.standard_normal(100_000) * 1e-3]
    )
    assert_prints_like_python(values.astype(np.float32))


def exact_ties(max_per_exponent: int, rng: np.random.Generator) -> np.ndarray:
    """Float32 values exactly halfway between two nine-digit decimals.

    ``v = (q + 1/2) 10**(X - 8)`` with ``10**8 <= q < 10**9`` is a float32 only
    for ``-4 <= X <= 6``: then ``v = j / 2**(9 - X)`` for odd ``j`` in
    ``[2**9 5**X, 2**9 5**(X + 1))`` and ``j < 2**24``.  All of them where there
    are at most ``max_per_exponent``, a random sample elsewhere.
    """
    found = []
    for x in range(-4, 7):
        lo = int(np.ceil(512 * 5.0**x))
        hi = min(int(np.ceil(512 * 5.0 ** (x + 1))), 2**24)
        odd = np.arange(lo | 1, hi, 2, dtype=np.int64)
        if odd.size > max_per_exponent:
            odd = rng.choice(odd, size=max_per_exponent, replace=False)
        found.append(odd.astype(np.float64) / 2.0 ** (9 - x))
    ties = np.concatenate(found)
    assert np.all(ties.astype(np.float32).astype(np.float64) == ties)  # exactly float32
    for v in ties[:: max(1, ties.size // 50)].tolist():  # tenth digit 5, nothing after it
        digits = Decimal(v).as_tuple().digits
        assert len(digits) == 10 and digits[-1] == 5, v
    return ties.astype(np.float32)


def test_exact_ties_round_half_to_even_like_python():
    ties = exact_ties(100_000, np.random.default_rng(3))
    assert ties.size > 300_000
    assert_prints_like_python(np.concatenate([ties, -ties]))
    assert kernel_text(np.float32([1.001953125, 1.005859375, 0.0001220703125, 0.0003662109375]))[0].split()[:4] == [
        "1.00195312",  # ...2|5: 2 is even, stays
        "1.00585938",  # ...7|5: 7 is odd, goes up
        "0.000122070312",
        "0.000366210938",
    ]


def neighbours(values: np.ndarray, ulps: int = 3) -> np.ndarray:
    """``values`` and their float32 neighbours up to ``ulps`` steps away, both ways (finite, same sign)."""
    values = np.asarray(values, dtype=np.float32)
    bits = values.view(np.int32).astype(np.int64)
    out = [bits + k for k in range(-ulps, ulps + 1)]
    out = np.concatenate(out)
    out = out[(out >= 0) & (out < 0x7F800000)]
    return out.astype(np.int32).view(np.float32)


def test_hand_picked_edge_cases_print_like_python():
    f32 = np.finfo(np.float32)
    powers_of_ten = np.float32([float(f"1e{k}") for k in range(-45, 39)])
    powers_of_two = np.float32([2.0**k for k in range(-149, 128)])
    specials = np.float32(
        [
            0.0,
            -0.0,
            np.inf,
            -np.inf,
            np.nan,
            -np.nan,
            0.1,
            0.5,
            1.0,
            f32.max,
            f32.tiny,  # smallest normal
            f32.smallest_subnormal,
            f32.tiny - f32.smallest_subnormal,  # largest subnormal
            9.99999999e-05,
            9.99999995e-05,
            9.9999999e-05,
            0.0001,
            999999999.0,
            999999936.0,
            1e9,
            1000000064.0,
            123456789.0,
            99999999.5,
            1e20,
            1.23456791e-05,
            2**24 - 1,
            2**24 + 2,
        ]
    )
    nan_payloads = np.uint32([0x7FC00000, 0xFFC00000, 0x7F800001, 0xFFFFFFFF, 0x7FBFFFFF]).view(np.float32)
    full_mantissa = np.float32([(2**24 - 1) * 2.0**k for k in range(-149 - 23 + 23, 105)])
    small_ints = np.arange(-1000, 1001, dtype=np.float32)
    values = np.concatenate(
        [
            neighbours(powers_of_ten),
            neighbours(powers_of_two),
            neighbours(np.abs(specials[np.isfinite(specials)])),
            specials,
            nan_payloads,
            full_mantissa,
            small_ints,
            np.arange(1, 2**16, dtype=np.uint32).view(np.float32),  # the first 65535 subnormals
        ]
    )
    assert_prints_like_python(np.concatenate([values, -values]))


def test_specials_print_as_python_names_them():
    text, _ = kernel_text(np.float32([np.nan, -np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-5, 1e20, 1e-45]))
    assert text.split()[:9] == [
        "nan",
        "nan",
        "inf",
        "-inf",
        "-0",
        "0",
        "9.99999975e-06",
        "1.00000002e+20",
        "1.40129846e-45",
    ]


@pytest.mark.parametrize("block_bytes", [1 << 24, 5000, 1])
def test_whole_file_matches_the_old_writer(tmp_path, monkeypatch, block_bytes):
    """Byte for byte, over one block, several blocks and one row a block."""
    monkeypatch.setattr(embedding_module, "_TEXT_BLOCK_BYTES", block_bytes)
    rng = np.random.default_rng(11)
    n, d = 300, 17
    vectors = (rng.standard_normal((n, d)) * 10.0 ** rng.integers(-8, 8, size=(n, 1))).astype(np.float32)
    vectors[0] = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, 3.4028235e38, 0.1, 1e9, 1e-4, 9.9999997e-05] + [1.5] * 6
    vectors[1] = rng.integers(0, 2**32, size=d, dtype=np.uint64).astype(np.uint32).view(np.float32)
    nodes = list(range(n - 4)) + ["é", "ノード", ("a",), 2.5]
    if block_bytes == 1:  # one parallel launch a row: a few rows are enough
        keep = [0, 1, *range(n - 6, n)]
        nodes, vectors = [nodes[i] for i in keep], vectors[keep]
    emb = Embedding(nodes, vectors)
    path = tmp_path / "e.txt"
    emb.save_word2vec_format(path)
    assert path.read_bytes() == naive.word2vec_text(nodes, vectors)


@pytest.mark.parametrize("shape", [(0, 4), (3, 0), (1, 1), (0, 0)])
def test_degenerate_shapes_match_the_old_writer(tmp_path, shape):
    nodes = [f"n{i}" for i in range(shape[0])]
    vectors = np.full(shape, 0.25, dtype=np.float32)
    Embedding(nodes, vectors).save_word2vec_format(tmp_path / "e.txt")
    assert (tmp_path / "e.txt").read_bytes() == naive.word2vec_text(nodes, vectors)


@pytest.mark.parametrize(
    "names",
    [
        ["a", "b"],
        ["a", ""],
        ["a", "a"],
        ["a b"],
        *[[f"x{chr(c)}y"] for c in range(0x110000) if chr(c).isspace()],  # every whitespace character
        ["x\u200by"],  # zero-width space: not whitespace for Python, so allowed
        [],
    ],
)
def test_fast_id_check_agrees_with_the_per_id_rule(names):
    per_id = all(name and not any(ch.isspace() for ch in name) for name in names) and len(set(names)) == len(names)
    assert embedding_module._plain_and_distinct(names) == per_id


# Every positive float32 of these binades (biased exponent; 2**23 values each):
# subnormals, the smallest normals, 1e-5 (where "%.9g" turns to exponent
# notation), every binade that holds exact ties (1e-4 .. 2**24), 1e9 and the
# largest.  49 binades, 411 million values: about 2.5 minutes on one core.
EXHAUSTIVE_BINADES = [0, 1, 2, 109, 110, 111, 112, *range(113, 151), 156, 157, 253, 254]


@pytest.mark.slow
@pytest.mark.parametrize("biased", EXHAUSTIVE_BINADES)
def test_every_value_of_a_binade_prints_like_python(biased):
    for half in range(2):  # two halves: bounded memory for the reference text
        fraction = np.arange(half << 22, (half + 1) << 22, dtype=np.uint32)
        assert_prints_like_python(((np.uint32(biased) << np.uint32(23)) | fraction).view(np.float32))


def test_format_values_one_value_per_slot():
    from graphemb._format_kernels import MAX_VALUE_BYTES, format_values

    values = np.float32([-1.23456791e-05, -0.000123456789, 1e20, -np.inf, 0.1])
    out = np.zeros(MAX_VALUE_BYTES * values.size, dtype=np.uint8)
    lengths = format_values(values.view(np.uint32), out)
    got = [out[MAX_VALUE_BYTES * i : MAX_VALUE_BYTES * i + n].tobytes().decode() for i, n in enumerate(lengths)]
    assert got == ["%.9g" % v for v in values.tolist()]  # noqa: UP031
    assert max(lengths) == 15  # the longest a value can print
