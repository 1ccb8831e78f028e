"""The paper config and presets translate into the package's settings as documented."""

import pytest
from conftest import ROOT, SMOKE_CONFIGS

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.pipeline.config import (
    checkpoint_epochs_from_config,
    config_error_message,
    load_config,
)
from rbm_reciprocal.stages.train import train_settings_from_config


def _paper() -> dict:
    return load_config([ROOT / "config.yaml"])


def test_paper_training_settings_match_the_authors_code():
    s = train_settings_from_config(_paper(), "PCD", 500, 3)
    assert (s["gibbs_steps"], s["batch_size"], s["n_chains"], s["epochs"]) == (500, 500, 500, 100)
    assert s["updates_per_epoch"] == 119
    assert s["optimizer"] == {
        "name": "adam",
        "lr": 0.001,
        "beta1": 0.9,
        "beta2": 0.999,
        "eps": 1e-8,
        "momentum": 0.0,
    }
    assert s["init"]["weight_std"] == 0.01 and s["init"]["visible_bias"] == "data_logit"
    assert s["checkpoints"] == list(range(101))
    assert (s["hidden"], s["replica"], s["method"]) == (500, 3, "PCD")


def test_per_method_overrides_merge():
    cfg = _paper()
    cfg["training"]["methods"] = ["PCD", "CD"]
    cfg["training"]["overrides"] = {"CD": {"gibbs_steps": 1, "optimizer": {"lr": 0.01}}}
    cd = train_settings_from_config(cfg, "CD", 500, 0)
    pcd = train_settings_from_config(cfg, "PCD", 500, 0)
    assert cd["gibbs_steps"] == 1 and cd["optimizer"]["lr"] == 0.01
    assert cd["optimizer"]["beta2"] == 0.999  # deep merge keeps the rest
    assert pcd["gibbs_steps"] == 500 and pcd["optimizer"]["lr"] == 0.001
    cfg["training"]["overrides"] = {"CD": {"gibs_steps": 1}}
    with pytest.raises(ConfigError, match="unknown keys"):
        train_settings_from_config(cfg, "CD", 500, 0)
    cfg["training"]["overrides"] = {"CD": {"epochs": 50}}
    with pytest.raises(ConfigError, match="share one checkpoint schedule"):
        checkpoint_epochs_from_config(cfg)


def test_schema_error_message_is_short():
    import jsonschema

    try:
        jsonschema.validate({"a": "x"}, {"properties": {"a": {"type": "integer"}}})
    except jsonschema.ValidationError as err:
        msg = config_error_message(RuntimeError("Error validating config file.", err))
    assert msg.startswith("invalid configuration at 'a': 'x' is not of type 'integer'")


@pytest.mark.parametrize(
    "override, message",
    [
        ({"model": {"hidden": [16, 16]}}, "'model.hidden': [16, 16] has non-unique elements"),
        ({"spectra": {"random": {"hidden": [8, 8]}}}, "has non-unique elements"),
        ({"data": {"n_train": 99}}, "data.n_train 99 is smaller than the batch size 100 of PCD"),
    ],
)
def test_configs_that_would_fail_later_stop_at_planning(tmp_path, override, message):
    """Each stops at validation with one line (issue 25), not after download and prepare."""
    import yaml

    extra = tmp_path / "extra.yaml"
    extra.write_text(yaml.safe_dump(override))
    with pytest.raises(ConfigError) as err:
        load_config([*SMOKE_CONFIGS, extra])
    assert message in str(err.value) and "\n" not in str(err.value)
    # the boundary: exactly one full batch is enough
    if "n_train" in str(override):
        extra.write_text(yaml.safe_dump({"data": {"n_train": 100}}))
        assert load_config([*SMOKE_CONFIGS, extra])["data"]["n_train"] == 100


def test_torch_backend_without_torch_stops_at_planning(tmp_path, monkeypatch):
    import importlib.util

    import yaml

    extra = tmp_path / "extra.yaml"
    extra.write_text(yaml.safe_dump({"backend": {"name": "torch", "device": "cpu"}}))
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a)
    )
    with pytest.raises(ConfigError, match="backend.name is torch but PyTorch is not installed"):
        load_config([*SMOKE_CONFIGS, extra])
    monkeypatch.setattr(importlib.util, "find_spec", real)
    if real("torch") is not None:  # with torch installed the same config is valid
        assert load_config([*SMOKE_CONFIGS, extra])["backend"]["name"] == "torch"
