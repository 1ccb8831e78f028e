"""The workflow deployed as a Snakemake module of another workflow (issue 26, item 4), and the
items of its report.

A follow-up study imports the rules from its own folder, with its own config and results:

    configfile: "config.yaml"

    module rbm:
        snakefile: "<checkout>/Snakefile"
        config: config

    use rule * from rbm            # or: use rule * from rbm as rbm_*


    onstart:
        rbm.onstart()              # records the config in results_dir (a guard)

The module reads the study's config over the paper's settings (config.yaml) and fills the
rest from the schema, so the study's config holds only the keys it changes.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SMOKE_EPOCHS, SMOKE_MODELS, SNAKEMAKE, write_override
from conftest import SMOKE as SMOKE_CONFIG

from rbm_reciprocal.stages.registry import STEPS

SMOKE = ROOT / "workflow" / "presets" / "smoke.yaml"


def user_workflow(
    folder: Path, config: dict, prefix: str = "", snakefile: str = "", own_target: bool = False
) -> Path:
    """A study's folder: its Snakefile imports this checkout's workflow as the module ``rbm``
    (its rules renamed ``<prefix><name>``; ``snakefile``: the module's snakefile expression,
    default this checkout's Snakefile), with ``config`` as its config.yaml; ``own_target``:
    the study's own rule all, of every figure and table of the module."""
    folder.mkdir(parents=True, exist_ok=True)
    use = f"use rule * from rbm as {prefix}*" if prefix else "use rule * from rbm"
    target = "rule all:\n    default_target: True\n    input:\n        rbm.all_targets(),\n\n\n"
    (folder / "Snakefile").write_text(
        'configfile: "config.yaml"\n\n\n'
        "module rbm:\n"
        f"    snakefile: {snakefile or repr(str(ROOT / 'Snakefile'))}\n"
        "    config: config\n\n\n"
        f"{use}\n\n\n"
        + (target if own_target else "")
        # Snakemake runs only the main Snakefile's onstart: the module's records its config
        + "onstart:\n"
        "    rbm.onstart()\n"
    )
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    return folder


def smoke_config(tmp: Path) -> dict:
    """The smoke preset's values on the committed MNIST sample (as tests/conftest.py's
    write_override), writing to the study's own folders study/results and study/figures."""
    override = write_override(tmp, results_dir="study/results", figures_dir="study/figures")
    config = yaml.safe_load(SMOKE.read_text())
    for key, value in yaml.safe_load(override.read_text()).items():
        config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) else value
    return config


def snakemake_in(folder: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """Snakemake run in ``folder`` on the folder's own Snakefile."""
    return subprocess.run(
        [*SNAKEMAKE, *args], cwd=folder, capture_output=True, text=True, timeout=timeout
    )


def job_counts(r: subprocess.CompletedProcess) -> dict[str, int]:
    """{rule: jobs} of a dry run's job table (``-n --quiet rules``)."""
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    rows = re.findall(r"^(\w+)\s+(\d+)$", r.stdout + r.stderr, flags=re.MULTILINE)
    return {rule: int(n) for rule, n in rows}


def standalone_counts(tmp: Path, *configfiles: Path) -> dict[str, int]:
    """{rule: jobs} of this checkout's Snakefile run directly with ``configfiles``."""
    cmd = ["--snakefile", str(ROOT / "Snakefile"), "--configfile", *map(str, configfiles)]
    return job_counts(snakemake_in(tmp, *cmd, "-n", "--quiet", "rules"))


def test_module_with_a_one_key_config_plans_the_paper_dag(tmp_path):
    """A study's config with only its folders: the paper's jobs (config.yaml under it), the
    same as running this checkout with config.yaml and that config."""
    config = {"results_dir": "study/results", "figures_dir": "study/figures"}
    study = user_workflow(tmp_path / "user", config)
    counts = job_counts(snakemake_in(study, "-n", "--quiet", "rules"))
    assert counts == standalone_counts(study, ROOT / "config.yaml", study / "config.yaml")
    assert counts["train_rbm"] == 20 and counts["total"] > 500, counts
    # the outputs land in the study's folders
    r = snakemake_in(study, "-n", "study/figures/fig3_f.png")
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    assert "study/results/train/PCD/M500/replica0/epoch_0100.npz" in r.stdout


def test_module_with_prefix_plans_the_smoke_dag(tmp_path):
    """``use rule * from rbm as rbm_*`` with the smoke values: every job of the smoke DAG,
    under its prefixed rule name."""
    config = smoke_config(tmp_path)
    study = user_workflow(tmp_path / "user", config, prefix="rbm_")
    counts = job_counts(snakemake_in(study, "-n", "--quiet", "rules"))
    plain = standalone_counts(study, ROOT / "config.yaml", study / "config.yaml")
    assert counts == {("rbm_" + k if k != "total" else k): n for k, n in plain.items()}
    # every job a fresh smoke run plans, and `all`
    assert counts["total"] == sum(s.count(SMOKE_CONFIG) for s in STEPS.values()) + 1, counts


def test_module_from_a_git_source_plans_the_smoke_dag(tmp_path):
    """workflow/Snakefile from a git source (as github(..., path="workflow/Snakefile") fetches
    it: rule files, schema and config.yaml, no src/), with the package importable: the smoke
    DAG, the study's own rule all as target. Committed rule files only (they come from HEAD)."""
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    status = subprocess.run(
        [git, "status", "--porcelain", "--", "workflow", "Snakefile", "config.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if status.returncode != 0 or status.stdout.strip():
        pytest.skip("uncommitted changes to the rule files: HEAD's would be tested")
    head = subprocess.run(
        [git, "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    source = f'gitfile({str(ROOT)!r}, "workflow/Snakefile", commit={head!r})'
    study = user_workflow(
        tmp_path / "user", smoke_config(tmp_path), prefix="rbm_", snakefile=source, own_target=True
    )
    paths = [str(ROOT / "src"), *os.environ.get("PYTHONPATH", "").split(os.pathsep)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    r = subprocess.run(
        [*SNAKEMAKE, "-n", "--quiet", "rules"],
        cwd=study,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    counts = job_counts(r)
    plain = standalone_counts(study, ROOT / "config.yaml", study / "config.yaml")
    assert counts == {("rbm_" + k if k not in ("total", "all") else k): n for k, n in plain.items()}


@pytest.mark.slow
def test_module_runs_smoke_targets_in_the_users_folder(tmp_path):
    """The smoke preset's Fig. 3a and 3f through the module, from the study's folder (data,
    the training jobs, the spectra and both figures: 10 jobs)."""
    study = user_workflow(tmp_path / "user", smoke_config(tmp_path))
    targets = ["study/figures/fig3_f.png", "study/figures/fig3_a.png"]
    r = snakemake_in(study, "--cores", "2", *targets, timeout=900)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    for name in ("fig3_f", "fig3_a"):
        for ext in ("png", "pdf"):
            assert (study / f"study/figures/{name}.{ext}").stat().st_size > 0
    # the trained models (a follow-up study imports them) and every job's log are the study's
    models = sorted((study / "study/results/train").rglob("epoch_*.npz"))
    assert len(models) == len(SMOKE_MODELS) * len(SMOKE_EPOCHS), models
    assert (study / "study/results/logs").is_dir()
    jobs = 2 + len(SMOKE_MODELS) + 2 + 2  # data; training; two spectra; two figures
    assert f"{jobs} of {jobs} steps (100%) done" in r.stdout + r.stderr
    # the study's results folder records its config: another config stops at planning
    assert (study / "study/results/config_fingerprint.json").is_file()
    config = yaml.safe_load((study / "config.yaml").read_text())
    (study / "config.yaml").write_text(yaml.safe_dump({**config, "seed": 1}))
    r = snakemake_in(study, "-n", *targets)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "holds the outputs of another config (seed" in out, out[-3000:]


# --- report items: a caption, a category and labels each -----------------------------------

RULE_FILES = [
    ROOT / "Snakefile",
    ROOT / "workflow" / "Snakefile",
    *sorted((ROOT / "workflow" / "rules").glob("*.smk")),
]


def report_calls(text: str) -> list[str]:
    """The argument text of every ``report(...)`` call in ``text`` (balanced parentheses)."""
    calls = []
    for m in re.finditer(r"(?<![\w.])report\(", text):
        depth, i = 1, m.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        calls.append(text[m.end() : i - 1])
    return calls


def test_every_report_item_has_caption_category_and_labels():
    calls = {f: report_calls(f.read_text()) for f in RULE_FILES}
    assert sum(map(len, calls.values())) >= 2, calls  # outputs(): figures and Step.report
    for path, found in calls.items():
        for args in found:
            for keyword in ("caption=", "category=", "labels="):
                assert keyword in args, f"{path.name}: report({args}) lacks {keyword}"
            # a literal caption is a file beside the rule files
            for caption in re.findall(r"caption=\"([^\"{}]+)\"", args):
                assert (path.parent / caption).is_file(), f"{path.name}: {caption} missing"


def test_every_reported_step_has_its_caption_file():
    """outputs() (common.smk) reports each figure's PNG and the output each Step's ``report``
    names with the caption workflow/report/<step>.rst: each of those files exists."""
    common = (ROOT / "workflow" / "rules" / "common.smk").read_text()
    assert 'caption = f"../report/{step}.rst"' in common
    reported = [step for step, s in STEPS.items() if s.report]
    assert {"claims", "run_parameters", "loglik_report"} <= set(reported), reported
    for step in reported:
        name, category, labels = STEPS[step].report
        assert name in STEPS[step].outputs and category and labels, step
    figures = [step for step, s in STEPS.items() if s.kind == "figure"]
    assert len(figures) >= 10, figures
    missing = [s for s in figures + reported if not (ROOT / f"workflow/report/{s}.rst").is_file()]
    assert not missing, missing
    # and the report's front page (workflow/Snakefile's `report:`)
    assert (ROOT / "workflow/report/workflow.rst").is_file()
