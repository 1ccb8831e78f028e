"""A results folder belongs to one config: a run with another stops at planning with one line
(issue 25), and each preset writes to its own folders."""

import json
import shutil

from conftest import ROOT, SMOKE, SMOKE_CONFIGS, SNAKEMAKE, write_override

from rbm_reciprocal.pipeline.config import load_config
from rbm_reciprocal.pipeline.fingerprint import (
    FILE_NAME,
    config_changes,
    fingerprint,
    mismatch_message,
    write_fingerprint,
)


def _paper() -> dict:
    return load_config([ROOT / "config.yaml"])


def test_presets_write_to_their_own_folders():
    paper = _paper()
    assert (paper["results_dir"], paper["figures_dir"]) == ("results", "figures")
    for name in ("smoke", "quick", "authors-pcd-jl"):
        cfg = load_config([ROOT / "config.yaml", ROOT / f"workflow/presets/{name}.yaml"])
        assert (cfg["results_dir"], cfg["figures_dir"]) == (f"results/{name}", f"figures/{name}")


def test_changes_name_every_differing_key_and_ignore_folders_and_threads():
    a = _paper()
    b = json.loads(json.dumps(a))
    b["model"]["hidden"] = [500]
    b["loglik"]["epochs"] = [100]
    b["results_dir"], b["training"]["threads"], b["resources"]["analysis_threads"] = "x", 9, 9
    b["data"]["sources"] = ["/elsewhere"]
    changes = config_changes(fingerprint(a), fingerprint(b))
    assert changes == [
        "loglik.epochs [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] -> [100]",
        "model.hidden [500, 784, 1200, 3000] -> [500]",
    ]
    assert config_changes(fingerprint(a), fingerprint(a)) == []
    msg = mismatch_message(a, changes, "snakemake --cores 1 --configfile c.yaml")
    assert "\n" not in msg and "model.hidden" in msg and "loglik.epochs" in msg
    assert "--config results_dir=results-2 figures_dir=figures-2" in msg
    assert msg.endswith("snakemake --cores 1 --configfile c.yaml --rerun-triggers mtime params")


def _dry_run(tmp, *args):
    import subprocess

    configs = [*SMOKE_CONFIGS, tmp / "override.yaml"]
    cmd = [*SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(tmp), "-n"]
    cmd += ["--configfile", *map(str, configs), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def test_a_run_with_another_config_stops_at_planning(tmp_path):
    write_override(tmp_path)
    cfg = load_config([*SMOKE_CONFIGS, tmp_path / "override.yaml"])
    write_fingerprint(tmp_path / "results", cfg)
    assert _dry_run(tmp_path).returncode == 0  # the same config plans as usual
    r = _dry_run(tmp_path, "--config", "model={'hidden': [16]}")
    assert r.returncode != 0
    line = next(ln for ln in (r.stdout + r.stderr).splitlines() if "holds the outputs" in ln)
    assert line.startswith("results/ holds the outputs of another config (model.hidden")
    assert f"{SMOKE['model']['hidden']} -> [16]" in line and "--rerun-triggers mtime params" in line
    # told to rerun what changed, it plans (and the run's onstart records the new config)
    hidden = "model={'hidden': [16]}"
    r = _dry_run(tmp_path, "--config", hidden, "--rerun-triggers", "mtime", "params")
    assert r.returncode == 0, r.stderr[-2000:]
    # another folder is another run
    r = _dry_run(tmp_path, "--config", "model={'hidden': [16]}", "results_dir=results-2")
    assert r.returncode == 0, r.stderr[-2000:]
    shutil.rmtree(tmp_path / "results")


def test_the_fingerprint_is_written_by_a_real_run_only(smoke_run):
    recorded = json.loads((smoke_run / "results" / FILE_NAME).read_text())
    assert recorded["model.hidden"] == SMOKE["model"]["hidden"] and "results_dir" not in recorded
