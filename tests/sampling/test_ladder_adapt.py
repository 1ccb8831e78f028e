"""Adapted rung counts of the PTT ladder (``loglik.trajectory.pt.adapt``): the barrier and
count rules on known numbers, per-interval ladders, and the adapted ladder against exact
log Z, with resume."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from test_ladder import PT, _run

from rbm_reciprocal.analysis.loglik_pt import pt_rows
from rbm_reciprocal.core.checkpoint import checkpoint_path, load_checkpoint
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.data.dataset import save_dataset
from rbm_reciprocal.pipeline.config import validate_config
from rbm_reciprocal.sampling.ladder import blocked_pairs, ladder_positions, node_rungs
from rbm_reciprocal.sampling.ladder_adapt import adapted_counts, interval_barriers
from rbm_reciprocal.stages.loglik import estimator_settings, run_loglik_trajectory


def test_per_interval_counts_place_the_rungs():
    k, s = ladder_positions(4, [1, 3, 2])
    assert list(k) == [0, 1, 1, 1, 2, 2, 2]
    np.testing.assert_allclose(s, [0, 0, 1 / 3, 2 / 3, 0, 0.5, 1.0])
    assert list(node_rungs(4, [1, 3, 2])) == [0, 1, 4, 6]
    # a cut after interval 1 (segment 2): checkpoint 2 twice, the pair between them blocked
    k, s = ladder_positions(4, [1, 3, 2], segment=2)
    assert (k[4], s[4], k[5], s[5]) == (1, 1.0, 2, 0.0)
    assert list(np.flatnonzero(blocked_pairs(k, s))) == [4]
    assert list(node_rungs(4, [1, 3, 2], segment=2)) == [0, 1, 4, 7]
    # equal counts are the uniform ladder, bit for bit
    for a, b in zip(ladder_positions(6, [4] * 5, 2), ladder_positions(6, 4, 2), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="one count"):
        ladder_positions(4, [1, 3])
    with pytest.raises(ValueError, match="one count"):
        ladder_positions(4, [1, 0, 2])


def test_barriers_sum_rejections_per_interval_and_skip_cuts():
    k, s = ladder_positions(4, [2, 1, 2], segment=2)  # rungs: 0 0 1 | 1 2 2 (cut at 3)
    blocked = blocked_pairs(k, s)
    rejection = np.array([0.1, 0.3, 0.6, 0.9, 0.2, 0.25])
    lam = interval_barriers(k, blocked, rejection, 3)
    # interval 0: pairs 0, 1; interval 1: pair 2 (pair 3 is the cut); interval 2: pairs 4, 5
    np.testing.assert_allclose(lam, [0.4, 0.6, 0.45])


def test_counts_aim_at_the_target_acceptance():
    # acceptance 1/2: twice the barrier (Syed et al.), rounded up, within [1, max_rungs]
    np.testing.assert_array_equal(adapted_counts([0.0, 0.4, 2.6, 40.0], 0.5, 16), [1, 1, 6, 16])
    # acceptance 0.8: five times the barrier
    np.testing.assert_array_equal(adapted_counts([0.4, 1.0], 0.8, 64), [2, 5])
    with pytest.raises(ValueError, match="acceptance"):
        adapted_counts([1.0], 1.0, 4)


def test_adapt_settings_from_config_and_errors():
    base = {
        "seed": 1,
        "backend": {"name": "cpu"},
        "loglik": {
            "n_chains": 10,
            "betas": {"schedule": "uniform", "n": 100},
            "base": "samples",
            "rais_start": "samples",
            "sample_sweeps": 10,
            "exact_max_units": 20,
            "trajectory": {
                "pt": {"rungs": 2, "adapt": {"rounds": 2, "sweeps": 50, "acceptance": 0.6}}
            },
        },
    }
    s = estimator_settings(validate_config(base), "trajectory")
    assert (s.pt_rungs, s.pt_adapt_rounds, s.pt_adapt_sweeps) == (2, 2, 50)
    assert s.pt_adapt_acceptance == 0.6 and not hasattr(s, "pt_adapt")
    with pytest.raises(ConfigError, match="acceptance"):
        dataclasses.replace(PT, pt_adapt_acceptance=1.0)
    with pytest.raises(ConfigError, match="rounds"):
        dataclasses.replace(PT, pt_adapt_rounds=-1)


@pytest.fixture(scope="module")
def adapted(trained_784x12):
    """The adapted ladder (two pilot rounds from 1 rung per interval, target acceptance 0.6)
    on the 784 x 12 model of conftest."""
    run_dir, data = trained_784x12
    params = [load_checkpoint(checkpoint_path(run_dir, e)) for e in range(6)]
    s = dataclasses.replace(
        PT, pt_rungs=1, pt_adapt_rounds=2, pt_adapt_sweeps=60, pt_adapt_acceptance=0.6
    )
    msgs = []
    return params, data, s, _run(params, data, s, log=msgs.append), msgs


def test_adapted_ladder_matches_exact_log_z(adapted):
    """The pilots give the intervals where the model moves most more than one rung; the adapted
    ladder's BAR lies within 3 s.e. and 0.1 nats of the exact log Z at every checkpoint, and
    its exchanges are accepted about as often as targeted."""
    params, data, s, final, msgs = adapted
    counts = final["rung_counts"]
    assert counts.shape == (5,) and counts.max() >= 2 and counts.sum() > 5
    assert final["v"].shape[0] == counts.sum() + 1
    assert sum("adapt round" in m for m in msgs) == 2
    rows = pt_rows(params, range(6), range(6), final, data.train, data.test, s)
    for r in rows:
        err = abs(r["log_z_bar"] - r["log_z_exact"])
        assert err < 0.1 and err < 3 * r["log_z_bar_se"] + 1e-3, (r["epoch"], err)
    assert [r["pt_rungs"] for r in rows] == [int(counts[0])] + [int(c) for c in counts]
    rate = final["accepted"] / np.maximum(final["attempts"], 1)
    assert rate.min() > 0.3  # target 0.6; a pair well below it would say the rule is off


def test_adapted_ladder_resumes_bit_identical(adapted):
    params, data, s, final, _ = adapted
    saved = {}
    stopped = _run(params, data, s, save=lambda st: saved.update(st=st), stop_after_sweeps=33)
    assert stopped is None and int(saved["st"]["sweep"]) == 33
    np.testing.assert_array_equal(saved["st"]["rung_counts"], final["rung_counts"])
    resumed = _run(params, data, s, state=saved["st"])
    for key in ("v", "wf", "wr", "accepted", "rung_counts"):
        np.testing.assert_array_equal(final[key], resumed[key], err_msg=key)


def test_adapted_job_logs_its_rungs_and_resumes(trained_784x12, tmp_path):
    """The stage with pt.adapt: stopped after 25 sweeps and rerun, it ends with the table of
    an uninterrupted job (the pilots are not repeated: the counts are in the saved state),
    and its log names the rungs of every interval."""
    run_dir, data = trained_784x12
    dpath = tmp_path / "data.npz"
    save_dataset(dpath, data, {})
    cps = [str(checkpoint_path(run_dir, e)) for e in range(4)]
    s = dataclasses.replace(
        PT, pt_sweeps=60, pt_burn=10, pt_save_sweeps=5, pt_rungs=1, pt_adapt_rounds=1,
        pt_adapt_sweeps=40,
    )  # fmt: skip
    args = (cps, list(range(4)), list(range(4)), dpath)
    logs: list[str] = []
    kw = {"settings": s, "method": "PCD", "hidden": 12, "replica": 0, "log": logs.append}
    whole = run_loglik_trajectory(*args, tmp_path / "a.parquet", **kw)
    line = next(m for m in logs if "rungs per interval:" in m)
    counts = [int(c) for c in line.split("rungs per interval:")[1].split("(")[0].split()]
    assert len(counts) == 3 and counts == whole["pt_rungs"].tolist()[1:]
    assert any("adapted in 1 pilot rounds" in m for m in logs)
    out = tmp_path / "b.parquet"
    assert run_loglik_trajectory(*args, out, stop_after_intervals=25, **kw) is None
    logs.clear()
    resumed = run_loglik_trajectory(*args, out, **kw)
    assert not any("adapt round" in m for m in logs)  # no pilot on resume
    num = ["log_z_bar", "log_z_bar_se", "pt_rungs", "pt_min_acceptance"]
    pd.testing.assert_frame_equal(whole[num], resumed[num])
    assert len(whole) == 4
