import numpy as np
import pandas as pd
import pytest
from conftest import optimizer, tiny_settings

from rbm_reciprocal.core.errors import ConfigError, DivergenceError
from rbm_reciprocal.core.io import load_npz
from rbm_reciprocal.sampling.partition import log_likelihood_exact
from rbm_reciprocal.stages.train import run_training
from rbm_reciprocal.training.settings import (
    METHODS,
    TrainSettings,
    checkpoint_epochs,
)
from rbm_reciprocal.training.trainer import Trainer


@pytest.mark.parametrize("method", METHODS)
def test_each_scheme_learns_a_tiny_problem(method, prototype_data):
    tr = Trainer(prototype_data, tiny_settings(method))
    ll0 = log_likelihood_exact(prototype_data, tr.params)
    for _ in range(30):
        tr.run_epoch()
    ll = log_likelihood_exact(prototype_data, tr.params)
    # init = best independent-pixel model (logit of the data mean): about -5.49 nats
    assert ll0 == pytest.approx(-5.49, abs=0.05)
    # trained: within 0.55 nats of the entropy bound -3.48
    assert ll > -4.03, f"{method}: exact log-likelihood {ll:.3f}"
    assert tr.updates == 30 * 16


def test_sgd_learns_too(prototype_data):
    s = tiny_settings("CD", optimizer=optimizer(name="sgd", lr=0.1, momentum=0.5))
    tr = Trainer(prototype_data, s)
    for _ in range(30):
        tr.run_epoch()
    assert log_likelihood_exact(prototype_data, tr.params) > -4.0


def test_run_training_outputs_and_determinism(tmp_path, prototype_data):
    s = tiny_settings("PCD", epochs=4, checkpoints=(0, 2, 4))
    logs: list[str] = []
    m1 = run_training(prototype_data, s, tmp_path / "a", log=logs.append)
    m2 = run_training(prototype_data, s, tmp_path / "b", log=lambda _: None)
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == ["epoch_0000.npz", "epoch_0002.npz", "epoch_0004.npz", "metrics.parquet"]
    assert list(m1["epoch"]) == [0, 1, 2, 3, 4]
    assert list(m1["updates"]) == [0, 16, 32, 48, 64]
    assert m1["recon_error"].iloc[-1] < m1["recon_error"].iloc[0]
    ck = load_npz(tmp_path / "a" / "epoch_0004.npz")
    assert ck["W"].dtype == np.float32 and ck["W"].shape == (12, 6) and int(ck["updates"]) == 64
    np.testing.assert_array_equal(ck["W"], load_npz(tmp_path / "b" / "epoch_0004.npz")["W"])
    pd.testing.assert_frame_equal(
        m1.drop(columns=["epoch_seconds", "updates_per_second", "wall_seconds"]),
        m2.drop(columns=["epoch_seconds", "updates_per_second", "wall_seconds"]),
    )
    assert sum("updates/s" in line and "ETA" in line for line in logs) == 4


@pytest.mark.parametrize("method", METHODS)
def test_resume_is_bit_for_bit(tmp_path, prototype_data, method):
    s = tiny_settings(method, epochs=5, checkpoints=(0, 1, 2, 3, 4, 5))
    run_training(prototype_data, s, tmp_path / "full", log=lambda _: None)
    # "killed" after epoch 2, then rerun
    run_training(prototype_data, s, tmp_path / "cut", log=lambda _: None, stop_after_epoch=2)
    assert (tmp_path / "cut" / ".partial" / "resume.npz").exists()
    assert not (tmp_path / "cut" / "epoch_0005.npz").exists()
    logs: list[str] = []
    metrics = run_training(prototype_data, s, tmp_path / "cut", log=logs.append)
    assert any("resuming from epoch 2" in line for line in logs)
    assert not (tmp_path / "cut" / ".partial").exists()
    for e in range(6):
        a = load_npz(tmp_path / "full" / f"epoch_{e:04d}.npz")
        b = load_npz(tmp_path / "cut" / f"epoch_{e:04d}.npz")
        for k in ("W", "a", "b"):
            np.testing.assert_array_equal(a[k], b[k])
    assert list(metrics["epoch"]) == list(range(6))


def test_resume_with_other_settings_starts_over(tmp_path, prototype_data):
    s = tiny_settings("PCD", epochs=3, checkpoints=(0, 3))
    run_training(prototype_data, s, tmp_path, log=lambda _: None, stop_after_epoch=1)
    logs: list[str] = []
    other = tiny_settings("PCD", epochs=3, checkpoints=(0, 3), optimizer=optimizer(lr=0.01))
    run_training(prototype_data, other, tmp_path, log=logs.append)
    assert any("discarding" in line for line in logs)
    assert not any("resuming" in line for line in logs)


def test_divergence_names_replica_and_epoch(tmp_path, prototype_data):
    s = tiny_settings(
        "CD",
        epochs=3,
        checkpoints=(0, 1, 3),
        replica=3,
        optimizer=optimizer(lr=3e38, name="sgd"),
    )
    with pytest.raises(DivergenceError, match=r"replica 3.*epoch 1"):
        run_training(prototype_data, s, tmp_path, log=lambda _: None)
    assert not (tmp_path / "epoch_0001.npz").exists()


def test_checkpoint_schedules():
    assert checkpoint_epochs(10, every=5) == [0, 5, 10]
    assert checkpoint_epochs(100, at=[10, 20]) == [0, 10, 20, 100]
    assert checkpoint_epochs(100, geometric=5) == [0, 1, 3, 10, 32, 100]
    assert checkpoint_epochs(7) == [0, 7]
    with pytest.raises(ConfigError, match="outside"):
        checkpoint_epochs(10, at=[11])


def test_bad_settings_are_clear_errors(prototype_data):
    with pytest.raises(ConfigError, match="unknown training method"):
        tiny_settings("PCDX")
    with pytest.raises(ConfigError, match="unknown training settings"):
        TrainSettings.from_dict({"methd": "PCD"})
    with pytest.raises(ConfigError, match=r"without \['backend', 'batch_size'"):
        TrainSettings.from_dict({"method": "PCD"})
    full = tiny_settings("PCD").to_dict()
    with pytest.raises(ConfigError, match=r"without \['backend'\]"):
        TrainSettings.from_dict({k: v for k, v in full.items() if k != "backend"})
    with pytest.raises(ConfigError, match="optimizer"):
        optimizer(name="rmsprop")
    with pytest.raises(ConfigError, match="batch_size"):
        Trainer(prototype_data[:10], tiny_settings("PCD"))


def test_updates_per_epoch_limits_batches(prototype_data):
    tr = Trainer(prototype_data, tiny_settings("PCD", updates_per_epoch=5))
    tr.run_epoch()
    assert tr.updates == 5 and tr.batches_per_epoch == 5
    with pytest.raises(ConfigError, match="updates_per_epoch=17 needs 1..16"):
        Trainer(prototype_data, tiny_settings("PCD", updates_per_epoch=17))
