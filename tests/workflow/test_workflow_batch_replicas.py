"""The workflow option ``training.batch_replicas``: the smoke preset plans one job per
hidden size, whose files equal one train_rbm job per replica (the stage:
``tests/training/test_train_replicas.py``), with the requests of every replica."""

import os
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest
from conftest import (
    ROOT,
    SMOKE,
    SMOKE_CONFIGS,
    assert_same_runs,
    snakemake_run,
    snakemake_with,
    train_job,
    write_override,
)

from rbm_reciprocal.pipeline.config import coerce_to_schema, load_config, load_schema
from rbm_reciprocal.pipeline.cost import n_images
from rbm_reciprocal.pipeline.resources import array_mb, job_mem_mb, job_threads
from rbm_reciprocal.pipeline.runtime import job_cost, job_runtime_minutes
from rbm_reciprocal.stages.registry import step
from rbm_reciprocal.stages.train import train_settings_from_config

# the smoke preset's models: its first method and hidden size, its replicas
METHOD, HIDDEN = SMOKE["training"]["methods"][0], SMOKE["model"]["hidden"][0]
REPLICAS = list(range(SMOKE["model"]["replicas"]))
N_MODELS = len(SMOKE["training"]["methods"]) * len(SMOKE["model"]["hidden"])


def test_option_plans_one_job_per_hidden_size(tmp_path):
    on = 'training={"batch_replicas": true}'
    r = snakemake_with(tmp_path, SMOKE_CONFIGS, "-n", "-p", "--cores", "1", "--config", on)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-3000:]
    assert re.search(rf"^train_rbm_batched\s+{N_MODELS}$", out, re.M), out[-3000:]
    assert not re.search(r"^train_rbm\s", out, re.M)  # no per-replica job can run
    res = SMOKE["results_dir"]  # the preset's own folder (no override here)
    job = f"{res}/logs/train/{METHOD}_M{HIDDEN}_replicas.job.json"
    assert f"python -m rbm_reciprocal run --job {job}" in out
    last = REPLICAS[-1]
    metrics = f"{res}/train/{METHOD}/M{HIDDEN}/replica{last}/metrics.parquet"
    assert f'"r{last}_metrics": "{metrics}"' in out
    # off (the default): one job per replica, as before
    r = snakemake_with(tmp_path, SMOKE_CONFIGS, "-n", "--cores", "1")
    n_jobs = N_MODELS * len(REPLICAS)
    assert re.search(rf"^train_rbm\s+{n_jobs}$", r.stdout, re.M)
    assert "train_rbm_batched" not in r.stdout


def test_option_is_a_boolean(tmp_path):
    schema = load_schema()
    assert coerce_to_schema({"training": {"batch_replicas": "true"}}, schema) == {
        "training": {"batch_replicas": True}
    }
    maybe = 'training={"batch_replicas": "maybe"}'
    r = snakemake_with(tmp_path, SMOKE_CONFIGS, "-n", "--cores", "1", "--config", maybe)
    assert r.returncode != 0
    assert (
        "invalid configuration at 'training.batch_replicas': 'maybe' is not of type 'boolean'"
        in r.stdout + r.stderr
    )


@pytest.mark.slow
def test_batched_job_writes_the_per_replica_files(tmp_path):
    """The replicas of the smoke preset's first model through Snakemake, as a user runs it:
    same checkpoints as one run_training per replica, progress of every replica in the log."""
    write_override(tmp_path, training={"batch_replicas": True})
    run = f"results/train/{METHOD}/M{HIDDEN}"
    targets = [f"{run}/replica{r}/metrics.parquet" for r in REPLICAS]
    r = snakemake_run(tmp_path, "--cores", "1", *targets)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    log = (tmp_path / f"results/logs/train/{METHOD}_M{HIDDEN}_replicas.log").read_text()
    n = len(REPLICAS)
    assert f"{n} replicas {REPLICAS} in one job (one after another; backend cpu)" in log
    k, epochs = SMOKE["training"]["gibbs_steps"], SMOKE["training"]["epochs"]
    for rep in REPLICAS:
        assert f"[{METHOD}-{k} M={HIDDEN} replica {rep}] epoch {epochs}/{epochs}" in log
    # the reference: a train_rbm job per replica, with the job's one BLAS thread (BLAS sums
    # are bit-for-bit only at a fixed thread count)
    cfg = load_config([*SMOKE_CONFIGS, tmp_path / "override.yaml"])
    blas = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    env = os.environ | {v: "1" for v in blas}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    for rep in REPLICAS:
        settings = train_settings_from_config(cfg, METHOD, HIDDEN, rep)
        data = "results/data/mnist.npz"
        job = train_job(tmp_path / f"ref{rep}.job.json", data, f"ref{rep}", settings)
        cmd = [sys.executable, "-m", "rbm_reciprocal", "run", "train_rbm", "--job", str(job)]
        ref = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert ref.returncode == 0, ref.stderr[-2000:]
        assert_same_runs(tmp_path / f"ref{rep}", tmp_path / f"{run}/replica{rep}")


def test_batched_job_requests_count_every_replica():
    """Paper config (5 replicas): R x the work and arrays of a replica, one data set."""
    cfg = load_config([ROOT / "config.yaml"])
    r = int(cfg["model"]["replicas"])
    w = SimpleNamespace(method="PCD", hidden="500")
    one, batched = job_cost(cfg, step("train_rbm"), w), job_cost(cfg, step("train_rbm_batched"), w)
    assert (batched.jobs, batched.gemm, batched.svd) == (1, r * one.gemm, r * one.svd)
    assert batched.sweeps == r * one.sweeps and batched.rule == "train_rbm_batched"
    data = (n_images(cfg, "train") + n_images(cfg, "test")) * 784 * 4
    single = array_mb(cfg, step("train_rbm"), w)
    assert array_mb(cfg, step("train_rbm_batched"), w) == pytest.approx(data + r * (single - data))
    assert job_mem_mb(cfg, step("train_rbm_batched"), w) > job_mem_mb(cfg, step("train_rbm"), w)
    assert job_threads(cfg, step("train_rbm_batched")) == job_threads(cfg, step("train_rbm"))
    # resumable like train_rbm: capped at the partition maximum
    assert job_runtime_minutes(cfg, step("train_rbm_batched"), w) == 2880
    # uncapped: R times one replica's time (CPU rate; on a GPU an upper bound)
    t1 = job_runtime_minutes(cfg, step("train_rbm"), w, overhead=0.0, cap=None)
    tr = job_runtime_minutes(cfg, step("train_rbm_batched"), w, overhead=0.0, cap=None)
    assert abs(tr - r * t1) <= r
