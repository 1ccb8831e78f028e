"""Parallel tempering along the trajectory with BAR (issue 14, ``trajectory.sampler: pt``):
BAR against known ratios, the ladder against exact log Z, resume, a killed job."""

import dataclasses
import os
import subprocess

import numpy as np
import pandas as pd
import pytest
from conftest import BACKEND, job_command, loglik_settings, sigkill_and_resume

from rbm_reciprocal.analysis.bar import log_ratio_bar, log_ratio_forward, log_ratio_reverse
from rbm_reciprocal.analysis.loglik_pt import pt_pass, pt_rows
from rbm_reciprocal.analysis.loglik_settings import LOGLIK_COLUMNS
from rbm_reciprocal.core.checkpoint import checkpoint_path, load_checkpoint, save_checkpoint
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.io import load_npz
from rbm_reciprocal.core.streams import trajectory_rng
from rbm_reciprocal.data.dataset import save_dataset
from rbm_reciprocal.pipeline.job import Job, settings_dict
from rbm_reciprocal.sampling.ladder import blocked_pairs, ladder_positions, node_rungs
from rbm_reciprocal.sampling.partition import log_partition_exact
from rbm_reciprocal.stages.loglik import LoglikTrajectory, run_loglik_trajectory, state_path


def test_bar_recovers_gaussian_shift():
    """Two unit Gaussians 1.5 apart with energies x^2/2 and (x-1.5)^2/2 + 0.7:
    log Z_1/Z_0 = -0.7; BAR, forward and reverse averages agree within their noise."""
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 1.0, 20000)
    y = rng.normal(1.5, 1.0, 20000)

    def e0(z):
        return z**2 / 2

    def e1(z):
        return (z - 1.5) ** 2 / 2 + 0.7

    wf, wr = e1(x) - e0(x), e0(y) - e1(y)
    assert log_ratio_bar(wf, wr) == pytest.approx(-0.7, abs=0.02)
    assert log_ratio_forward(wf) == pytest.approx(-0.7, abs=0.05)
    assert log_ratio_reverse(wr) == pytest.approx(-0.7, abs=0.05)
    # unequal sample sizes use the log(n_F/n_R) shift
    assert log_ratio_bar(wf[:5000], wr) == pytest.approx(-0.7, abs=0.03)
    with pytest.raises(ValueError):
        log_ratio_bar(wf[:0], wr)


def test_ladder_positions():
    k, s = ladder_positions(3, 4)
    assert len(k) == 9
    assert list(k) == [0, 0, 0, 0, 1, 1, 1, 1, 1]
    np.testing.assert_allclose(s, [0, 0.25, 0.5, 0.75, 0, 0.25, 0.5, 0.75, 1.0])
    assert list(node_rungs(3, 4)) == [0, 4, 8]
    k1, s1 = ladder_positions(1, 4)
    assert list(k1) == [0] and list(s1) == [0.0]
    # segments of 2 intervals: checkpoint 2 is the top rung of one and the bottom of the next
    k2, s2 = ladder_positions(5, 3, segment=2)
    assert len(k2) == 14 and (k2[6], s2[6], k2[7], s2[7]) == (1, 1.0, 2, 0.0)
    assert list(np.flatnonzero(blocked_pairs(k2, s2))) == [6]
    assert list(node_rungs(5, 3, segment=2)) == [0, 3, 6, 10, 13]
    assert not blocked_pairs(*ladder_positions(5, 3)).any()


@pytest.fixture(scope="module")
def trained(trained_784x12):
    """The 784 x 12 RBM of conftest (log Z moves by several nats along its 6 checkpoints)."""
    return trained_784x12


PT = loglik_settings(
    n_chains=100,
    n_betas=300,
    sample_sweeps=100,
    estimator="trajectory",
    traj_sampler="pt",
    pt_groups=16,
    pt_rungs=3,
    pt_chains=32,
    pt_sweeps=400,
    pt_burn=100,
    pt_thin=1,
    pt_save_sweeps=50,
    backend=BACKEND,
)


def _run(params, data, settings, **kw):
    return pt_pass(params, data.train, settings, trajectory_rng(3, "PCD", 12, 0), **kw)


def test_pt_matches_exact_log_z(trained):
    """At every checkpoint the BAR, forward and reverse estimates lie within 3 standard
    errors (and 0.1 nats) of the exact log Z."""
    run_dir, data = trained
    params = [load_checkpoint(checkpoint_path(run_dir, e)) for e in range(6)]
    final = _run(params, data, PT)
    rows = pt_rows(params, range(6), range(6), final, data.train, data.test, PT)
    assert [r["epoch"] for r in rows] == list(range(6))
    exact = np.array([log_partition_exact(p) for p in params])
    assert np.ptp(exact) > 1.5  # the path really moves
    for r, z in zip(rows, exact, strict=True):
        assert r["log_z_exact"] == pytest.approx(z)
        for col in ("bar", "ais", "rais"):
            err = abs(r[f"log_z_{col}"] - z)
            assert err < 0.1, (r["epoch"], col, err)
            assert err < 3 * r[f"log_z_{col}_se"] + 1e-3, (r["epoch"], col, err)
        assert set(r) - {"method", "hidden", "replica"} <= set(LOGLIK_COLUMNS)
    assert rows[-1]["pt_min_acceptance"] > 0.3
    assert rows[-1]["estimator"] == "trajectory-pt"


def test_segmented_ladder_matches_exact_log_z(trained):
    """Segments of one interval (no exchange across checkpoints): still within 3 s.e. and
    0.1 nats of the exact log Z; a cut is never exchanged and its log-ratio is 0."""
    run_dir, data = trained
    params = [load_checkpoint(checkpoint_path(run_dir, e)) for e in range(6)]
    s = dataclasses.replace(PT, pt_segment=1)
    final = _run(params, data, s)
    cuts = blocked_pairs(*ladder_positions(6, s.pt_rungs, 1))
    assert cuts.sum() == 4 and (final["accepted"][cuts] == 0).all()
    assert (final["attempts"][cuts] == 0).all() and (final["wf"][cuts] == 0).all()
    rows = pt_rows(params, range(6), range(6), final, data.train, data.test, s)
    for r in rows:
        err = abs(r["log_z_bar"] - r["log_z_exact"])
        assert err < 0.1 and err < 3 * r["log_z_bar_se"] + 1e-3, (r["epoch"], err)
    assert 0.3 < rows[-1]["pt_min_acceptance"] <= 1


def test_pt_resume_is_bit_identical(trained):
    run_dir, data = trained
    params = [load_checkpoint(checkpoint_path(run_dir, e)) for e in range(3)]
    s = dataclasses.replace(PT, pt_sweeps=60, pt_burn=10, pt_save_sweeps=7)
    whole = _run(params, data, s)
    saved = {}
    assert _run(params, data, s, save=lambda st: saved.update(st=st), stop_after_sweeps=23) is None
    assert int(saved["st"]["sweep"]) == 23
    resumed = _run(params, data, s, state=saved["st"])
    for key in ("v", "field", "wf", "wr", "accepted", "logw0"):
        np.testing.assert_array_equal(whole[key], resumed[key], err_msg=key)


def test_pt_settings_errors():
    with pytest.raises(ConfigError, match="burn"):
        dataclasses.replace(PT, pt_burn=399)
    with pytest.raises(ConfigError, match="groups"):
        dataclasses.replace(PT, pt_groups=33)
    with pytest.raises(ConfigError, match="sampler"):
        dataclasses.replace(PT, traj_sampler="mcmc")


def test_pt_job_resumes_after_stop(trained, tmp_path):
    """The stage: stopped after 30 sweeps with its state on disk, rerun, it ends with the
    table of an uninterrupted job."""
    run_dir, data = trained
    dpath = tmp_path / "data.npz"
    save_dataset(dpath, data, {})
    cps = [str(checkpoint_path(run_dir, e)) for e in range(4)]
    s = dataclasses.replace(PT, pt_sweeps=80, pt_burn=20, pt_save_sweeps=10)
    args = (cps, list(range(4)), list(range(4)), dpath)
    kw = {"settings": s, "method": "PCD", "hidden": 12, "replica": 0, "log": lambda _: None}
    whole = run_loglik_trajectory(*args, tmp_path / "a.parquet", **kw)
    out = tmp_path / "b.parquet"
    assert run_loglik_trajectory(*args, out, stop_after_intervals=30, **kw) is None
    assert int(load_npz(state_path(out))["sweep"]) == 30
    resumed = run_loglik_trajectory(*args, out, **kw)
    assert not state_path(out).exists()
    num = ["log_z_ais", "log_z_rais", "log_z_bar", "log_z_bar_se", "pt_min_acceptance"]
    pd.testing.assert_frame_equal(whole[num], resumed[num])
    assert list(whole.columns) == list(LOGLIK_COLUMNS)


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_sigkill_of_ladder_job_then_rerun_is_bit_identical(tmp_path, trained):
    """A real kill (SIGKILL) of a loglik_trajectory job (`python -m rbm_reciprocal run`) with
    the pt sampler mid-ladder; the rerun resumes from the saved state and writes the uninterrupted
    table."""
    run_dir, data = trained
    dpath = tmp_path / "data.npz"
    save_dataset(dpath, data, {})
    s = dataclasses.replace(PT, pt_sweeps=4000, pt_burn=200, pt_save_sweeps=100)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

    def cmd(out):
        checkpoints = [str(checkpoint_path(run_dir, e)) for e in range(4)]
        job = Job(
            "loglik_trajectory",
            input={"checkpoints": checkpoints, "data": str(dpath)},
            output={"table": str(out)},
            wildcards={"method": "PCD", "hidden": "12", "replica": "0"},
            settings=settings_dict(LoglikTrajectory(s, [0, 1, 2, 3], [0, 1, 2, 3])),
        )
        return job_command(out.with_suffix(".job.json"), job)

    ref = tmp_path / "ref.parquet"
    r = subprocess.run(cmd(ref), capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    out = tmp_path / "out.parquet"
    sigkill_and_resume(cmd, ref, out, state_path(out), lambda st: int(st["sweep"]) >= 300, env)


def test_coarse_ladder_warns(trained, tmp_path):
    """Two checkpoints far apart (W x 8) with one rung per interval: the exchanges are
    almost never accepted, and the job says which rungs and what to raise."""
    run_dir, data = trained
    dpath = tmp_path / "data.npz"
    save_dataset(dpath, data, {})
    p = load_checkpoint(checkpoint_path(run_dir, 5))
    save_checkpoint(tmp_path / "epoch_0000.npz", p.W, p.a, p.b, epoch=0, updates=0)
    save_checkpoint(tmp_path / "epoch_0001.npz", 8 * p.W, p.a, p.b, epoch=1, updates=1)
    s = dataclasses.replace(PT, pt_rungs=1, pt_sweeps=60, pt_burn=10)
    msgs = []
    cps = [str(checkpoint_path(tmp_path, e)) for e in (0, 1)]
    run_loglik_trajectory(
        cps, [0, 1], [0, 1], dpath, tmp_path / "out.parquet", settings=s, method="PCD",
        hidden=12, replica=0, log=msgs.append,
    )  # fmt: skip
    warn = [m for m in msgs if "WARNING: exchange" in m]
    assert len(warn) == 1 and "between rungs 0 and 1" in warn[0] and "pt.rungs" in warn[0]
    # the row of epoch 1 says it may be wrong, and why
    flagged = [m for m in msgs if "WARNING: flagged" in m]
    assert len(flagged) == 1 and "epoch 1" in flagged[0] and "acceptance" in flagged[0]
