"""The run's parameters written for the Snakemake report."""

import yaml
from conftest import ROOT

from rbm_reciprocal import __version__
from rbm_reciprocal.cli import main
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.provenance import git_commit, run_parameters, run_parameters_html


def test_run_parameters_hold_config_code_and_libraries(tmp_path):
    config = {"seed": 7, "model": {"hidden": [16, 32]}, "note": "<b>"}
    p = run_parameters(config, ROOT)
    assert p["config"] == config
    assert p["code"]["package"] == f"rbm_reciprocal {__version__}"
    assert {"numpy", "numba", "pandas"} <= set(p["libraries"])
    page = run_parameters_html(p)
    assert "note: &lt;b&gt;" in page and "<b>" not in page.split("<pre>")[1]


def test_git_commit_outside_a_checkout_is_none(tmp_path):
    assert git_commit(tmp_path) is None
    commit = git_commit(ROOT)
    if (ROOT / ".git").exists():
        assert commit and len(commit.removesuffix("-dirty")) >= 7


def test_job_writes_yaml_and_html(tmp_path):
    """Rule run_parameters' job: the config and checkout of its settings."""
    job = tmp_path / "run_parameters.job.json"
    config = {"seed": 3, "data": {"n_train": 1000}}
    out = {"yaml": str(tmp_path / "p.yaml"), "html": str(tmp_path / "p.html")}
    settings = {"config": config, "checkout": str(tmp_path)}
    job.write_text(Job("run_parameters", output=out, settings=settings).to_json())
    assert main(["run", "run_parameters", "--job", str(job)]) == 0
    back = yaml.safe_load((tmp_path / "p.yaml").read_text())
    assert back["config"] == {"seed": 3, "data": {"n_train": 1000}}
    assert back["code"]["git_commit"] is None
    assert "n_train: 1000" in (tmp_path / "p.html").read_text()
