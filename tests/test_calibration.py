"""Calibration of the claims (issue 13): pass rates in synthetic true and false worlds."""

import time

import numpy as np
import pandas as pd
import pytest

from rbm_reciprocal.claims.calibration import CALIBRATION_COLUMNS, CALIBRATIONS, calibrate_claims
from rbm_reciprocal.claims.synthetic_landscape import gaussian_singular_values
from rbm_reciprocal.cli import main


def test_every_pass_fail_claim_is_calibrated_at_a_small_trial_count(tmp_path):
    start = time.perf_counter()
    out = tmp_path / "calibration.parquet"
    assert main(["claims-calibration", "--trials", "3", "--seed", "1", "--out", str(out)]) == 0
    t = pd.read_parquet(out)
    assert time.perf_counter() - start < 60  # ~10 s on an idle core
    assert list(t.columns) == list(CALIBRATION_COLUMNS)
    assert sorted(set(t["claim"])) == sorted(CALIBRATIONS) == [*range(1, 12), 13, 14]
    assert (t.groupby("claim")["scenario"].apply(sorted) == [["false", "true"]] * 13).all()
    assert (t["n_trials"] == 3).all()
    assert t["calibrated"].all(), t[~t["calibrated"]]
    true, false = t[t["scenario"] == "true"], t[t["scenario"] == "false"]
    assert (true["pass_rate"] == 1.0).all() and (false["pass_rate"] == 0.0).all()
    assert np.allclose(t["pass_rate"] + t["fail_rate"] + t["na_rate"], 1.0)


def test_calibration_is_deterministic_and_checks_its_arguments():
    a = calibrate_claims(3, seed=5, claims=[7, 10])
    b = calibrate_claims(3, seed=5, claims=[7, 10])
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError, match="n_trials"):
        calibrate_claims(0)
    with pytest.raises(ValueError, match="no calibration for claims \\[12\\]"):
        calibrate_claims(1, claims=[12])


def test_bidiagonal_singular_values_have_the_law_of_a_gaussian_matrix():
    rng = np.random.default_rng(0)
    fast = gaussian_singular_values(300, 60, 0.1, 40, rng).ravel()
    slow = np.concatenate(
        [np.linalg.svd(rng.normal(0, 0.1, (300, 60)), compute_uv=False) for _ in range(40)]
    )
    assert fast.shape == slow.shape == (2400,)
    # quantiles agree to a fraction of the bulk width (0.1 (sqrt 300 +- sqrt 60) = 0.96..2.5)
    q = np.linspace(0.05, 0.95, 10)
    assert np.abs(np.quantile(fast, q) - np.quantile(slow, q)).max() < 0.02
    assert abs(fast.max() - slow.max()) < 0.05
