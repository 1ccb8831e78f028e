"""Reliability under faults: killed training jobs resume, killed outputs never look complete,
and a second Snakemake on the same directory fails cleanly on the lock.

Each test trains one tiny RBM (M = 16, PCD-300 on 1,000 sample images, ~1 s per epoch)
through Snakemake with the default profile, in its own temporary directory.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, SMOKE_CONFIGS, SNAKEMAKE, train_job, write_override

from rbm_reciprocal.core.io import load_npz
from rbm_reciprocal.pipeline.config import load_config
from rbm_reciprocal.stages.train import train_settings_from_config

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="POSIX signals")]

EPOCHS = 4
RUN = Path("results/train/PCD/M16/replica0")
TARGET = str(RUN / "metrics.parquet")
LOG = Path("results/logs/train/PCD_M16_replica0.log")
TRAINING = {
    "methods": ["PCD"],
    "gibbs_steps": 300,
    "batch_size": 100,
    "n_chains": 100,
    "epochs": EPOCHS,
    "updates_per_epoch": None,
    "checkpoints": {"every": 1},
    "resume_every": 1,
}


def command(tmp: Path, *args: str) -> list[str]:
    return [
        *SNAKEMAKE,
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--directory",
        str(tmp),
        "--workflow-profile",
        str(ROOT / "workflow/profiles/default"),
        "--configfile",
        *map(str, SMOKE_CONFIGS),
        str(tmp / "override.yaml"),
        "--cores",
        "1",
        *args,
    ]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """A directory whose results/data (raw + mnist.npz) is built, to copy into each test."""
    tmp = tmp_path_factory.mktemp("faults_data")
    setup(tmp)
    r = subprocess.run(
        command(tmp, "results/data/mnist.npz"), capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    return tmp


def setup(tmp: Path, prepared: Path | None = None, epochs: int = EPOCHS) -> None:
    training = dict(TRAINING, epochs=epochs)
    write_override(tmp, model={"hidden": [16], "replicas": 1}, training=training)
    if prepared is not None:  # copy2 keeps mtimes: Snakemake sees the data up to date
        shutil.copytree(prepared / "results/data", tmp / "results/data")


def start(tmp: Path) -> subprocess.Popen:
    """Snakemake in its own process group (as a terminal or a batch system would run it)."""
    log = tmp / f"snakemake_{time.monotonic_ns()}.log"
    with open(log, "w") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            command(tmp, TARGET), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    proc.log_path = log
    return proc


def wait_for_epochs(tmp: Path, proc: subprocess.Popen, n: int, timeout: float = 60) -> None:
    """Until the resume state of the running job holds at least ``n`` epochs."""
    resume = tmp / RUN / ".partial/resume.npz"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "snakemake ended before the kill"
        if resume.exists():
            try:
                if int(load_npz(resume)["epoch"]) >= n:
                    return
            except Exception:  # being written (save_npz writes a temp file, then renames)
                pass
        time.sleep(0.1)
    raise AssertionError(f"no epoch {n} in {resume} after {timeout} s")


def training_pids(tmp: Path) -> list[int]:
    """PIDs of `python -m rbm_reciprocal run` processes (the jobs) working in ``tmp``."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if b"rbm_reciprocal" in cmd and b"run" in cmd and cwd == str(tmp):
            pids.append(int(proc.name))
    return pids


def saved_epoch(tmp: Path) -> int:
    return int(load_npz(tmp / RUN / ".partial/resume.npz")["epoch"])


def assert_not_complete(tmp: Path) -> None:
    """No final output of the killed job exists (the rerun then shows Snakemake redoes it)."""
    finals = [tmp / TARGET, *(tmp / RUN / f"epoch_{e:04d}.npz" for e in range(EPOCHS + 1))]
    assert not [p for p in finals if p.exists()]


def rerun_and_check_resume(tmp: Path, epoch: int) -> None:
    """Rerun to the end; the job continues from ``epoch`` and the run is complete."""
    r = subprocess.run(command(tmp, TARGET), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    log = (tmp / LOG).read_text()  # each attempt appends its lines
    assert f"resuming from epoch {epoch} " in log, log
    rerun = log[log.index(f"resuming from epoch {epoch} ") :]
    for e in range(1, epoch + 1):  # work up to the checkpoint is not redone
        assert f" epoch {e}/{EPOCHS} " not in rerun
    assert f" epoch {EPOCHS}/{EPOCHS} " in rerun
    metrics = pd.read_parquet(tmp / TARGET)
    assert list(metrics["epoch"]) == list(range(EPOCHS + 1))
    assert list(metrics["updates"]) == [10 * e for e in range(EPOCHS + 1)]
    assert not (tmp / RUN / ".partial").exists()


def reference_weights(tmp: Path) -> np.ndarray:
    """Final W of an uninterrupted run with the job's settings and thread count (1)."""
    config = load_config([*SMOKE_CONFIGS, tmp / "override.yaml"])
    settings = train_settings_from_config(config, "PCD", 16, 0)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = tmp / "reference"
    job = train_job(tmp / "reference.job.json", tmp / "results/data/mnist.npz", out, settings)
    cmd = [sys.executable, "-m", "rbm_reciprocal", "run", "--job", str(job)]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return load_npz(out / f"epoch_{EPOCHS:04d}.npz")["W"]


def test_sigterm_to_snakemake_group_then_rerun_resumes(tmp_path, prepared):
    setup(tmp_path, prepared)
    proc = start(tmp_path)
    wait_for_epochs(tmp_path, proc, 1)
    os.killpg(proc.pid, signal.SIGTERM)  # Ctrl-C-like stop of Snakemake and its job
    assert proc.wait(timeout=60) != 0
    epoch = saved_epoch(tmp_path)
    assert 1 <= epoch < EPOCHS
    assert_not_complete(tmp_path)
    rerun_and_check_resume(tmp_path, epoch)
    final = load_npz(tmp_path / RUN / f"epoch_{EPOCHS:04d}.npz")["W"]
    np.testing.assert_array_equal(final, reference_weights(tmp_path))


def test_sigkill_of_training_process_then_rerun_resumes(tmp_path, prepared):
    setup(tmp_path, prepared)
    proc = start(tmp_path)
    wait_for_epochs(tmp_path, proc, 2)
    pids = training_pids(tmp_path)
    assert pids, "training process not found"
    for pid in pids:
        os.kill(pid, signal.SIGKILL)  # no handler runs: as an OOM kill or a node failure
    assert proc.wait(timeout=60) != 0
    epoch = saved_epoch(tmp_path)
    assert 2 <= epoch < EPOCHS
    assert_not_complete(tmp_path)
    rerun_and_check_resume(tmp_path, epoch)


def test_second_snakemake_on_same_directory_fails_on_lock(tmp_path, prepared):
    setup(tmp_path, prepared)
    runs = [start(tmp_path), start(tmp_path)]  # the same targets, at the same time
    codes = [p.wait(timeout=180) for p in runs]
    assert sorted(codes)[0] == 0 and sorted(codes)[1] != 0, codes  # one wins the lock
    loser = runs[1 - codes.index(0)].log_path.read_text()
    assert "LockException" in loser or "cannot be locked" in loser, loser[-2000:]
    # it ran nothing (the cache note "rule train_rbm is eligible ..." may name the rule)
    assert "Traceback" not in loser and "rule train_rbm:" not in loser
    metrics = pd.read_parquet(tmp_path / TARGET)  # the winner's outputs are whole
    assert list(metrics["epoch"]) == list(range(EPOCHS + 1))
    for e in range(EPOCHS + 1):
        ck = load_npz(tmp_path / RUN / f"epoch_{e:04d}.npz")
        assert int(ck["epoch"]) == e and np.isfinite(ck["W"]).all()
    log = (tmp_path / LOG).read_text()
    assert "resuming" not in log and f" epoch {EPOCHS}/{EPOCHS} " in log
    locks = tmp_path / ".snakemake/locks"
    assert not locks.exists() or not list(locks.iterdir())  # and the lock is released
