"""The summarize benchmark's bootstrap interval of the default's margin over max(lead, claim1)
(benchmarks/_margin_interval.py), on numbers whose answer is known."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
from _margin_interval import interval_line, margin_interval, per_document

sys.path.pop(0)


def test_identical_columns_give_a_zero_interval() -> None:
    scores = [10.0, 55.0, 61.5, 40.0, 72.0]
    assert margin_interval(scores, scores, scores) == (0.0, 0.0)


def test_a_constant_shift_gives_exactly_that_shift() -> None:
    lead = [10.0, 55.0, 61.5, 40.0, 72.0]
    ours = [s + 3.0 for s in lead]
    low, high = margin_interval(ours, lead, [s - 5.0 for s in lead])
    assert low == pytest.approx(3.0) and high == pytest.approx(3.0)


def test_the_stronger_baseline_sets_the_margin_and_noise_widens_it() -> None:
    rng = np.random.default_rng(1)
    claim1 = rng.uniform(30, 70, size=60)
    ours = claim1 + 2.0 + rng.normal(0, 10, size=60)
    low, high = margin_interval(ours, claim1 - 20.0, claim1)
    observed = ours.mean() - claim1.mean()
    assert low < observed < high  # the point estimate lies inside its interval
    assert 3.0 < high - low < 8.0  # about 4 standard errors (10 / sqrt(60) = 1.3) wide
    assert margin_interval(ours, claim1 - 20.0, claim1) == (low, high)  # fixed seed


def test_bad_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="equally long"):
        margin_interval([1.0, 2.0], [1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="non-empty"):
        margin_interval([], [], [])


def test_interval_line_over_per_document_rouge() -> None:
    pytest.importorskip("rouge_score")
    references = ["a holder for widgets with a base and a clip",
                  "a pump with a rotor and a seal"]
    scores = {"structure": per_document(references, references),
              "lead": per_document(["a holder", 1], references),  # 1: a failed summary
              "claim1": per_document(["widgets", "a pump"], references)}
    assert scores["structure"]["rouge1"] == [100.0, 100.0]
    assert scores["lead"]["rouge1"][1] == 0.0
    line = interval_line(scores, [0, 1], resamples=200)
    assert "over 2 documents" in line and "R-1 [+" in line and "R-L" in line
