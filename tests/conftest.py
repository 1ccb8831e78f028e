import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from rbm_reciprocal.analysis.loglik_settings import LoglikSettings
from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.pipeline.config import (
    checkpoint_epochs_from_config,
    load_config,
    validate_config,
)
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.sampling.backend import BackendSettings
from rbm_reciprocal.training.settings import OptimizerSettings, TrainSettings

ROOT = Path(__file__).resolve().parents[1]
#: The backend of a workflow job with the paper config (the schema's defaults: the CPU
#: sampler with its gather half-sweeps); TORCH_CPU: the torch backend on the CPU.
BACKEND = BackendSettings.from_value(load_config([ROOT / "config.yaml"])["backend"])
TORCH_CPU = dataclasses.replace(BACKEND, name="torch", device="cpu")
#: A config of the schema's defaults only: the values that library functions, which take no
#: default of a config setting (test_architecture.py), get from a workflow job by default.
SCHEMA_DEFAULTS = validate_config({"seed": 0})
#: ``prepare_mnist`` keywords of the default ``data`` settings.
BINARIZATION = {k: SCHEMA_DEFAULTS["data"][k] for k in ("binarization", "threshold")}
#: ``init_params`` keywords of the default ``model.init`` settings.
INIT = dict(SCHEMA_DEFAULTS["model"]["init"])
#: The default ``claims.min_epochs``.
MIN_EPOCHS = SCHEMA_DEFAULTS["claims"]["min_epochs"]


@pytest.fixture
def tiny_rbm() -> RBMParams:
    """A 6 x 4 RBM with strong weights and nonzero biases (float32)."""
    rng = np.random.default_rng(123)
    return RBMParams(
        rng.normal(0, 1.0, (6, 4)).astype(np.float32),
        rng.normal(0, 0.5, 6).astype(np.float32),
        rng.normal(0, 0.5, 4).astype(np.float32),
    )


@pytest.fixture(scope="module")
def prototype_data() -> np.ndarray:
    """800 noisy copies (5 % flips) of 3 random 12-pixel prototypes.

    Its entropy is log 3 + 12 H(0.05) = 3.48 nats, the best achievable mean log-likelihood.
    """
    rng = np.random.default_rng(0)
    protos = rng.random((3, 12)) < 0.5
    idx = rng.integers(0, 3, 800)
    return np.logical_xor(protos[idx], rng.random((800, 12)) < 0.05).astype(np.float32)


def train_settings(**kw) -> TrainSettings:
    """Training settings as the workflow builds them from the schema's defaults (seed 0,
    method PCD, M = 500, replica 0), with the fields ``kw`` replaced."""
    from rbm_reciprocal.stages.train import default_train_settings

    return default_train_settings(**kw)


def optimizer(**kw) -> OptimizerSettings:
    """The schema's optimizer settings (Adam) with the fields ``kw`` replaced."""
    return dataclasses.replace(train_settings().optimizer, **kw)


def tiny_settings(method: str, **kw) -> TrainSettings:
    """Training settings for :func:`prototype_data`: M = 6, K = 5, 30 epochs, lr 0.02."""
    base = dict(
        method=method,
        hidden=6,
        gibbs_steps=5,
        batch_size=50,
        n_chains=50,
        epochs=30,
        checkpoints=(0, 30),
        optimizer=optimizer(lr=0.02),
        monitor_size=100,
        backend=BACKEND,
    )
    base.update(kw)
    return train_settings(**base)


def loglik_settings(**kw) -> LoglikSettings:
    """Settings of a standard log-likelihood job as the workflow builds them from the schema's
    defaults (seed 0), with the fields ``kw`` replaced."""
    from rbm_reciprocal.pipeline.config import validate_config
    from rbm_reciprocal.stages.loglik import estimator_settings

    return dataclasses.replace(estimator_settings(validate_config({"seed": 0}), "standard"), **kw)


def job_command(path: Path, job) -> list[str]:
    """Write ``job`` (a :class:`~rbm_reciprocal.pipeline.job.Job`) to ``path`` as a rule
    does; the command that runs it (``python -m rbm_reciprocal run --job path``)."""
    path.write_text(job.to_json())
    return [sys.executable, "-m", "rbm_reciprocal", "run", "--job", str(path)]


SAMPLE = ROOT / "tests" / "data" / "mnist"
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
#: The smoke preset's config files (merged in order) and the config they give, filled by the
#: schema. Tests that check the smoke run (counts of models, jobs, rows, epochs, sizes) read
#: its values from SMOKE rather than typing them, so that a change of the preset moves them
#: too. SMOKE is shared: read it; a test that changes a config loads its own copy.
SMOKE_CONFIGS = [ROOT / "config.yaml", ROOT / "workflow" / "presets" / "smoke.yaml"]
SMOKE = load_config(SMOKE_CONFIGS)
#: The smoke run's models, (method, hidden, replica) in the preset's order, and the epochs of
#: their checkpoints.
SMOKE_MODELS = [
    (method, hidden, replica)
    for method in SMOKE["training"]["methods"]
    for hidden in SMOKE["model"]["hidden"]
    for replica in range(SMOKE["model"]["replicas"])
]
SMOKE_EPOCHS = checkpoint_epochs_from_config(SMOKE)


def train_job(path: Path, data: Path, out_dir: Path, settings: TrainSettings | dict) -> Path:
    """Write the job file ``path`` of a train_rbm job, as the rule does: ``settings`` (a
    TrainSettings or its dict) trained on the dataset ``data`` into ``out_dir`` (the folder
    of its ``metrics`` output). ``python -m rbm_reciprocal run --job PATH`` runs it."""
    if isinstance(settings, TrainSettings):
        settings = settings.to_dict()
    job = Job(
        "train_rbm",
        input={"data": str(data)},
        output={"metrics": str(Path(out_dir) / "metrics.parquet")},
        settings=settings,
    )
    path.write_text(job.to_json())
    return path


def assert_same_runs(a: Path, b: Path, exact: bool = True) -> None:
    """The training run folders ``a`` and ``b`` hold the same checkpoints (bit for bit, or
    within 1e-5 where not ``exact``) and the same metrics, timing columns aside."""
    import pandas as pd

    from rbm_reciprocal.core.checkpoint import load_checkpoint

    names = sorted(p.name for p in Path(a).glob("epoch_*.npz"))
    assert names and names == sorted(p.name for p in Path(b).glob("epoch_*.npz"))
    for name in names:
        pa, pb = load_checkpoint(Path(a) / name), load_checkpoint(Path(b) / name)
        for x, y in ((pa.W, pb.W), (pa.a, pb.a), (pa.b, pb.b)):
            if exact:
                np.testing.assert_array_equal(x, y)
            else:
                np.testing.assert_allclose(x, y, rtol=0, atol=1e-5)
    timing = ["epoch_seconds", "updates_per_second", "wall_seconds"]
    ma = pd.read_parquet(Path(a) / "metrics.parquet").drop(columns=timing)
    mb = pd.read_parquet(Path(b) / "metrics.parquet").drop(columns=timing)
    pd.testing.assert_frame_equal(ma, mb, check_exact=exact, atol=1e-6)


def sample_checksums() -> dict[str, str]:
    out = {}
    for line in (SAMPLE / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        out[name.removesuffix(".gz")] = digest
    return out


def write_override(tmp: Path, **extra) -> Path:
    # results/ and figures/ rather than the preset's own results/smoke/ (test_fingerprint
    # tests those): every test reads the smoke run's files at the paper's layout
    cfg = {
        "results_dir": "results",
        "figures_dir": "figures",
        "data": {
            "sources": [str(SAMPLE)],
            "sha256": sample_checksums(),
            # the preset's sizes, within the sample's 2,000 training and 500 test images
            "n_train": SMOKE["data"]["n_train"],
            "n_test": SMOKE["data"]["n_test"],
        },
    }
    cfg.update(extra)
    path = tmp / "override.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def snakemake_with(
    tmp: Path, configfiles: list, *args: str, timeout: int = 600
) -> subprocess.CompletedProcess:
    """Run this checkout's Snakefile in ``tmp`` with ``configfiles`` (merged in order)."""
    cmd = [*SNAKEMAKE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(tmp)]
    cmd += ["--configfile", *map(str, configfiles), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def snakemake_run(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    """The smoke preset on the committed sample (``tmp/override.yaml``, see write_override)."""
    return snakemake_with(tmp, [*SMOKE_CONFIGS, tmp / "override.yaml"], *args)


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory) -> Path:
    """Run the smoke preset end to end once (on tests/data/mnist); return its directory.

    Every test that checks outputs of the smoke DAG shares this one run.
    """
    tmp = tmp_path_factory.mktemp("smoke")
    write_override(tmp)
    r = snakemake_run(tmp, "--cores", "2")
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    return tmp


@pytest.fixture(scope="session")
def trained_784x12(tmp_path_factory):
    """A 784 x 12 RBM trained 5 epochs on the 1,000-image MNIST sample by the workflow's
    trainer (PCD-5, lr 0.01), a checkpoint every epoch: its run directory and data set (the
    log-likelihood estimators' tests against exact log Z)."""
    from rbm_reciprocal.data.dataset import prepare_mnist
    from rbm_reciprocal.stages.train import run_training

    data = prepare_mnist(SAMPLE, n_train=1000, n_test=200, **BINARIZATION)
    out = tmp_path_factory.mktemp("train_784x12")
    s = train_settings(
        method="PCD",
        hidden=12,
        gibbs_steps=5,
        batch_size=100,
        n_chains=100,
        epochs=5,
        checkpoints=tuple(range(6)),
        optimizer=optimizer(lr=0.01),
        monitor_size=100,
        backend=BACKEND,
    )
    run_training(data.train, s, out, log=lambda _: None)
    return out, data


def sigkill_and_resume(cmd, ref: Path, out: Path, state: Path, ready, env: dict) -> None:
    """Start the job ``cmd(out)``, SIGKILL it (no handler runs) once ``ready(saved state)``,
    rerun it, and check that it resumed and wrote the table of the uninterrupted ``ref``
    (timing columns aside), leaving no state behind."""
    import signal
    import time

    import pandas as pd

    from rbm_reciprocal.core.errors import DataError
    from rbm_reciprocal.core.io import load_npz

    proc = subprocess.Popen(cmd(out), env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the job ended before the kill"
        try:
            if ready(load_npz(state)):
                break
        except (OSError, ValueError, KeyError, DataError):  # not there yet, or being replaced
            pass
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=60) != 0
    assert state.exists() and not out.exists()
    r = subprocess.run(cmd(out), capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0 and "resuming from" in r.stderr, r.stderr[-2000:]
    timing = ["ais_seconds", "rais_seconds", "wall_seconds"]
    pd.testing.assert_frame_equal(
        pd.read_parquet(ref).drop(columns=timing), pd.read_parquet(out).drop(columns=timing)
    )
    assert not state.exists()
