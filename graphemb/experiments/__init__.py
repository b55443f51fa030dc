"""Experiments that answer users' questions with graphemb's own measurements.

:mod:`graphemb.experiments.negative_sampling`: why skip-gram with negative
sampling works (shifted PMI, NetMF, calibration of the imbalanced objective),
and the study of docs/negative-sampling.md (:func:`run_study`); its command
line, plots and output folder are examples/negative_sampling_study.py.

This package sits at the end of the data flow (after the evaluators): it may
import every other part of graphemb, and nothing in graphemb imports it.
"""

from __future__ import annotations

from . import negative_sampling
from .negative_sampling import *  # noqa: F403 - the names of negative_sampling.__all__

__all__ = list(negative_sampling.__all__)
