"""The cost report counts exactly the jobs Snakemake plans (issue 25): per rule, for the paper
config, the presets and the configs that change the DAG's shape."""

import re
import subprocess
from collections import Counter

import pytest
import yaml
from conftest import ROOT, SNAKEMAKE

from rbm_reciprocal.pipeline.config import load_config
from rbm_reciprocal.pipeline.runtime import workflow_costs
from rbm_reciprocal.stages.registry import STEPS

SMOKE = ROOT / "workflow/presets/smoke.yaml"
CASES = {
    "paper": [],
    "smoke": [SMOKE],
    "quick": [ROOT / "workflow/presets/quick.yaml"],
    "smoke-standard-loglik": [SMOKE, {"loglik": {"method": "standard"}}],
    "smoke-batched": [SMOKE, {"training": {"batch_replicas": True}}],
    "smoke-one-size": [SMOKE, {"model": {"hidden": [16]}, "landau": {"epochs": [0, 3]}}],
}


def planned(tmp_path, configfiles) -> Counter:
    """Jobs per rule of ``snakemake -n`` in an empty folder (a fresh run)."""
    cmd = [*SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(tmp_path)]
    cmd += ["-n", "--quiet", "rules", "--configfile", *map(str, configfiles)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    rows = re.findall(r"^(\w+)\s+(\d+)$", r.stdout + r.stderr, re.M)
    return Counter({rule: int(n) for rule, n in rows if rule != "total"})


@pytest.mark.parametrize("case", list(CASES))
def test_cost_counts_the_jobs_snakemake_plans(tmp_path, case):
    files = [ROOT / "config.yaml"]
    for i, extra in enumerate(CASES[case]):
        if isinstance(extra, dict):
            path = tmp_path / f"extra{i}.yaml"
            path.write_text(yaml.safe_dump(extra))
            extra = path
        files.append(extra)
    want = planned(tmp_path / "run", files)
    config = load_config(files)
    got = Counter()
    for line in workflow_costs(config, STEPS):
        got[line.rule] += line.jobs
    assert +got == +want
    assert sum(got.values()) == sum(want.values()) > 40
    # and each step's own count is its rule's
    for name, spec in STEPS.items():
        assert spec.count(config) == want.get(name, 0), name


def test_loglik_lines_name_the_configured_estimator():
    paper = load_config([ROOT / "config.yaml"])
    labels = {c.rule: c.label for c in workflow_costs(paper, STEPS) if c.family == "log-likelihood"}
    assert "PT ladder" in labels["loglik_trajectory"]
    assert "AIS + reverse AIS (crosscheck)" in labels["loglik_crosscheck"]
    assert "loglik" not in labels
    standard = load_config([ROOT / "config.yaml"])
    standard["loglik"]["method"] = "standard"
    labels = {
        c.rule: c.label for c in workflow_costs(standard, STEPS) if c.family == "log-likelihood"
    }
    assert set(labels) == {"loglik"} and "AIS + reverse AIS" in labels["loglik"]
