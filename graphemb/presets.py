"""Named training presets for :class:`~graphemb.Node2Vec` and :func:`graphemb.tune`.

``paper``
    The node2vec paper's settings (Grover & Leskovec, KDD 2016, section 4.1):
    d = 128, 10 walks of length 80 per node, window 10, 5 negatives, one epoch,
    word2vec's learning rate 0.025 decayed linearly to 0.0001.  These are also
    the defaults of :class:`~graphemb.Node2Vec` and ``graphemb embed``.
``converged``
    The same walks trained for 3 epochs (same linear schedule over all of
    them), from the sweep of ``benchmarks/presets.py`` (docs/results.md, issue
    15): +0.024 Macro-F1 on BlogCatalog over one epoch; PPI and Facebook are at
    their best after one epoch and lose about 0.005 at three.  Not the default
    (docs/tuning.md says why).

Presets only name model parameters; any parameter given explicitly wins.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PRESETS", "preset_params"]

_PAPER: dict[str, Any] = {
    "dimensions": 128,
    "walk_length": 80,
    "num_walks": 10,
    "window": 10,
    "negative": 5,
    "epochs": 1,
    "alpha": 0.025,
    "min_alpha": 0.0001,
}

#: Preset name -> Node2Vec parameters.
PRESETS: dict[str, dict[str, Any]] = {
    "paper": dict(_PAPER),
    "converged": {**_PAPER, "epochs": 3},
}


def preset_params(name: str, **overrides: Any) -> dict[str, Any]:
    """Parameters of preset ``name`` with ``overrides`` applied.

    Parameters
    ----------
    name : {"paper", "converged"}
        Preset name.
    **overrides
        Parameters that replace the preset's (``None`` values are ignored).

    Returns
    -------
    dict
        Node2Vec keyword arguments.

    Raises
    ------
    ValueError
        For an unknown preset name.

    Examples
    --------
    >>> preset_params("paper", dimensions=64)["dimensions"]
    64
    """
    if name not in PRESETS:
        opts = ", ".join(repr(k) for k in PRESETS)
        raise ValueError(f"The 'preset' parameter must be one of {opts}. Got {name!r} instead.")
    return {**PRESETS[name], **{k: v for k, v in overrides.items() if v is not None}}
