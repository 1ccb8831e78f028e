"""End to end: the smoke DAG in a temporary directory, on the committed MNIST sample."""

import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from conftest import (
    ROOT,
    SMOKE,
    SMOKE_EPOCHS,
    SMOKE_MODELS,
    SNAKEMAKE,
    snakemake_run,
    snakemake_with,
    write_override,
)

from rbm_reciprocal.core.io import load_npz


@pytest.mark.slow
def test_smoke_dag_end_to_end(smoke_run):
    tmp_path = smoke_run
    figs = {p.name for p in (tmp_path / "figures").iterdir()}
    assert {f"fig3_{p}.{e}" for p in "abcdf" for e in ("pdf", "png")} <= figs
    for f in (tmp_path / "figures").iterdir():
        head = f.read_bytes()[:8]
        assert head.startswith(b"%PDF") if f.suffix == ".pdf" else head == b"\x89PNG\r\n\x1a\n"

    data = load_npz(tmp_path / "results/data/mnist.npz")
    n_train, n_test = SMOKE["data"]["n_train"], SMOKE["data"]["n_test"]
    assert data["train"].shape == (n_train, 784) and data["test"].shape == (n_test, 784)
    assert list(data["train_labels"][:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]

    tr = SMOKE["training"]
    last, per_epoch = tr["epochs"], tr["updates_per_epoch"] or n_train // tr["batch_size"]
    for method, m, r_ in SMOKE_MODELS:
        run = tmp_path / f"results/train/{method}/M{m}/replica{r_}"
        names = sorted(p.name for p in run.iterdir())
        assert names == [f"epoch_{e:04d}.npz" for e in SMOKE_EPOCHS] + ["metrics.parquet"]
        metrics = pd.read_parquet(run / "metrics.parquet")
        assert list(metrics["updates"]) == [e * per_epoch for e in SMOKE_EPOCHS]
        # learning happened: reconstruction error falls
        assert metrics["recon_error"].iloc[-1] < metrics["recon_error"].iloc[0]
        ck = load_npz(run / f"epoch_{last:04d}.npz")
        assert ck["W"].shape == (784, m) and np.isfinite(ck["W"]).all()
        log = (tmp_path / f"results/logs/train/{method}_M{m}_replica{r_}.log").read_text()
        assert f"epoch {last}/{last}" in log and "updates/s" in log and "ETA" in log
    # replicas differ (independent seeds)
    method, m, _ = SMOKE_MODELS[0]
    w0, w1 = (
        load_npz(tmp_path / f"results/train/{method}/M{m}/replica{r_}/epoch_{last:04d}.npz")["W"]
        for r_ in (0, 1)
    )
    assert not np.array_equal(w0, w1)

    m = SMOKE["spectra"]["random"]["hidden"][0]
    hist = pd.read_parquet(tmp_path / f"results/spectra/random_N784_M{m}.parquet")
    assert hist["ks_distance"].iloc[0] < 0.1
    trained = pd.read_parquet(tmp_path / "results/spectra/trained.parquet")
    assert set(trained["hidden"]) == set(SMOKE["model"]["hidden"])

    # nothing left to do on a rerun
    again = snakemake_run(tmp_path, "--cores", "1", "-n")
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr


@pytest.mark.slow
def test_download_failure_is_one_clear_error(tmp_path):
    write_override(tmp_path, data={"sources": [str(tmp_path / "nowhere")], "n_train": 1000})
    r = snakemake_run(tmp_path, "--cores", "1", "results/data/raw/train-images-idx3-ubyte.gz")
    assert r.returncode != 0
    log = (tmp_path / "results/logs/download_mnist.log").read_text()
    assert "train-images-idx3-ubyte" in log and "data.sources" in log
    assert "Traceback" not in log


def test_config_typo_is_one_readable_error(tmp_path):
    (tmp_path / "override.yaml").write_text("training:\n  gibbs_step: 5\n")
    r = snakemake_run(tmp_path, "-n")
    assert r.returncode != 0
    msg = r.stdout + r.stderr
    assert "invalid configuration at 'training'" in msg and "'gibbs_step' was unexpected" in msg
    assert "Failed validating" not in msg  # no schema dump


def test_config_wrong_type_is_one_readable_error(tmp_path):
    (tmp_path / "override.yaml").write_text("model:\n  hidden: [500, many]\n")
    r = snakemake_run(tmp_path, "-n")
    msg = r.stdout + r.stderr
    assert r.returncode != 0
    assert "at 'model.hidden.1': 'many' is not of type 'integer'" in msg


def _planned_jobs(tmp_path, *configfiles) -> str:
    """Snakemake's job table of a dry run, as one line of words."""
    r = snakemake_with(tmp_path, list(configfiles), "-n", "--quiet", "rules", timeout=300)
    assert r.returncode == 0, (r.stdout + r.stderr)[-2000:]
    return " ".join((r.stdout + r.stderr).split())


def test_paper_config_dry_run_plans_every_job(tmp_path):
    words = _planned_jobs(tmp_path, ROOT / "config.yaml")
    # 4 hidden sizes x 5 replicas x PCD; 4 random-spectrum panels
    assert "train_rbm 20" in words and "random_spectrum 4" in words and "fig3_mp 4" in words


@pytest.mark.slow
def test_quick_preset_dry_run_plans_every_job(tmp_path):
    """The quick preset is consistent (e.g. its loglik epochs are training checkpoints)."""
    words = _planned_jobs(tmp_path, ROOT / "config.yaml", ROOT / "workflow/presets/quick.yaml")
    # M = 100, 500 x 2 replicas; the default (loglik.method: trajectory): one ladder job and
    # one crosscheck (epoch 30) per replica, no per-checkpoint job
    assert "train_rbm 4" in words, words[-1500:]
    assert "loglik_trajectory 4" in words and "loglik_crosscheck 4" in words
    assert "loglik 20" not in words
    std = tmp_path / "standard.yaml"
    std.write_text("loglik: {method: standard}\n")
    quick = ROOT / "workflow/presets/quick.yaml"
    words = _planned_jobs(tmp_path, ROOT / "config.yaml", quick, std)
    # 5 AIS checkpoints per replica
    assert "loglik 20" in words and "loglik_trajectory 4" not in words


def test_lint_passes():
    if shutil.which("git") is None:
        pytest.skip("git missing")
    r = subprocess.run(
        [*SNAKEMAKE, "--lint", "--snakefile", str(ROOT / "Snakefile")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout[-2000:]
