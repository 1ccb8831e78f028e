"""Per-rule threads, mem_mb and runtime: computed from the config, declared by every job,
and large enough for the memory the smoke run's jobs really used."""

import re
from types import SimpleNamespace

import pytest
from conftest import ROOT, SMOKE, SMOKE_CONFIGS, snakemake_with

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.pipeline.config import load_config
from rbm_reciprocal.pipeline.memory import BASE_MB
from rbm_reciprocal.pipeline.resources import array_mb, job_mem_mb, job_threads
from rbm_reciprocal.stages.registry import STEPS, step

PAPER = load_config([ROOT / "config.yaml"])


def wc(**kw):
    return SimpleNamespace(**{k: str(v) for k, v in kw.items()})


def test_threads_come_from_the_config():
    cfg = load_config([ROOT / "config.yaml"])
    cfg["training"]["threads"] = 6
    cfg["loglik"]["threads"] = 3
    cfg["resources"]["analysis_threads"] = 2
    assert job_threads(cfg, step("train_rbm")) == 6
    assert job_threads(cfg, step("loglik")) == 3
    assert job_threads(cfg, step("random_spectrum")) == 2
    assert job_threads(cfg, step("mode_trajectory")) == 2
    assert job_threads(cfg, step("fig2")) == 1
    assert job_threads(cfg, step("download_mnist")) == 1
    assert job_threads(PAPER, step("random_spectrum")) == 1


def test_paper_training_memory_grows_with_hidden_size_and_attempt():
    mems = [job_mem_mb(PAPER, step("train_rbm"), wc(hidden=m)) for m in (500, 784, 1200, 3000)]
    assert mems == sorted(mems) and mems[0] < mems[-1]
    # measured peak RSS of a paper training job: 0.57 GB at M = 500, 0.65 GB at M = 3000;
    # the request is 1.5 x the estimate, so between 1 and 2 GB
    assert 900 <= mems[0] <= 1500, mems
    assert 1000 <= mems[-1] <= 2000, mems
    assert job_mem_mb(PAPER, step("train_rbm"), wc(hidden=3000), attempt=2) >= 2 * mems[-1] - 100
    # the smoke preset's 1,200 images need far less than the paper's 70,000
    assert job_mem_mb(SMOKE, step("train_rbm"), wc(hidden=max(SMOKE["model"]["hidden"]))) < mems[0]


def test_memory_factor_scales_the_request():
    cfg = load_config([ROOT / "config.yaml"])
    cfg["resources"]["mem_factor"] = 3.0
    base = job_mem_mb(PAPER, step("loglik"), wc(hidden=784))
    assert job_mem_mb(cfg, step("loglik"), wc(hidden=784)) == pytest.approx(2 * base, abs=100)


def test_exact_partition_function_memory_is_counted():
    # loglik also enumerates log Z exactly when min(N, M) <= exact_max_units: 2^M states
    cfg = load_config([ROOT / "config.yaml"])
    small = array_mb(cfg, step("loglik"), wc(hidden=20))
    cfg["loglik"]["exact_max_units"] = 0
    assert small - array_mb(cfg, step("loglik"), wc(hidden=20)) == pytest.approx(
        3 * 2**20 * 784 * 8, rel=1e-9
    )


def test_unknown_rule_is_a_clear_error():
    with pytest.raises(ConfigError, match="no resource model for rule 'fig9'"):
        job_mem_mb(PAPER, step("fig9"))


def test_every_rule_of_the_workflow_has_a_model(tmp_path):
    r = snakemake_with(tmp_path, [ROOT / "config.yaml"], "--list-rules")
    assert r.returncode == 0, r.stderr[-2000:]
    rules = {line.split()[0] for line in r.stdout.splitlines() if line.strip()}
    rules.discard("all")
    # the two rules every step's rule is made from (workflow/rules/templates.smk); they have
    # no output, so no job ever runs them
    templates = {"step_job", "resumable_step_job"}
    assert templates <= rules, sorted(rules)
    rules -= templates
    assert rules, r.stdout
    assert rules <= set(STEPS), sorted(rules - set(STEPS))


def _dry_run_jobs(tmp_path, *configs):
    r = snakemake_with(tmp_path, list(configs), "-n", "--forceall")
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    jobs = []
    for block in re.split(r"\n(?=rule \w+:)", r.stdout):
        head = re.match(r"rule (\w+):", block)
        if not head or head.group(1) == "all":
            continue
        res = re.search(r"resources: (.*)", block)
        threads = re.search(r"threads: (\d+)", block)
        wcs = re.search(r"wildcards: (.*)", block)
        jobs.append(
            {
                "rule": head.group(1),
                "threads": int(threads.group(1)) if threads else 1,
                "wildcards": dict(kv.split("=", 1) for kv in wcs.group(1).split(", "))
                if wcs
                else {},
                "resources": dict(kv.split("=", 1) for kv in res.group(1).split(", ") if "=" in kv)
                if res
                else {},
            }
        )
    return jobs


def test_every_job_of_the_paper_config_declares_its_resources(tmp_path):
    jobs = _dry_run_jobs(tmp_path, ROOT / "config.yaml")
    assert len(jobs) > 200
    for job in jobs:
        res = job["resources"]
        assert "mem_mb" in res and "runtime" in res, job
        assert int(res["mem_mb"]) >= 100 * BASE_MB["light"] // 100, job
    by_rule = {}
    for job in jobs:
        by_rule.setdefault(job["rule"], []).append(job)
    train = {
        int(j["wildcards"]["hidden"]): int(j["resources"]["mem_mb"]) for j in by_rule["train_rbm"]
    }
    assert sorted(train) == [500, 784, 1200, 3000]
    requests = [train[m] for m in sorted(train)]
    assert requests == sorted(requests) and requests[0] < requests[-1], train
    # training runs for days: its limit is the resumable cap; a figure gets minutes
    assert {int(j["resources"]["runtime"]) for j in by_rule["train_rbm"]} == {2880}
    assert all(int(j["resources"]["runtime"]) <= 10 for j in by_rule["fig4"])
    # the paper's Fig. 3a-d panel M = 3000 (1000 SVDs of 784 x 3000) needs over an hour
    assert max(int(j["resources"]["runtime"]) for j in by_rule["random_spectrum"]) > 60


@pytest.mark.slow
def test_memory_estimates_cover_the_measured_peak_rss(smoke_run):
    """Every job of the smoke run left its job file and a log whose last line gives its peak
    RSS (``python -m rbm_reciprocal run``); the estimate without the safety factor must
    already cover it."""
    import json

    cfg = load_config([*SMOKE_CONFIGS, smoke_run / "override.yaml"])
    jobs = sorted((smoke_run / "results" / "logs").rglob("*.job.json"))
    # one job file per job of the DAG but `all`
    planned = sum(spec.count(cfg) for spec in STEPS.values())
    assert len(jobs) == planned, (len(jobs), planned)
    rules_seen, too_low = set(), []
    for path in jobs:
        job = json.loads(path.read_text())
        rule, hidden = job["step"], job["wildcards"].get("hidden")
        log = path.with_name(path.name.removesuffix(".job.json") + ".log")
        measured = float(re.findall(r"peak RSS (\d+) MB", log.read_text())[-1])
        w = wc(hidden=hidden) if hidden else None
        estimate = BASE_MB[STEPS[rule].kind] + array_mb(cfg, step(rule), w) / 1e6
        if measured > estimate:
            too_low.append((rule, path.name, measured, round(estimate, 1)))
        rules_seen.add(rule)
    assert not too_low, too_low
    # every rule of the smoke DAG ran; import_models runs only with models.source (see
    # test_workflow_models.py); `loglik` only with loglik.method: standard, and is the same
    # command as `loglik_crosscheck`; train_rbm_batched only with training.batch_replicas
    # (see test_workflow_batch_replicas.py)
    expected = set(STEPS) - {"import_models", "loglik", "train_rbm_batched"}
    assert rules_seen == expected, sorted(expected ^ rules_seen)
