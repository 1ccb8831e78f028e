"""Command-line overrides: nested --config values (strings from YAML's BaseLoader) are read
as the types the schema declares, through `snakemake -n` as a user types them."""

import re

import pytest
from conftest import ROOT, SMOKE_CONFIGS, SMOKE_MODELS, snakemake_with

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.pipeline.config import coerce_to_schema, load_schema, validate_config

SCHEMA = load_schema()


def test_nested_strings_become_the_declared_types():
    raw = {
        "seed": "7",
        "training": {"epochs": "3", "optimizer": {"lr": "1e-2"}, "shuffle": "false"},
        "model": {"hidden": ["16", "32"], "replicas": "2"},
        "loglik": {"epochs": ["1", "2"], "betas": {"n": "300", "schedule": "uniform"}},
        "data": {"n_train": "null", "threshold": "0.25", "sha256": {"x": "null"}},
        "landau": {"epochs": "~", "method": "PCD"},
    }
    out = coerce_to_schema(raw, SCHEMA)
    assert out["seed"] == 7 and out["training"]["epochs"] == 3
    assert out["training"]["optimizer"]["lr"] == 0.01 and out["training"]["shuffle"] is False
    assert out["model"] == {"hidden": [16, 32], "replicas": 2}
    assert out["loglik"]["epochs"] == [1, 2] and out["loglik"]["betas"]["n"] == 300
    assert out["data"]["n_train"] is None and out["data"]["threshold"] == 0.25
    assert out["data"]["sha256"] == {"x": None}
    assert out["landau"] == {"epochs": None, "method": "PCD"}
    assert raw["training"]["epochs"] == "3"  # the input is not modified
    validate_config(out)  # and the result passes the schema


def test_genuine_strings_are_never_numbers():
    out = coerce_to_schema(
        {
            "results_dir": "2024",
            "figures_dir": 2025,
            "data": {"sources": ["123", "null"]},
            "reciprocal": {"model": {"method": "null"}},
            "symmetry": {"model": {"method": "1", "hidden": "500"}},
        },
        SCHEMA,
    )
    assert out["results_dir"] == "2024" and out["figures_dir"] == "2025"
    assert out["data"]["sources"] == ["123", "null"]  # a string-only list keeps "null"
    assert out["reciprocal"]["model"]["method"] is None  # YAML null where null is allowed
    # method may be a string or null: the string "1" stays a string, hidden becomes 500
    assert out["symmetry"]["model"] == {"method": "1", "hidden": 500}


def test_strings_that_match_no_declared_type_are_left_for_the_validator():
    out = coerce_to_schema({"training": {"epochs": "three", "batch_size": "2.5"}}, SCHEMA)
    assert out["training"] == {"epochs": "three", "batch_size": "2.5"}
    with pytest.raises(ConfigError, match="is not of type 'integer'"):
        validate_config(out)


def _dry(tmp_path, *config: str, preset: bool = True) -> tuple[int, str]:
    files = SMOKE_CONFIGS if preset else [ROOT / "config.yaml"]
    r = snakemake_with(tmp_path, files, "-n", "--cores", "1", "--config", *config)
    return r.returncode, r.stdout + r.stderr


def test_nested_overrides_plan_through_snakemake(tmp_path):
    rc, out = _dry(tmp_path, 'training={"epochs":2}', 'loglik={"epochs":[1,2]}')
    assert rc == 0, out[-3000:]
    assert "epoch_0002.npz" in out and "epoch_0003" not in out
    n = len(SMOKE_MODELS)  # the preset's models, each trained, then a trajectory and crosscheck
    assert re.search(rf"^train_rbm\s+{n}$", out, re.M)
    # trajectory AIS: one pass per replica, and the crosscheck at the last row ("last")
    assert re.search(rf"^loglik_trajectory\s+{n}$", out, re.M)
    assert re.search(rf"^loglik_crosscheck\s+{n}$", out, re.M)
    method, m, r = SMOKE_MODELS[0]
    assert f"crosscheck/{method}/M{m}/replica{r}/epoch_0002" in out
    rc, out = _dry(tmp_path, 'model={"hidden":[500],"replicas":"1"}')
    assert rc == 0, out[-3000:]
    assert re.search(r"^train_rbm\s+1$", out, re.M) and "M500/replica0" in out


def test_contradicting_override_is_one_line_naming_both_keys(tmp_path):
    rc, out = _dry(tmp_path, 'training={"epochs":3}', preset=False)
    assert rc != 0
    lines = [ln for ln in out.splitlines() if "loglik.epochs" in ln]
    assert len(lines) == 1 and "training.epochs 3" in lines[0], out[-2000:]
    assert "[10, 20, 30, 40, 50, 60, 70, 80, 90, 100]" in lines[0]
