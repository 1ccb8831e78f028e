"""Trajectory AIS (issue 14): accuracy against exact log Z, with and without resampling,
resume, errors, torch."""

import dataclasses
import os
import subprocess

import numpy as np
import pandas as pd
import pytest
from conftest import (
    BINARIZATION,
    SAMPLE,
    TORCH_CPU,
    job_command,
    loglik_settings,
    sigkill_and_resume,
)

from rbm_reciprocal.analysis.loglik_settings import LOGLIK_COLUMNS
from rbm_reciprocal.analysis.loglik_trajectory import trajectory_pass, trajectory_rows
from rbm_reciprocal.core.checkpoint import checkpoint_path, load_checkpoint
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.core.streams import trajectory_rng
from rbm_reciprocal.data.dataset import prepare_mnist, save_dataset
from rbm_reciprocal.pipeline.config import validate_config
from rbm_reciprocal.pipeline.job import Job, settings_dict
from rbm_reciprocal.sampling.backend import torch_available
from rbm_reciprocal.sampling.partition import log_partition_exact
from rbm_reciprocal.sampling.resample import GroupResampler, group_log_estimates
from rbm_reciprocal.sampling.trajectory import forward_temperature_leg, trajectory_interval
from rbm_reciprocal.stages.loglik import (
    LoglikTrajectory,
    estimator_settings,
    run_loglik_trajectory,
    state_path,
)
from rbm_reciprocal.stages.loglik_tables import collect_loglik


@pytest.fixture(scope="module")
def mnist_sample():
    return prepare_mnist(SAMPLE, n_train=1000, n_test=200, **BINARIZATION)


@pytest.fixture(scope="module")
def trained(trained_784x12):
    """The 784 x 12 RBM of conftest, a checkpoint every epoch; its run directory and data."""
    return trained_784x12


def _paths(run_dir):
    return [checkpoint_path(run_dir, e) for e in range(6)]


SETTINGS = loglik_settings(
    n_chains=200,
    n_betas=300,
    sample_sweeps=200,
    estimator="trajectory",
    traj_steps=100,
    save_every=2,
    traj_resample_ess=0.0,
    traj_sampler="ais",
)

#: Resampling on: at ESS < 90 % of a group's 20 chains (10 groups), so that it happens a
#: few times per interval on these easy models (about 25 group resamplings per pass and
#: direction); forward only (the default), or both passes.
RESAMPLED = dataclasses.replace(SETTINGS, traj_resample_ess=0.9, traj_groups=10)
BOTH = dataclasses.replace(RESAMPLED, traj_resample_reverse=True)


def _with(s, **kw):
    return dataclasses.replace(s, **kw)


@pytest.mark.parametrize("s", [SETTINGS, RESAMPLED, BOTH], ids=["plain", "forward", "both"])
def test_forward_and_reverse_within_3_se_of_exact_at_every_checkpoint(trained, s):
    run_dir, ds = trained
    params = [load_checkpoint(p) for p in _paths(run_dir)]
    state = trajectory_pass(params, ds.train, s, trajectory_rng(1, "PCD", 12, 0))
    rows = trajectory_rows(params, range(6), range(6), state, ds.train, ds.test, s)
    resampled = s.traj_resample_ess > 0
    assert (state["events"][0] > 10) == resampled
    assert (state["events"][1] > 10) == s.traj_resample_reverse
    assert all(r["resample_events"] == int(state["events"].sum()) for r in rows)
    assert all(r["traj_groups"] == (10 if resampled else 0) for r in rows)
    exact = [log_partition_exact(p) for p in params]
    assert [r["epoch"] for r in rows] == list(range(6))
    # log Z moves by several nats along the path (134.7 at the init, 127.8 at epoch 2)
    assert max(exact) - min(exact) > 5.0
    for r, z in zip(rows, exact, strict=True):
        assert r["log_z_exact"] == pytest.approx(z)
        for side in ("ais", "rais"):
            se = r[f"log_z_{side}_se"]
            assert 0 < se < 0.2, (r["epoch"], side, se)
            assert abs(r[f"log_z_{side}"] - z) <= 3 * se + 1e-9, (r["epoch"], side, r, z)
            assert r[f"ess_{side}"] > 0.5 * s.n_chains
        assert r["test_ll_exact"] == pytest.approx(r["test_ll_ais"], abs=0.5)


def test_too_few_steps_degrade_the_weights(trained):
    """With K = 2 steps per interval the weights degenerate (ESS far below the K = 100 run's
    > 50 %) and the standard errors grow."""
    run_dir, ds = trained
    params = [load_checkpoint(p) for p in _paths(run_dir)]
    fast = _with(SETTINGS, traj_steps=2)
    state = trajectory_pass(params, ds.train, fast, trajectory_rng(2, "PCD", 12, 0))
    rows = trajectory_rows(params, range(6), [5], state, ds.train, ds.test, fast)
    z = log_partition_exact(params[-1])
    print(rows[0], z)
    for side in ("ais", "rais"):
        assert rows[0][f"ess_{side}"] < 0.5 * fast.n_chains
        assert rows[0][f"log_z_{side}_se"] > 0.1


def test_interval_of_identical_models_leaves_weights_unchanged():
    rng = np.random.default_rng(0)
    p = RBMParams(
        rng.normal(0, 0.5, (20, 5)).astype(np.float32),
        rng.normal(0, 0.5, 20).astype(np.float32),
        rng.normal(0, 0.5, 5).astype(np.float32),
    )
    v, lw = forward_temperature_leg(p, np.linspace(0, 1, 50), 30, rng, p.a)
    _, lw2 = trajectory_interval(p, p, 7, v, lw, rng)
    np.testing.assert_allclose(lw2, lw, rtol=0, atol=1e-6)  # float64 rounding only


def test_forward_resampling_leaves_the_reverse_pass_plain(trained):
    """The passes have their own streams: resampling the forward pass only gives the plain
    reverse estimates bit for bit (and resampling both, the same forward ones)."""
    run_dir, ds = trained
    params = [load_checkpoint(p) for p in _paths(run_dir)]
    rows = {}
    for name, s in (("plain", SETTINGS), ("forward", RESAMPLED), ("both", BOTH)):
        s = _with(s, traj_steps=10)
        state = trajectory_pass(params, ds.train, s, trajectory_rng(4, "PCD", 12, 0))
        rows[name] = trajectory_rows(params, range(6), range(6), state, ds.train, ds.test, s)
    for k in range(6):
        for col in ("log_z_rais", "log_z_rais_se", "ess_rais"):
            assert rows["forward"][k][col] == rows["plain"][k][col]
        for col in ("log_z_ais", "log_z_ais_se", "ess_ais"):
            assert rows["forward"][k][col] == rows["both"][k][col]
    assert rows["forward"][5]["log_z_ais"] != rows["plain"][5]["log_z_ais"]


def test_resampling_keeps_the_group_estimates_and_gathers_chains():
    """A resampling event leaves every group's estimate ``acc_g + log mean w`` unchanged,
    resets the resampled groups' weights and draws ancestors within the group only;
    systematic resampling of one dominant chain copies it to the whole group."""
    rng = np.random.default_rng(5)
    logw = rng.normal(0, 2, 40)
    logw[10:20] = np.r_[30.0, np.zeros(9)]  # group 1: one chain has all the weight
    r = GroupResampler(40, 4, 0.5, acc=np.array([0.5, -1.0, 2.0, 0.0]))
    before = group_log_estimates(logw, r.acc)
    idx = r.step(logw, rng)
    np.testing.assert_allclose(group_log_estimates(logw, r.acc), before, rtol=0, atol=1e-12)
    assert r.events >= 1 and np.all(idx[10:20] == 10)
    for g in range(4):
        assert np.all((idx[10 * g : 10 * g + 10] // 10) == g)
    reset = [g for g in range(4) if np.all(logw[10 * g : 10 * g + 10] == 0)]
    assert len(reset) == r.events and 1 in reset
    assert r.step(np.zeros(40), rng) is None  # uniform weights: nothing to do


def test_a_resampler_that_never_fires_changes_nothing(trained):
    """The plain pass (``traj_resample_ess = 0``) and a resampler whose threshold is never
    reached draw the same random numbers: the chains and weights agree bit for bit."""
    run_dir, _ = trained
    p0, p1 = (load_checkpoint(p) for p in _paths(run_dir)[2:4])
    rng = np.random.default_rng(3)
    v, lw = forward_temperature_leg(p0, np.linspace(0, 1, 20), 40, rng, p0.a)
    a = trajectory_interval(p0, p1, 9, v, lw, np.random.default_rng(4))
    never = GroupResampler(40, 4, 1e-9)
    b = trajectory_interval(p0, p1, 9, v, lw, np.random.default_rng(4), never)
    assert never.events == 0 and np.all(never.acc == 0)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("s", [SETTINGS, BOTH], ids=["plain", "resampled"])
def test_stage_resumes_bit_identical_after_a_stop(tmp_path, trained, s):
    run_dir, ds = trained
    data = tmp_path / "data.npz"
    save_dataset(data, ds, {})
    paths = _paths(run_dir)
    full = run_loglik_trajectory(
        paths,
        range(6),
        range(6),
        data,
        tmp_path / "full.parquet",
        s,
        "PCD",
        12,
        0,
        log=lambda _: None,
    )
    out = tmp_path / "cut.parquet"
    for k in (3, 4):  # stops mid-forward (saved at 2 and 3), then mid-reverse
        r = run_loglik_trajectory(
            paths,
            range(6),
            range(6),
            data,
            out,
            s,
            "PCD",
            12,
            0,
            log=lambda _: None,
            stop_after_intervals=k,
        )
        assert r is None and state_path(out).exists() and not out.exists()
    logs = []
    cut = run_loglik_trajectory(
        paths, range(6), range(6), data, out, s, "PCD", 12, 0, log=logs.append
    )
    assert "resuming" in logs[0]
    # a state saved with other settings is not resumed
    other = _with(s, traj_steps=7)
    run_loglik_trajectory(
        paths,
        range(6),
        range(6),
        data,
        out,
        other,
        "PCD",
        12,
        0,
        log=lambda _: None,
        stop_after_intervals=1,
    )
    logs = []
    run_loglik_trajectory(paths, range(6), range(6), data, out, s, "PCD", 12, 0, log=logs.append)
    assert "starting afresh" in logs[0] and "resuming" not in logs[1]
    assert not state_path(out).exists()
    timing = ["ais_seconds", "rais_seconds", "wall_seconds"]
    pd.testing.assert_frame_equal(full.drop(columns=timing), cut.drop(columns=timing))
    assert list(full.columns) == list(LOGLIK_COLUMNS) and len(full) == 6
    # a crosscheck row fills the *_check columns of its epoch only
    check = full.iloc[[5]].assign(log_z_ais=1.5, log_z_rais=2.5, n_betas=777)
    check.to_parquet(tmp_path / "check.parquet")
    table = collect_loglik([out], tmp_path / "all.parquet", [tmp_path / "check.parquet"])
    assert table["check_betas"].tolist() == [0] * 5 + [777]
    assert table["log_z_ais_check"].iloc[5] == 1.5
    assert table["log_z_ais_check"].iloc[:5].isna().all()


def test_errors(trained, tmp_path):
    run_dir, ds = trained
    params = [load_checkpoint(p) for p in _paths(run_dir)]
    with pytest.raises(ConfigError, match="unknown loglik method"):
        loglik_settings(estimator="bridge")
    with pytest.raises(ConfigError, match="traj_steps must be >= 1"):
        loglik_settings(traj_steps=0)
    with pytest.raises(ConfigError, match="traj_resample_ess must be in"):
        loglik_settings(traj_resample_ess=1.5)
    with pytest.raises(ConfigError, match="traj_groups must be between 2 and"):
        loglik_settings(n_chains=10, traj_resample_ess=0.5, traj_groups=6)
    ll = {"n_chains": 40, "betas": {"schedule": "uniform", "n": 10}, "base": "samples"}
    ll |= {"rais_start": "samples", "sample_sweeps": 5, "exact_max_units": 0}
    ll["trajectory"] = {"steps": 9, "resample_ess": 0.4, "groups": 5, "resample_reverse": True}
    job = estimator_settings(validate_config({"seed": 1, "loglik": ll}), "trajectory")
    assert (job.traj_steps, job.traj_resample_ess, job.traj_groups) == (9, 0.4, 5)
    assert job.traj_resample_reverse is True and job.estimator == "trajectory"
    small = RBMParams(params[0].W[:, :5].copy(), params[0].a, params[0].b[:5].copy())
    with pytest.raises(ConfigError, match="must all be"):
        trajectory_pass([params[0], small], ds.train, SETTINGS, trajectory_rng(0, "PCD", 1, 0))
    with pytest.raises(ConfigError, match="not on the trajectory"):
        run_loglik_trajectory(
            _paths(run_dir)[:2],
            [0, 1],
            [3],
            tmp_path / "d.npz",
            tmp_path / "o.parquet",
            SETTINGS,
            "PCD",
            12,
            0,
        )


@pytest.mark.skipif(not torch_available(), reason="torch not installed")
@pytest.mark.parametrize("s", [SETTINGS, BOTH], ids=["plain", "resampled"])
def test_torch_backend_same_estimator(trained, s):
    run_dir, ds = trained
    params = [load_checkpoint(p) for p in _paths(run_dir)]
    s = _with(s, backend=TORCH_CPU)
    state = trajectory_pass(params, ds.train, s, trajectory_rng(3, "PCD", 12, 0))
    assert (state["events"].sum() > 0) == (s.traj_resample_ess > 0)
    rows = trajectory_rows(params, range(6), range(6), state, ds.train, ds.test, s)
    for r, p in zip(rows, params, strict=True):
        z = log_partition_exact(p)
        for side in ("ais", "rais"):
            assert abs(r[f"log_z_{side}"] - z) <= 3 * r[f"log_z_{side}_se"] + 1e-9, (r, z)


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_sigkill_of_trajectory_job_then_rerun_is_bit_identical(tmp_path, trained):
    """A real kill (SIGKILL, no handler runs) of a loglik_trajectory job
    (`python -m rbm_reciprocal run --job FILE`) mid-pass, with both passes resampled; the
    rerun resumes from the saved state (chains, weights, group accumulators, generators) and
    writes the uninterrupted table."""
    run_dir, ds = trained
    data = tmp_path / "data.npz"
    save_dataset(data, ds, {})
    s = _with(BOTH, traj_steps=3000, save_every=1)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

    def cmd(out):
        job = Job(
            "loglik_trajectory",
            input={"checkpoints": [str(p) for p in _paths(run_dir)], "data": str(data)},
            output={"table": str(out)},
            wildcards={"method": "PCD", "hidden": "12", "replica": "0"},
            settings=settings_dict(LoglikTrajectory(s, list(range(6)), list(range(6)))),
        )
        return job_command(out.with_suffix(".job.json"), job)

    ref = tmp_path / "ref.parquet"
    r = subprocess.run(cmd(ref), capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    out = tmp_path / "out.parquet"
    sigkill_and_resume(
        cmd, ref, out, state_path(out),
        lambda st: int(st["phase"]) == 2 or int(st["interval"]) >= 2, env,
    )  # fmt: skip
