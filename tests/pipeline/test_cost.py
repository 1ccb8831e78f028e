"""Cost model: exact sweep and FLOP counts of small configs, config merging, calibration."""

import json
from types import SimpleNamespace

import pytest
import yaml
from conftest import ROOT

from rbm_reciprocal.cli import main
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.pipeline.calibrate import calibrate
from rbm_reciprocal.pipeline.config import load_config, validate_config
from rbm_reciprocal.pipeline.cost import (
    FAMILIES,
    N_VISIBLE,
    REFERENCE_GFLOPS,
    TRAIN_GATHER_SPEEDUP,
    Cost,
    gemm_flops,
    half_steps_per_update,
    svd_flops,
    train_job_cost,
    train_update_flops,
    training_costs,
)
from rbm_reciprocal.pipeline.cost_loglik import loglik_costs, loglik_job_cost
from rbm_reciprocal.pipeline.runtime import (
    MAX_RESUMABLE_MINUTES,
    job_runtime_minutes,
    loglik_runtime_minutes,
    runtime_minutes,
    seconds_at,
    train_runtime_minutes,
)
from rbm_reciprocal.stages.registry import step

N = N_VISIBLE
PAPER = ROOT / "config.yaml"
SMOKE = ROOT / "workflow/presets/smoke.yaml"


#: The training of small_config: the counts below are computed from these numbers, so they
#: are the tests' own, not the smoke preset's (which may change).
SMALL_TRAINING = {
    "epochs": 3,
    "batch_size": 100,
    "n_chains": 100,
    "gibbs_steps": 5,
    "monitor_size": 200,
    "updates_per_epoch": None,
    "checkpoints": {"every": 1, "at": [], "geometric": None},
}


def small_config(tmp_path, **training):
    """config.yaml + smoke preset + 1,000 images, three methods, SMALL_TRAINING with the
    overrides in ``training``."""
    override = {
        "data": {"n_train": 1000, "n_test": 200},
        "model": {"hidden": [16, 32], "replicas": 3},
        "training": {"methods": ["PCD", "CD", "Rdm"], **SMALL_TRAINING, **training},
    }
    path = tmp_path / "override.yaml"
    path.write_text(yaml.safe_dump(override))
    return load_config([PAPER, SMOKE, path])


def test_training_sweeps_are_replicas_sizes_methods_epochs_updates_steps(tmp_path):
    config = small_config(tmp_path)
    tr = config["training"]
    assert (tr["epochs"], tr["batch_size"], tr["gibbs_steps"]) == (3, 100, 5)  # SMALL_TRAINING
    costs = training_costs(config)
    assert len(costs) == 2 * 3  # hidden sizes x methods
    updates_per_epoch = 1000 // 100
    total = sum(c.jobs * c.sweeps for c in costs)
    assert total == 3 * 2 * 3 * 3 * updates_per_epoch * 5
    assert {c.jobs for c in costs} == {3}
    # explicit updates_per_epoch wins over n_train / batch_size
    config = small_config(tmp_path, updates_per_epoch=4)
    assert sum(c.jobs * c.sweeps for c in training_costs(config)) == 3 * 2 * 3 * 3 * 4 * 5


def test_training_flops_follow_the_gemm_count(tmp_path):
    config = small_config(tmp_path)
    k, b, c, epochs, upd, mon = 5, 100, 100, 3, 10, 200
    for job in training_costs(config):
        m = job.hidden
        method = job.label.split("-")[0]
        chains = b if method == "CD" else c
        half = 2 * k - 1 if method == "Rdm" else 2 * k
        per_update = (half + 2) * 2 * chains * N * m + 2 * 2 * b * N * m
        expected = epochs * upd * per_update + epochs * 2 * 2 * mon * N * m
        assert job.gemm == expected
        assert job.svd == pytest.approx((epochs + 1) * svd_flops(N, m))


def test_flop_formulas():
    assert gemm_flops(2, 3, 4) == 48
    assert svd_flops(784, 500) == svd_flops(500, 784)
    assert svd_flops(10, 10) == pytest.approx(4 * 1000 - 4 * 1000 / 3)
    assert half_steps_per_update("PCD", 7) == 14
    assert half_steps_per_update("CD", 1) == 2
    assert half_steps_per_update("Rdm", 7) == 13
    # PCD-1, B = C = 1, N = M = 1: a sweep (2 GEMMs) + two statistics (2 GEMMs each)
    assert train_update_flops("PCD", 1, 1, 1, 1, 1) == 6 * 2


def test_paper_training_counts():
    config = load_config([PAPER])
    costs = training_costs(config)
    # 5 replicas x 4 sizes x PCD x 100 epochs x 119 updates x 500 sweeps
    assert sum(c.jobs * c.sweeps for c in costs) == 5 * 4 * 100 * 119 * 500
    m3000 = next(c for c in costs if c.hidden == 3000)
    assert m3000.extra["updates"] == 11_900
    assert m3000.gemm > 11_900 * 500 * 4 * 500 * N * 3000


def test_loglik_counts_with_and_without_section(tmp_path):
    config = small_config(tmp_path)
    config["loglik"].update(
        method="standard", epochs=[1, 3], n_chains=50, betas={"n": 300}, sample_sweeps=20
    )
    validate_config(config)  # the schema's defaults for the keys not given
    costs = loglik_costs(config)
    assert len(costs) == 2 * 3 and {c.jobs for c in costs} == {3 * 2}  # replicas x epochs
    assert {c.sweeps for c in costs} == {2 * 299 + 20}
    job = costs[0]
    assert job.rows == 50
    gemm = 2 * (2 * 300 - 3) + 2 * 20 + 1
    data = 2 * (1000 + 200) * N * job.hidden
    exact = 2 * 2**job.hidden * job.hidden * N  # M = 16 <= exact_max_units
    assert job.gemm == gemm * 2 * 50 * N * job.hidden + data + exact

    # a config file without a loglik section gets the schema's defaults (the one owner)
    only = tmp_path / "no_loglik.yaml"
    only.write_text(PAPER.read_text().split("\nloglik:")[0])
    ll = load_config([only])["loglik"]
    assert ll["n_chains"] == 400 and ll["betas"]["n"] == 500_000
    assert ll["epochs"] == list(range(10, 101, 10))
    assert ll["method"] == "trajectory" and ll["trajectory"]["sampler"] == "pt"
    assert ll["trajectory"]["steps"] == 500 and ll["trajectory"]["pt"]["rungs"] == 4


def test_trajectory_counts_and_crosscheck(tmp_path):
    """One trajectory job per replica: 2 (P - 1) K steps of 3 GEMMs, the temperature legs at
    the first checkpoint, model samples at the first and last, the data at every row."""
    config = small_config(tmp_path)
    config["loglik"].update(
        method="trajectory",
        epochs=[1, 3],
        n_chains=50,
        sample_sweeps=20,
        trajectory={"sampler": "ais", "steps": 40, "first_betas": 100, "rows": "all"},
        crosscheck={"epochs": [3], "betas": 200},
    )
    validate_config(config)  # the schema's defaults for the keys not given
    costs = loglik_costs(config)
    traj = [c for c in costs if c.rule == "loglik_trajectory"]
    check = [c for c in costs if c.rule == "loglik_crosscheck"]
    assert len(traj) == len(check) == 2 * 3 and {c.jobs for c in traj} == {3}
    assert {c.jobs for c in check} == {3}  # replicas x one crosschecked epoch
    job = traj[0]
    assert job.extra["checkpoints"] == 4  # epochs 0..3
    assert job.sweeps == 2 * 3 * 40 * 3 // 2 + 2 * 99 + 2 * 20
    g = gemm_flops(50, N, job.hidden)
    data = 4 * 2 * (1000 + 200) * N * job.hidden
    exact = 4 * 2 * 2**job.hidden * job.hidden * N
    assert job.gemm == (2 * 3 * 40 * 3 + 2 * (2 * 100 - 3) + 2 * 41) * g + data + exact
    assert check[0].sweeps == 2 * 199 + 20
    config["loglik"]["trajectory"]["rows"] = "epochs"
    assert loglik_costs(config)[0].gemm == job.gemm - 2 * (data + exact) / 4


def test_ladder_counts(tmp_path):
    """One PTT-ladder job per replica: S sweeps of L = r (P - 1) + 1 (+ cuts) rungs x 3 GEMMs
    of C rows, the forward temperature leg and model samples of n_chains, the data at every
    row."""
    config = small_config(tmp_path)
    pt = {"rungs": 3, "chains": 8, "sweeps": 100, "segment": 2}
    config["loglik"].update(
        method="trajectory", epochs=[1, 3], n_chains=50, sample_sweeps=20,
        trajectory={"sampler": "pt", "first_betas": 100, "rows": "all", "pt": pt},
        crosscheck={"epochs": None},
    )  # fmt: skip
    validate_config(config)  # the schema's defaults for the keys not given
    costs = loglik_costs(config)
    assert {c.rule for c in costs} == {"loglik_trajectory"}  # no crosscheck
    job = next(c for c in costs if c.hidden == 16)
    rungs = 3 * 3 + 1 + 1  # P = 4 checkpoints, one cut (after 2 intervals)
    assert job.extra["rungs"] == rungs and job.rows == 8 and job.jobs == 3
    assert job.sweeps == 100 * rungs * 3 // 2 + (99 + 20) * 50 // 8
    data = 4 * 2 * (1000 + 200) * N * 16
    exact = 4 * 2 * 2**16 * 16 * N
    g8, g50 = gemm_flops(8, N, 16), gemm_flops(50, N, 16)
    assert job.gemm == 100 * rungs * 3 * g8 + (2 * 100 - 3 + 2 * 20 + 1) * g50 + data + exact
    # pt.adapt: two pilot rounds of 30 sweeps at the first pilot's size are added
    pt["adapt"] = {"rounds": 2, "sweeps": 30}
    validate_config(config)
    adapted = next(c for c in loglik_costs(config) if c.hidden == 16)
    assert adapted.gemm - job.gemm == 2 * 30 * rungs * 3 * g8
    assert adapted.sweeps - job.sweeps == 2 * 30 * rungs * 3 // 2


def test_paper_trajectory_costs_under_5_percent_of_standard_and_48_h(tmp_path, capsys):
    std, traj_yaml = tmp_path / "standard.yaml", tmp_path / "trajectory.yaml"
    std.write_text("loglik: {method: standard}\n")
    traj_yaml.write_text("loglik: {method: trajectory}\n")
    out = {}
    for name, files in (("trajectory", [PAPER, traj_yaml]), ("standard", [PAPER, std])):
        argv = ["cost", "--configfile", *map(str, files), "--json", "--calibrate-seconds", "0"]
        assert main(argv) == 0
        out[name] = json.loads(capsys.readouterr().out)
    fam = next(f for f in out["trajectory"]["families"] if "likelihood" in f)
    assert set(out["trajectory"]["families"][fam]) == {"jobs", "sweeps", "flops", "cpu_hours"}
    traj, std_h = (out[k]["families"][fam]["cpu_hours"] for k in ("trajectory", "standard"))
    assert traj <= 0.05 * std_h and std_h > 1000
    assert out["trajectory"]["families"][fam]["jobs"] == 4 * 5 * 2  # trajectory + crosscheck
    rules = {r["rule"] for r in out["trajectory"]["rules"]}
    assert {"loglik_trajectory", "loglik_crosscheck", "train_rbm"} <= rules
    # the paper default is trajectory (pt sampler): config.yaml alone costs what
    # trajectory.yaml does, and the ladder is what it costs
    assert main(["cost", "--configfile", str(PAPER), "--json", "--calibrate-seconds", "0"]) == 0
    assert json.loads(capsys.readouterr().out)["families"] == out["trajectory"]["families"]
    labels = [r["label"] for r in out["trajectory"]["rules"] if r["rule"] == "loglik_trajectory"]
    # 100 intervals x 4 rungs + 1, and the 16 cuts of segments of 6 intervals
    assert labels and all("417 rungs" in lab for lab in labels)
    # the trajectory AIS sampler at its default K = 500 fits too
    ais = tmp_path / "ais.yaml"
    ais.write_text("loglik: {method: trajectory, trajectory: {sampler: ais}}\n")
    argv = ["cost", "--configfile", str(PAPER), str(ais), "--json", "--calibrate-seconds", "0"]
    assert main(argv) == 0
    ais_h = json.loads(capsys.readouterr().out)["families"][fam]["cpu_hours"]
    assert ais_h <= 0.05 * std_h and ais_h != traj
    config = load_config([PAPER, traj_yaml])
    for m in config["model"]["hidden"]:
        w = SimpleNamespace(method="PCD", hidden=str(m), replica="0", epoch="100")
        for rule in ("loglik_trajectory", "loglik_crosscheck"):
            # the uncapped estimate (safety factor 2 included) fits in 48 h
            assert job_runtime_minutes(config, step(rule), w, cap=None) < MAX_RESUMABLE_MINUTES


def test_config_files_merge_like_snakemake(tmp_path):
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text("model: {hidden: [7], replicas: 2}\ntraining: {optimizer: {lr: 0.5}}\n")
    b.write_text("model: {replicas: 4}\ntraining: {optimizer: {name: sgd}}\n")
    config = load_config([PAPER, a, b])
    assert config["model"]["hidden"] == [7] and config["model"]["replicas"] == 4
    assert config["training"]["optimizer"] == {**config["training"]["optimizer"], "lr": 0.5}
    assert config["training"]["optimizer"]["name"] == "sgd"
    # schema defaults are filled in (a config with only one key is complete)
    only = tmp_path / "only.yaml"
    only.write_text("seed: 1\n")
    assert load_config([only])["training"]["gibbs_steps"] == 500
    bad = tmp_path / "bad.yaml"
    bad.write_text("training: {gibbs_step: 5}\n")
    with pytest.raises(ConfigError, match="invalid configuration at 'training'"):
        load_config([PAPER, bad])
    with pytest.raises(ConfigError, match="not found"):
        load_config([tmp_path / "missing.yaml"])


def test_calibration_and_time(tmp_path):
    cal = calibrate([(20, 16), (40, 32)], seconds=0.3)
    assert set(cal.gemm) == {(20, 16), (40, 32)} and min(cal.gemm.values()) > 1e6
    assert cal.svd > 1e6
    assert cal.gemm_rate(40, 32) == cal.gemm[(40, 32)]
    assert cal.gemm_rate(400, 30) == cal.gemm[(40, 32)]  # nearest shape
    job = Cost("training", "train_rbm", "x", 1, gemm=2e9, svd=1e9, rows=20, hidden=16)
    assert seconds_at(job, gflops=1.0) == pytest.approx(3.0)
    assert seconds_at(job, cal) == pytest.approx(2e9 / cal.gemm[(20, 16)] + 1e9 / cal.svd)


def test_runtime_minutes():
    one_hour = 3600 * REFERENCE_GFLOPS * 1e9
    assert runtime_minutes(one_hour, safety=1.0, overhead=0.0) == 60
    assert runtime_minutes(one_hour, safety=1.0, overhead=0.0, attempt=2) == 120
    assert runtime_minutes(one_hour, threads=3, safety=1.0, overhead=0.0) == 24
    assert runtime_minutes(100 * one_hour, cap=2880) == 2880
    assert runtime_minutes(0.0) == 5


def test_rule_runtime_helpers():
    config = load_config([PAPER])
    small = train_runtime_minutes(config, "PCD", 500, threads=4)
    large = train_runtime_minutes(config, "PCD", 3000, threads=4)
    assert 60 < small < large
    w = SimpleNamespace(method="PCD", hidden="500", replica="0", epoch="0010")
    assert job_runtime_minutes(config, step("train_rbm"), w, threads=4) == small
    assert job_runtime_minutes(config, step("train_rbm"), w, attempt=2) > small
    # training resumes, so its limit is capped; AIS does not, so it is not
    w.hidden = "3000"
    assert job_runtime_minutes(config, step("train_rbm"), w) == MAX_RESUMABLE_MINUTES
    ll = job_runtime_minutes(config, step("loglik"), w)
    assert ll == loglik_runtime_minutes(config, "PCD", 3000) > MAX_RESUMABLE_MINUTES
    spectrum = job_runtime_minutes(config, step("random_spectrum"), w)
    assert 5 < spectrum < job_runtime_minutes(config, step("random_spectrum"), w, attempt=2)
    assert job_runtime_minutes(config, step("fig3_mp"), SimpleNamespace(panel="a")) == 10
    assert job_runtime_minutes(config, step("kurtosis"), SimpleNamespace(variant="code")) > 5


def test_cost_command_prints_every_family(tmp_path, capsys):
    small_config(tmp_path)
    rc = main(
        [
            "cost",
            "--configfile",
            str(PAPER),
            str(SMOKE),
            "--configfile",
            str(tmp_path / "override.yaml"),
            "--calibrate-seconds",
            "0.3",
            "--gflops",
            "50",
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0
    for fam in FAMILIES:
        assert f"**{fam}**" in out
    assert "CPU-h (this machine)" in out and "CPU-h at 50 GFLOP/s" in out
    training = next(line for line in out.splitlines() if line.startswith("| **training**"))
    jobs, sweeps = (cell.strip() for cell in training.split("|")[2:4])
    assert (jobs, sweeps) == ("18", f"{3 * 2 * 3 * 3 * 10 * 5:.3g}")


def test_gather_speedup_applies_to_cpu_training_only():
    """Training with the gather half-sweeps is TRAIN_GATHER_SPEEDUP faster; dense/torch not."""
    config = load_config([PAPER])
    assert config["backend"]["sparse_density"] == pytest.approx(0.25)
    on = train_job_cost(config, "PCD", 500)
    dense = train_job_cost(
        {**config, "backend": {**config["backend"], "sparse_density": 0}}, "PCD", 500
    )
    torch_backend = {**config["backend"], "name": "torch"}
    torch = train_job_cost({**config, "backend": torch_backend}, "PCD", 500)
    assert on.gemm == dense.gemm == torch.gemm and on.speedup == TRAIN_GATHER_SPEEDUP > 1
    assert dense.speedup == torch.speedup == 1.0
    t_on, t_dense = seconds_at(on, gflops=35.0), seconds_at(dense, gflops=35.0)
    assert t_on < t_dense and t_dense == pytest.approx((dense.gemm + dense.svd) / 35e9)
    assert runtime_minutes(on, safety=1.0, overhead=0.0) < runtime_minutes(
        dense, safety=1.0, overhead=0.0
    )
    assert loglik_job_cost(config, "PCD", 500).speedup == 1.0
