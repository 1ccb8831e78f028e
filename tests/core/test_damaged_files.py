"""Damaged files (a full disk, a killed copy): every reader of checkpoints, tables and the
data file stops with one line naming the file and the rule to rerun, never a traceback."""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, tiny_settings, train_job

from rbm_reciprocal.core.checkpoint import load_checkpoint, save_checkpoint
from rbm_reciprocal.core.errors import DataError
from rbm_reciprocal.core.tables import read_table, save_parquet
from rbm_reciprocal.data.dataset import Dataset, load_dataset, save_dataset
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.stages.train import run_training


def _truncate(path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _flip_middle(path) -> None:
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid : mid + 64] = bytes(b ^ 0xFF for b in data[mid : mid + 64])
    path.write_bytes(bytes(data))


def _checkpoint(path, m: int = 8) -> None:
    rng = np.random.default_rng(0)
    W = rng.normal(0, 0.01, (784, m)).astype(np.float32)
    save_checkpoint(
        path, W, np.zeros(784, np.float32), np.zeros(m, np.float32), epoch=3, updates=30
    )


def _dataset(path) -> None:
    rng = np.random.default_rng(1)
    ds = Dataset(
        train=(rng.random((300, 784)) < 0.3).astype(np.uint8),
        train_labels=rng.integers(0, 10, 300).astype(np.uint8),
        test=(rng.random((50, 784)) < 0.3).astype(np.uint8),
        test_labels=rng.integers(0, 10, 50).astype(np.uint8),
    )
    save_dataset(path, ds, {"n_train": 300})


def _one_line(exc: pytest.ExceptionInfo, path, rule: str) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    assert str(path) in msg and f"rule {rule}" in msg and f"--force {path}" in msg
    return msg


@pytest.mark.parametrize("damage", [_truncate, _flip_middle])
def test_damaged_checkpoint(tmp_path, damage):
    path = tmp_path / "train/PCD/M8/replica0/epoch_0003.npz"
    _checkpoint(path)
    assert load_checkpoint(path).W.shape == (784, 8)
    damage(path)
    with pytest.raises(DataError) as exc:
        load_checkpoint(path)
    assert "is damaged" in _one_line(exc, path, "train_rbm")


def test_damaged_untrained_reference_names_its_rule(tmp_path):
    path = tmp_path / "untrained_M8.npz"
    _checkpoint(path)
    _truncate(path, 0.9)
    with pytest.raises(DataError) as exc:
        load_checkpoint(path)
    _one_line(exc, path, "untrained_reference")


@pytest.mark.parametrize("keep", [0.0, 0.5, 0.95])
def test_truncated_table(tmp_path, keep):
    path = tmp_path / "train/PCD/M8/replica0/metrics.parquet"
    save_parquet(path, pd.DataFrame({"epoch": np.arange(50), "x": np.linspace(0, 1, 50)}))
    assert read_table(path)["epoch"].sum() == 1225
    _truncate(path, keep)
    with pytest.raises(DataError) as exc:
        read_table(path)
    _one_line(exc, path, "train_rbm")
    with pytest.raises(DataError, match="nothing.parquet is missing"):
        read_table(tmp_path / "nothing.parquet")


@pytest.mark.parametrize("damage", [_truncate, _flip_middle])
def test_damaged_dataset(tmp_path, damage):
    path = tmp_path / "mnist.npz"
    _dataset(path)
    assert load_dataset(path).train.shape == (300, 784)
    damage(path)
    with pytest.raises(DataError) as exc:
        load_dataset(path)
    _one_line(exc, path, "prepare_mnist")


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run(
        [sys.executable, "-m", "rbm_reciprocal", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_cli_prints_one_line_for_each_kind(tmp_path):
    """Through the command line the rules run: exit status 2, one line on stderr."""
    ck, table, data = tmp_path / "epoch_0003.npz", tmp_path / "row.parquet", tmp_path / "d.npz"
    _checkpoint(ck)
    save_parquet(table, pd.DataFrame({"a": [1.0, 2.0]}))
    _dataset(data)
    for f in (ck, table, data):
        _truncate(f)
    job = tmp_path / "trained_spectra.job.json"
    settings = {"models": [[8, "PCD", 0]], "window": [0, 41], "bins": 40, "min_occupied_bins": 5}
    job.write_text(
        Job(
            "trained_spectra",
            input={"checkpoints": [str(ck)]},
            output={"table": str(tmp_path / "out.parquet"), "values": str(tmp_path / "v.parquet")},
            settings=settings,
        ).to_json()
    )
    concat = tmp_path / "rotation_js_table.job.json"
    concat.write_text(
        Job(
            "rotation_js_table",
            input={"tables": [str(table)]},
            output={"table": str(tmp_path / "all.parquet")},
        ).to_json()
    )
    train = train_job(tmp_path / "train_rbm.job.json", data, tmp_path / "run", tiny_settings("PCD"))
    runs = {
        ck: _cli("run", "trained_spectra", "--job", str(job)),
        table: _cli("run", "--job", str(concat)),
        data: _cli("run", "--job", str(train)),
    }
    for path, r in runs.items():
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2, r.stderr[-2000:]
        assert len(lines) == 1 and lines[0].startswith(f"error: {path} is damaged"), r.stderr
        assert "Traceback" not in r.stderr


def test_training_restarts_over_a_damaged_resume_state(tmp_path, prototype_data):
    s = tiny_settings("PCD", epochs=3, checkpoints=(0, 3))
    full = run_training(prototype_data, s, tmp_path / "full", log=lambda _: None)
    run_training(prototype_data, s, tmp_path / "cut", log=lambda _: None, stop_after_epoch=1)
    _truncate(tmp_path / "cut/.partial/resume.npz")
    lines = []
    again = run_training(prototype_data, s, tmp_path / "cut", log=lines.append)
    assert any("resume.npz is damaged" in ln for ln in lines)
    assert any("discarding a partial run" in ln for ln in lines)
    # started over from epoch 0: the same numbers as an uninterrupted run
    np.testing.assert_array_equal(again["recon_error"], full["recon_error"])
