"""Replicas of one hidden size trained in one job (``training.batch_replicas``).

The batched job must write the files of one job per replica: bit-for-bit on the numpy/numba
backend, and on torch (CPU device here) equal up to the rounding of batched products.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import (
    ROOT,
    TORCH_CPU,
    snakemake_run,
    snakemake_with,
    tiny_settings,
    train_job,
    write_override,
)

from rbm_reciprocal.core.checkpoint import load_checkpoint
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.pipeline.config import coerce_to_schema, load_config, load_schema
from rbm_reciprocal.pipeline.cost import n_images
from rbm_reciprocal.pipeline.plans.train import train_settings_from_config
from rbm_reciprocal.pipeline.resources import array_mb, job_mem_mb, job_threads
from rbm_reciprocal.pipeline.runtime import job_cost, job_runtime_minutes
from rbm_reciprocal.stages.train import run_training
from rbm_reciprocal.stages.train_replicas import run_training_replicas
from rbm_reciprocal.training.settings import METHODS, TrainSettings

TIMING = ["epoch_seconds", "updates_per_second", "wall_seconds"]
QUIET = {"log": lambda _: None}


def _replicas(method: str, n: int = 2, **kw) -> list[TrainSettings]:
    base = tiny_settings(method, epochs=3, checkpoints=(0, 1, 3), **kw)
    return [dataclasses.replace(base, replica=r) for r in range(n)]


def _assert_same_runs(a, b, exact=True):
    for e in (0, 1, 3):
        name = f"epoch_{e:04d}.npz"
        pa, pb = load_checkpoint(a / name), load_checkpoint(b / name)
        for x, y in ((pa.W, pb.W), (pa.a, pb.a), (pa.b, pb.b)):
            if exact:
                np.testing.assert_array_equal(x, y)
            else:
                np.testing.assert_allclose(x, y, rtol=0, atol=1e-5)
    ma = pd.read_parquet(a / "metrics.parquet").drop(columns=TIMING)
    mb = pd.read_parquet(b / "metrics.parquet").drop(columns=TIMING)
    pd.testing.assert_frame_equal(ma, mb, check_exact=exact, atol=1e-6)


@pytest.mark.parametrize("method", METHODS)
def test_one_job_equals_one_job_per_replica_bit_for_bit(tmp_path, prototype_data, method):
    settings = _replicas(method)
    for s in settings:
        run_training(prototype_data, s, tmp_path / f"single{s.replica}", **QUIET)
    logs: list[str] = []
    dirs = [tmp_path / f"batched{s.replica}" for s in settings]
    run_training_replicas(prototype_data, settings, dirs, log=logs.append)
    for s in settings:
        _assert_same_runs(tmp_path / f"single{s.replica}", tmp_path / f"batched{s.replica}")
        assert not (tmp_path / f"batched{s.replica}" / ".partial").exists()
    # replicas differ (own streams), and the log shows every replica's progress
    w0, w1 = (load_checkpoint(d / "epoch_0003.npz").W for d in dirs)
    assert not np.array_equal(w0, w1)
    assert any("2 replicas [0, 1] in one job (one after another" in line for line in logs)
    for r in (0, 1):
        assert sum(f"replica {r}] epoch" in line and "ETA" in line for line in logs) == 3


def test_interrupted_job_resumes_every_replica(tmp_path, prototype_data):
    settings = _replicas("PCD")
    full = [tmp_path / f"full{r}" for r in range(2)]
    cut = [tmp_path / f"cut{r}" for r in range(2)]
    run_training_replicas(prototype_data, settings, full, **QUIET)
    run_training_replicas(prototype_data, settings, cut, stop_after_epoch=1, **QUIET)
    assert not (cut[0] / "metrics.parquet").exists()  # nothing looks complete yet
    logs: list[str] = []
    run_training_replicas(prototype_data, settings, cut, log=logs.append)
    assert sum("resuming from epoch 1" in line for line in logs) == 2
    for a, b in zip(full, cut, strict=True):
        _assert_same_runs(a, b)


@pytest.mark.parametrize("backend", ["cpu", "torch"])
def test_replicas_at_different_epochs_catch_up(tmp_path, prototype_data, backend):
    """A per-replica job's partial run (replica 0 at epoch 2) and a fresh replica 1."""
    if backend == "torch":
        pytest.importorskip("torch", reason="PyTorch not installed: pip install -e .[gpu]")
    settings = _replicas("CD", backend=dataclasses.replace(TORCH_CPU, name=backend))
    dirs = [tmp_path / f"r{r}" for r in range(2)]
    run_training(prototype_data, settings[0], dirs[0], stop_after_epoch=2, **QUIET)
    run_training_replicas(prototype_data, settings, dirs, **QUIET)
    for s, d in zip(settings, dirs, strict=True):
        run_training(prototype_data, s, tmp_path / f"ref{s.replica}", **QUIET)
        _assert_same_runs(tmp_path / f"ref{s.replica}", d, exact=backend == "cpu")


def test_replicas_of_one_job_must_share_their_settings(tmp_path, prototype_data):
    a, b = _replicas("PCD")
    with pytest.raises(ConfigError, match=r"differ in \['hidden'\]"):
        run_training_replicas(
            prototype_data, [a, dataclasses.replace(b, hidden=7)], [tmp_path / "x", tmp_path / "y"]
        )
    with pytest.raises(ConfigError, match="must be distinct"):
        run_training_replicas(prototype_data, [a, a], [tmp_path / "x", tmp_path / "y"])
    with pytest.raises(ConfigError, match="2 replicas but 1 output"):
        run_training_replicas(prototype_data, [a, b], [tmp_path / "x"])


@pytest.mark.parametrize("method", METHODS)
def test_torch_batched_sweeps_equal_one_job_per_replica(tmp_path, prototype_data, method):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install -e .[gpu]")
    torch.set_num_threads(1)
    settings = _replicas(method, n=3, backend=TORCH_CPU)
    logs: list[str] = []
    dirs = [tmp_path / f"batched{s.replica}" for s in settings]
    run_training_replicas(prototype_data, settings, dirs, log=logs.append)
    assert any("in one job (batched Gibbs sweeps; backend torch)" in line for line in logs)
    for s, d in zip(settings, dirs, strict=True):
        run_training(prototype_data, s, tmp_path / f"single{s.replica}", **QUIET)
        # same seeds and uniforms; baddbmm may round differently from addmm on some BLAS
        _assert_same_runs(tmp_path / f"single{s.replica}", d, exact=False)


def test_torch_batched_job_resumes(tmp_path, prototype_data):
    pytest.importorskip("torch", reason="PyTorch not installed: pip install -e .[gpu]")
    settings = _replicas("PCD", backend=TORCH_CPU)
    full = [tmp_path / f"full{r}" for r in range(2)]
    cut = [tmp_path / f"cut{r}" for r in range(2)]
    run_training_replicas(prototype_data, settings, full, **QUIET)
    run_training_replicas(prototype_data, settings, cut, stop_after_epoch=2, **QUIET)
    run_training_replicas(prototype_data, settings, cut, **QUIET)
    for a, b in zip(full, cut, strict=True):
        _assert_same_runs(a, b)


# -- the workflow option ---------------------------------------------------------------
SMOKE = [ROOT / "config.yaml", ROOT / "workflow/presets/smoke.yaml"]


def test_option_plans_one_job_per_hidden_size(tmp_path):
    on = 'training={"batch_replicas": true}'
    r = snakemake_with(tmp_path, SMOKE, "-n", "-p", "--cores", "1", "--config", on)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-3000:]
    assert re.search(r"^train_rbm_batched\s+2$", out, re.M), out[-3000:]
    assert not re.search(r"^train_rbm\s", out, re.M)  # no per-replica job can run
    assert "python -m rbm_reciprocal run --job results/logs/train/PCD_M16_replicas.job.json" in out
    assert '"r1_metrics": "results/train/PCD/M16/replica1/metrics.parquet"' in out
    # off (the default): one job per replica, as before
    r = snakemake_with(tmp_path, SMOKE, "-n", "--cores", "1")
    assert re.search(r"^train_rbm\s+4$", r.stdout, re.M) and "train_rbm_batched" not in r.stdout


def test_option_is_a_boolean(tmp_path):
    schema = load_schema()
    assert coerce_to_schema({"training": {"batch_replicas": "true"}}, schema) == {
        "training": {"batch_replicas": True}
    }
    r = snakemake_with(
        tmp_path, SMOKE, "-n", "--cores", "1", "--config", 'training={"batch_replicas": "maybe"}'
    )
    assert r.returncode != 0
    assert (
        "invalid configuration at 'training.batch_replicas': 'maybe' is not of type 'boolean'"
        in r.stdout + r.stderr
    )


@pytest.mark.slow
def test_batched_job_writes_the_per_replica_files(tmp_path):
    """The smoke preset's M = 16 replicas through Snakemake, as a user runs it: same
    checkpoints as one run_training per replica, progress of both replicas in the log."""
    write_override(tmp_path, training={"batch_replicas": True})
    targets = [f"results/train/PCD/M16/replica{r}/metrics.parquet" for r in (0, 1)]
    r = snakemake_run(tmp_path, "--cores", "1", *targets)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    log = (tmp_path / "results/logs/train/PCD_M16_replicas.log").read_text()
    assert "2 replicas [0, 1] in one job (one after another; backend cpu)" in log
    for rep in (0, 1):
        assert f"[PCD-5 M=16 replica {rep}] epoch 3/3" in log
    # the reference: a train_rbm job per replica, with the job's one BLAS thread (BLAS sums
    # are bit-for-bit only at a fixed thread count)
    cfg = load_config([*SMOKE, tmp_path / "override.yaml"])
    blas = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    env = os.environ | {v: "1" for v in blas}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    for rep in (0, 1):
        settings = train_settings_from_config(cfg, "PCD", 16, rep)
        data = "results/data/mnist.npz"
        job = train_job(tmp_path / f"ref{rep}.job.json", data, f"ref{rep}", settings)
        cmd = [sys.executable, "-m", "rbm_reciprocal", "run", "train_rbm", "--job", str(job)]
        ref = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert ref.returncode == 0, ref.stderr[-2000:]
        _assert_same_runs(tmp_path / f"ref{rep}", tmp_path / f"results/train/PCD/M16/replica{rep}")


def test_batched_job_requests_count_every_replica():
    """Paper config (5 replicas): R x the work and arrays of a replica, one data set."""
    cfg = load_config([ROOT / "config.yaml"])
    r = int(cfg["model"]["replicas"])
    w = SimpleNamespace(method="PCD", hidden="500")
    one, batched = job_cost(cfg, "train_rbm", w), job_cost(cfg, "train_rbm_batched", w)
    assert (batched.jobs, batched.gemm, batched.svd) == (1, r * one.gemm, r * one.svd)
    assert batched.sweeps == r * one.sweeps and batched.rule == "train_rbm_batched"
    data = (n_images(cfg, "train") + n_images(cfg, "test")) * 784 * 4
    single = array_mb(cfg, "train_rbm", w)
    assert array_mb(cfg, "train_rbm_batched", w) == pytest.approx(data + r * (single - data))
    assert job_mem_mb(cfg, "train_rbm_batched", w) > job_mem_mb(cfg, "train_rbm", w)
    assert job_threads(cfg, "train_rbm_batched") == job_threads(cfg, "train_rbm")
    # resumable like train_rbm: capped at the partition maximum
    assert job_runtime_minutes(cfg, "train_rbm_batched", w) == 2880
    # uncapped: R times one replica's time (CPU rate; on a GPU an upper bound)
    t1 = job_runtime_minutes(cfg, "train_rbm", w, overhead=0.0, cap=None)
    tr = job_runtime_minutes(cfg, "train_rbm_batched", w, overhead=0.0, cap=None)
    assert abs(tr - r * t1) <= r
