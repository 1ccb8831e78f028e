"""A damaged file in a Snakemake run: the reader's one line (``tests/core/test_damaged_files.py``)
reaches the terminal with the command that reruns its rule under the run's own config."""

import os
import shutil

from conftest import SMOKE, snakemake_run


def test_workflow_hint_reruns_with_the_runs_own_config(smoke_run, tmp_path):
    """A damaged checkpoint under the smoke preset: the one line reaches the terminal and its
    suggested command carries the run's --configfile (issue 25), so it does not retrain with
    the paper's settings."""
    shutil.copytree(smoke_run / "results", tmp_path / "results")
    shutil.copy(smoke_run / "override.yaml", tmp_path / "override.yaml")
    # the last checkpoint of the smoke preset's first model, which trained_spectra reads
    method, hidden = SMOKE["training"]["methods"][0], SMOKE["model"]["hidden"][0]
    ck = f"results/train/{method}/M{hidden}/replica0/epoch_{SMOKE['training']['epochs']:04d}.npz"
    mtime = os.stat(tmp_path / ck).st_mtime  # only the forced job runs, nothing upstream
    data = (tmp_path / ck).read_bytes()
    (tmp_path / ck).write_bytes(data[: len(data) // 2])
    os.utime(tmp_path / ck, (mtime, mtime))
    r = snakemake_run(
        tmp_path, "--cores", "1", "results/spectra/trained.parquet", "--forcerun", "trained_spectra"
    )
    assert r.returncode != 0
    lines = [ln for ln in (r.stdout + r.stderr).splitlines() if ln.startswith("error: ")]
    assert len(lines) == 1, (r.stdout + r.stderr)[-3000:]
    line = lines[0]
    assert line.startswith(f"error: {ck} is damaged") and line.endswith(f"--force {ck}"), line
    assert "--configfile" in line and "workflow/presets/smoke.yaml" in line, line
    assert "override.yaml" in line, line
