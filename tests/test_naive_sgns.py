"""The default SGNS pair update (numba ``train_pair``) against its naive float64 twin (tests/naive.py)."""

from __future__ import annotations

import numpy as np
import pytest
from naive import sgns_pair_update

from graphemb.sgns import _kernels


def _tables_and_work(k1: int, d: int):
    tables = _kernels.sigmoid_tables()
    coef = np.zeros((1, k1), dtype=np.float32)
    neu1e = np.zeros((1, d), dtype=np.float32)
    return tables, coef, neu1e


def _start(n: int = 12, d: int = 8, seed: int = 0):
    rng = np.random.default_rng(seed)
    syn0 = (rng.standard_normal((n, d)) * 0.3).astype(np.float32)
    syn1 = (rng.standard_normal((n, d)) * 0.3).astype(np.float32)
    return syn0, syn1


def _close(kernel, naive, before):
    """Updates agree to the sigmoid table's resolution (1,000 cells over (-6, 6)): 2% of the step, plus 1e-6."""
    step_k = kernel.astype(np.float64) - before
    step_n = naive - before
    assert np.abs(step_n).max() > 1e-4  # the step is not trivially zero
    np.testing.assert_allclose(step_k, step_n, rtol=0, atol=0.02 * np.abs(step_n).max() + 1e-6)


@pytest.mark.parametrize("k", [1, 2, 5, 7])
def test_one_pair_per_pair_negatives(k):
    syn0, syn1 = _start()
    before0, before1 = syn0.astype(np.float64), syn1.astype(np.float64)
    outs = np.array([3, *range(4, 4 + k)], dtype=np.int64)
    valid = np.ones(k + 1, dtype=np.bool_)
    valid[-1] = k < 5  # an invalid (skipped) slot when k >= 5
    tables, coef, neu1e = _tables_and_work(k + 1, syn0.shape[1])
    loss = _kernels.train_pair(syn0, syn1, 1, outs, valid, coef, neu1e, tables, np.float32(0.5))
    ref0, ref1, ref_loss = sgns_pair_update(before0, before1, 1, outs, valid, 0.5)
    _close(syn0, ref0, before0)
    _close(syn1, ref1, before1)
    assert float(loss) == pytest.approx(ref_loss, rel=0.02)
    untouched = [r for r in range(syn0.shape[0]) if r not in set(outs.tolist())]
    np.testing.assert_array_equal(syn1[untouched], before1[untouched].astype(np.float32))
    np.testing.assert_array_equal(np.delete(syn0, 1, axis=0), np.delete(before0, 1, axis=0).astype(np.float32))


def test_pairs_sharing_negatives_in_sequence():
    """Shared negatives: a window's K noise nodes serve each context in turn, each step on the last one's rows."""
    syn0, syn1 = _start(seed=1)
    ref0, ref1 = syn0.astype(np.float64), syn1.astype(np.float64)
    before0, before1 = ref0.copy(), ref1.copy()
    outs = np.array([0, 7, 8, 9, 10, 11], dtype=np.int64)
    valid = np.ones(outs.size, dtype=np.bool_)
    tables, coef, neu1e = _tables_and_work(outs.size, syn0.shape[1])
    for ctx in (1, 2, 3):
        _kernels.train_pair(syn0, syn1, ctx, outs, valid, coef, neu1e, tables, np.float32(0.25))
        ref0, ref1, _ = sgns_pair_update(ref0, ref1, ctx, outs, valid, 0.25)
    _close(syn0, ref0, before0)
    _close(syn1, ref1, before1)


def test_saturated_logit_gives_no_update():
    syn0 = np.zeros((3, 4), dtype=np.float32)
    syn1 = np.zeros((3, 4), dtype=np.float32)
    syn0[0] = 2.0
    syn1[1] = 2.0  # logit 16 > MAX_EXP: no update for this pair (gensim's rule)
    outs = np.array([1, 2], dtype=np.int64)
    valid = np.ones(2, dtype=np.bool_)
    tables, coef, neu1e = _tables_and_work(2, 4)
    _kernels.train_pair(syn0, syn1, 0, outs, valid, coef, neu1e, tables, np.float32(1.0))
    ref0, ref1, _ = sgns_pair_update(np.zeros((3, 4)) + syn0, np.zeros((3, 4)) + syn1, 0, outs, valid, 1.0)
    np.testing.assert_allclose(syn1[1], ref1[1])  # unchanged in both
    np.testing.assert_allclose(syn0, ref0, atol=1e-6)
