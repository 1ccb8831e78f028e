"""Replicas of one hidden size trained in one job (``training.batch_replicas``).

The batched job must write the files of one job per replica: bit-for-bit on the numpy/numba
backend, and on torch (CPU device here) equal up to the rounding of batched products. The
workflow option: ``tests/workflow/test_workflow_batch_replicas.py``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import TORCH_CPU, assert_same_runs, tiny_settings

from rbm_reciprocal.core.checkpoint import load_checkpoint
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.stages.train import run_training
from rbm_reciprocal.stages.train_replicas import run_training_replicas
from rbm_reciprocal.training.settings import METHODS, TrainSettings

QUIET = {"log": lambda _: None}


def _replicas(method: str, n: int = 2, **kw) -> list[TrainSettings]:
    base = tiny_settings(method, epochs=3, checkpoints=(0, 1, 3), **kw)
    return [dataclasses.replace(base, replica=r) for r in range(n)]


@pytest.mark.parametrize("method", METHODS)
def test_one_job_equals_one_job_per_replica_bit_for_bit(tmp_path, prototype_data, method):
    settings = _replicas(method)
    for s in settings:
        run_training(prototype_data, s, tmp_path / f"single{s.replica}", **QUIET)
    logs: list[str] = []
    dirs = [tmp_path / f"batched{s.replica}" for s in settings]
    run_training_replicas(prototype_data, settings, dirs, log=logs.append)
    for s in settings:
        assert_same_runs(tmp_path / f"single{s.replica}", tmp_path / f"batched{s.replica}")
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
        assert_same_runs(a, b)


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
        assert_same_runs(tmp_path / f"ref{s.replica}", d, exact=backend == "cpu")


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
        assert_same_runs(tmp_path / f"single{s.replica}", d, exact=False)


def test_torch_batched_job_resumes(tmp_path, prototype_data):
    pytest.importorskip("torch", reason="PyTorch not installed: pip install -e .[gpu]")
    settings = _replicas("PCD", backend=TORCH_CPU)
    full = [tmp_path / f"full{r}" for r in range(2)]
    cut = [tmp_path / f"cut{r}" for r in range(2)]
    run_training_replicas(prototype_data, settings, full, **QUIET)
    run_training_replicas(prototype_data, settings, cut, stop_after_epoch=2, **QUIET)
    run_training_replicas(prototype_data, settings, cut, **QUIET)
    for a, b in zip(full, cut, strict=True):
        assert_same_runs(a, b)
