"""Training of Bernoulli RBMs with Rdm-K, CD-K and PCD-K (Sec. 2, Eq. 13a-c).

The gradient of the mean log-likelihood is the data statistics minus the model
statistics (:func:`rbm_reciprocal.rbm.sufficient_statistics`): the positive phase uses
exact hidden means on the mini-batch, the negative phase the visible states of Gibbs
chains after ``K`` block sweeps, with hidden means ``p(h|v)``. The chains start

* ``Rdm``: from random hidden states (Bernoulli 1/2) at every update;
* ``CD``:  at the mini-batch's data points;
* ``PCD``: at data for the first update, then persist across updates.

Output layout of one run (``out_dir``)::

    epoch_0000.npz ... epoch_EEEE.npz   W (N, M) float32, a (N,), b (M,), epoch, updates
    metrics.parquet                     one row per epoch (see :data:`METRIC_COLUMNS`)

While a run is in progress everything lives in ``out_dir/.partial/``: the epoch
checkpoints written so far, ``metrics.parquet`` and ``resume.npz`` (parameters,
optimizer moments, chains, generator state, settings). A rerun with the same settings
continues from ``resume.npz`` and produces bit-for-bit the same final parameters as
an uninterrupted run. The final files are moved into ``out_dir`` only at the end, so
a killed run never leaves files that look complete.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .backend import BackendSettings, require_torch
from .errors import ConfigError, DivergenceError
from .gibbs import GibbsSampler, random_hidden
from .io import load_npz, save_npz, save_parquet
from .rbm import RBMParams, init_params, sufficient_statistics

METHODS = ("PCD", "CD", "Rdm")
OPTIMIZERS = ("adam", "sgd")

METRIC_COLUMNS = (
    "epoch",  # epochs completed
    "updates",  # parameter updates so far
    "recon_error",  # mean squared error of v -> p(h|v) -> p(v|h) on a fixed monitor batch
    "weight_norm",  # Frobenius norm of W
    "max_singular_value",  # largest singular value of W
    "epoch_seconds",  # wall time of the epoch
    "updates_per_second",
    "wall_seconds",  # cumulative wall time (sum over epochs, resumed runs included)
)


@dataclass(frozen=True)
class OptimizerSettings:
    """Optimizer hyper-parameters: Adam (lr, beta1, beta2, eps) or SGD (lr, momentum)."""

    name: str = "adam"
    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    momentum: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise ConfigError(f"unknown optimizer {self.name!r}; use one of {OPTIMIZERS}")
        if not self.lr > 0:
            raise ConfigError(f"learning rate must be positive, got {self.lr}")


@dataclass(frozen=True)
class InitSettings:
    """Initialisation (see :func:`rbm_reciprocal.rbm.init_params`)."""

    weight_std: float = 0.01
    visible_bias: str = "data_logit"
    hidden_bias: str = "zero"
    bias_std: float = 0.01
    logit_clip: float = 1e-6


@dataclass(frozen=True)
class TrainSettings:
    """Everything that determines one training run (with the replica identity).

    ``checkpoints`` is the sorted list of epochs at which parameters are saved; it
    always contains 0 (the initialisation) and ``epochs``.
    """

    method: str = "PCD"
    hidden: int = 500
    replica: int = 0
    seed: int = 0
    gibbs_steps: int = 500
    batch_size: int = 500
    n_chains: int = 500
    epochs: int = 100
    updates_per_epoch: int | None = None
    shuffle: bool = True
    monitor_size: int = 500
    checkpoints: tuple[int, ...] = (0, 100)
    resume_every: int = 1
    optimizer: OptimizerSettings = field(default_factory=OptimizerSettings)
    init: InitSettings = field(default_factory=InitSettings)
    backend: BackendSettings = field(default_factory=BackendSettings)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ConfigError(f"unknown training method {self.method!r}; use one of {METHODS}")
        for name in ("hidden", "gibbs_steps", "batch_size", "n_chains", "epochs", "resume_every"):
            if int(getattr(self, name)) < 1:
                raise ConfigError(
                    f"training setting {name} must be >= 1, got {getattr(self, name)}"
                )
        bad = [e for e in self.checkpoints if not 0 <= e <= self.epochs]
        if bad:
            raise ConfigError(f"checkpoint epochs {bad} outside 0..{self.epochs}")

    @classmethod
    def from_dict(cls, d: dict) -> TrainSettings:
        """Build from a plain dict (e.g. the JSON passed by the Snakemake rule)."""
        d = dict(d)
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"unknown training settings {unknown}; known: {sorted(known)}")
        if "optimizer" in d:
            d["optimizer"] = OptimizerSettings(**d["optimizer"])
        if "init" in d:
            d["init"] = InitSettings(**d["init"])
        if "backend" in d:
            d["backend"] = BackendSettings.from_value(d["backend"])
        if "checkpoints" in d:
            d["checkpoints"] = tuple(sorted({int(e) for e in d["checkpoints"]}))
        return cls(**d)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def fingerprint(self) -> str:
        """Hash of every setting that changes the numbers (used to validate a resume)."""
        d = self.to_dict()
        d.pop("resume_every")
        if d["backend"]["name"] == "cpu":  # keeps CPU fingerprints of older partial runs
            d.pop("backend")
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]


def checkpoint_epochs(
    epochs: int,
    every: int | None = None,
    at: Sequence[int] | None = None,
    geometric: int | None = None,
) -> list[int]:
    """Resolve a checkpoint schedule to a sorted list of epochs, always with 0 and ``epochs``.

    Parameters
    ----------
    every : int, optional
        Every ``every`` epochs.
    at : sequence of int, optional
        Explicit epochs.
    geometric : int, optional
        About ``geometric`` epochs spaced geometrically between 1 and ``epochs``.
    """
    chosen = {0, int(epochs)}
    if every is not None:
        if every < 1:
            raise ConfigError(f"checkpoints.every must be >= 1, got {every}")
        chosen.update(range(0, epochs + 1, every))
    if at is not None:
        bad = [e for e in at if not 0 <= int(e) <= epochs]
        if bad:
            raise ConfigError(f"checkpoint epochs {bad} outside 0..{epochs}")
        chosen.update(int(e) for e in at)
    if geometric is not None:
        if geometric < 1:
            raise ConfigError(f"checkpoints.geometric must be >= 1, got {geometric}")
        chosen.update(int(round(x)) for x in np.geomspace(1, epochs, geometric))
    return sorted(chosen)


def replica_rng(seed: int, method: str, hidden: int, replica: int) -> np.random.Generator:
    """Independent, reproducible stream for one (method, hidden size, replica)."""
    ss = np.random.SeedSequence([int(seed), zlib.crc32(method.encode()), int(hidden), int(replica)])
    return np.random.Generator(np.random.PCG64(ss))


class Adam:
    """Adam for gradient *ascent*, float32 moments, bias-corrected (Kingma & Ba 2015)."""

    def __init__(self, params: RBMParams, s: OptimizerSettings) -> None:
        self.s = s
        self.t = 0
        self.m = [np.zeros_like(x) for x in (params.W, params.a, params.b)]
        self.v = [np.zeros_like(x) for x in (params.W, params.a, params.b)]

    def step(self, params: RBMParams, grads: Sequence[np.ndarray]) -> None:
        s = self.s
        self.t += 1
        b1, b2 = np.float32(s.beta1), np.float32(s.beta2)
        step = np.float32(s.lr * np.sqrt(1 - s.beta2**self.t) / (1 - s.beta1**self.t))
        eps = np.float32(s.eps * np.sqrt(1 - s.beta2**self.t))
        for p, g, m, v in zip((params.W, params.a, params.b), grads, self.m, self.v, strict=True):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            p += step * m / (np.sqrt(v) + eps)

    def state(self) -> dict[str, np.ndarray]:
        out = {"opt_t": np.array(self.t)}
        for i, (m, v) in enumerate(zip(self.m, self.v, strict=True)):
            out[f"opt_m{i}"], out[f"opt_v{i}"] = m, v
        return out

    def load(self, st: dict[str, np.ndarray]) -> None:
        self.t = int(st["opt_t"])
        self.m = [st[f"opt_m{i}"].copy() for i in range(3)]
        self.v = [st[f"opt_v{i}"].copy() for i in range(3)]


class SGD:
    """Plain SGD (ascent) with optional momentum."""

    def __init__(self, params: RBMParams, s: OptimizerSettings) -> None:
        self.s = s
        self.t = 0
        self.m = [np.zeros_like(x) for x in (params.W, params.a, params.b)]

    def step(self, params: RBMParams, grads: Sequence[np.ndarray]) -> None:
        self.t += 1
        lr, mu = np.float32(self.s.lr), np.float32(self.s.momentum)
        for p, g, m in zip((params.W, params.a, params.b), grads, self.m, strict=True):
            m *= mu
            m += g
            p += lr * m

    def state(self) -> dict[str, np.ndarray]:
        out = {"opt_t": np.array(self.t)}
        for i, m in enumerate(self.m):
            out[f"opt_m{i}"] = m
        return out

    def load(self, st: dict[str, np.ndarray]) -> None:
        self.t = int(st["opt_t"])
        self.m = [st[f"opt_m{i}"].copy() for i in range(3)]


def make_optimizer(params: RBMParams, s: OptimizerSettings) -> Adam | SGD:
    return Adam(params, s) if s.name == "adam" else SGD(params, s)


class Trainer:
    """One training run held in memory: parameters, optimizer, chains and generator.

    The update logic is here; file I/O is in :func:`run_training`.
    """

    def __init__(
        self, data: np.ndarray, settings: TrainSettings, rng: np.random.Generator | None = None
    ) -> None:
        s = settings
        if data.ndim != 2 or data.shape[0] < s.batch_size:
            raise ConfigError(
                f"training data has shape {data.shape}; "
                f"need at least batch_size={s.batch_size} rows"
            )
        self.s = s
        self.data = np.ascontiguousarray(data, dtype=np.float32)
        self.rng = rng if rng is not None else replica_rng(s.seed, s.method, s.hidden, s.replica)
        n = self.data.shape[1]
        i = s.init
        self.params = init_params(
            n,
            s.hidden,
            self.rng,
            weight_std=i.weight_std,
            visible_bias=i.visible_bias,
            hidden_bias=i.hidden_bias,
            bias_std=i.bias_std,
            data_mean=self.data.mean(axis=0),
            logit_clip=i.logit_clip,
        )
        self.opt = make_optimizer(self.params, s.optimizer)
        n_chains = s.batch_size if s.method == "CD" else s.n_chains
        self.sampler = GibbsSampler(self.params, n_chains)
        self.v_chain = np.zeros((n_chains, n), np.float32)
        self.h_chain = np.zeros((n_chains, s.hidden), np.float32)
        self.chains_started = False
        self.epoch = 0
        self.updates = 0
        self.monitor = self.data[: min(s.monitor_size, self.data.shape[0])]
        full = self.data.shape[0] // s.batch_size
        if s.updates_per_epoch is not None and not 1 <= s.updates_per_epoch <= full:
            raise ConfigError(
                f"updates_per_epoch={s.updates_per_epoch} needs 1..{full} "
                f"({self.data.shape[0]} images / batch_size {s.batch_size})"
            )
        self.batches_per_epoch = full if s.updates_per_epoch is None else s.updates_per_epoch

    # -- one update -----------------------------------------------------------------
    def negative_samples(self, batch: np.ndarray) -> np.ndarray:
        """Advance the chains per the training scheme; return the visible chain states."""
        s, smp, v, h = self.s, self.sampler, self.v_chain, self.h_chain
        if s.method == "CD":
            v[...] = batch
            smp.sweeps(v, h, s.gibbs_steps, self.rng)
        elif s.method == "PCD":
            if not self.chains_started:
                if v.shape[0] <= batch.shape[0]:
                    v[...] = batch[: v.shape[0]]
                else:
                    v[...] = self.data[self.rng.integers(0, self.data.shape[0], v.shape[0])]
                self.chains_started = True
            smp.sweeps(v, h, s.gibbs_steps, self.rng)
        else:  # Rdm
            h[...] = random_hidden(h.shape[0], h.shape[1], self.rng)
            smp.sample_visible(h, self.rng, v)
            smp.sweeps(v, h, s.gibbs_steps - 1, self.rng)
        return v

    def update(self, batch: np.ndarray) -> None:
        """One parameter update from a mini-batch (B, N) float32 (Eq. 13a-c)."""
        pos = sufficient_statistics(batch, self.params)
        neg = sufficient_statistics(self.negative_samples(batch), self.params)
        grads = [p - q for p, q in zip(pos, neg, strict=True)]
        self.opt.step(self.params, grads)
        self.updates += 1

    def run_epoch(self) -> None:
        """One epoch: ``batches_per_epoch`` mini-batches of a (reshuffled) pass over the data.

        The last partial batch is dropped; ``updates_per_epoch`` may drop more (the authors
        used 119 batches of 500, i.e. 59,500 of the 60,000 images).
        """
        s = self.s
        order = self.rng.permutation(self.data.shape[0]) if s.shuffle else None
        for k in range(self.batches_per_epoch):
            sl = slice(k * s.batch_size, (k + 1) * s.batch_size)
            batch = self.data[order[sl]] if order is not None else self.data[sl]
            self.update(batch)
        self.epoch += 1

    def recon_error(self) -> float:
        """Mean squared error of the mean-field reconstruction of the monitor batch."""
        from .rbm import prob_h_given_v, prob_v_given_h

        ph = prob_h_given_v(self.monitor, self.params)
        return float(np.mean((prob_v_given_h(ph, self.params) - self.monitor) ** 2))

    # -- state ----------------------------------------------------------------------
    def state(self) -> dict[str, np.ndarray]:
        """Everything needed to continue bit-for-bit."""
        return {
            "W": self.params.W,
            "a": self.params.a,
            "b": self.params.b,
            "v_chain": self.v_chain,
            "h_chain": self.h_chain,
            "chains_started": np.array(self.chains_started),
            "epoch": np.array(self.epoch),
            "updates": np.array(self.updates),
            "rng_state": np.array(json.dumps(self.rng.bit_generator.state)),
            "fingerprint": np.array(self.s.fingerprint()),
            **self.opt.state(),
        }

    def load_state(self, st: dict[str, np.ndarray]) -> None:
        self.params.W[...] = st["W"]
        self.params.a[...] = st["a"]
        self.params.b[...] = st["b"]
        self.v_chain[...] = st["v_chain"]
        self.h_chain[...] = st["h_chain"]
        self.chains_started = bool(st["chains_started"])
        self.epoch = int(st["epoch"])
        self.updates = int(st["updates"])
        self.rng.bit_generator.state = json.loads(str(st["rng_state"]))
        self.opt.load(st)


def make_trainer(
    data: np.ndarray, settings: TrainSettings, rng: np.random.Generator | None = None
) -> Trainer:
    """The :class:`Trainer` of ``settings.backend``: numpy/numba, or the torch variant
    (:mod:`rbm_reciprocal.torch_backend`, checked for PyTorch and the device first)."""
    if not settings.backend.is_torch:
        return Trainer(data, settings, rng)
    require_torch(settings.backend)
    from .torch_backend import torch_trainer_class

    return torch_trainer_class()(data, settings, rng)


def _checkpoint_name(epoch: int) -> str:
    return f"epoch_{epoch:04d}.npz"


def checkpoint_paths(out_dir: str | Path, epochs: Sequence[int]) -> list[Path]:
    """Paths of the final checkpoint files of a run."""
    return [Path(out_dir) / _checkpoint_name(e) for e in epochs]


def _format_eta(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def run_training(
    data: np.ndarray,
    settings: TrainSettings,
    out_dir: str | Path,
    log: Callable[[str], None] | None = None,
    stop_after_epoch: int | None = None,
) -> pd.DataFrame:
    """Train one replica with checkpoints and resume; return the metrics table.

    Parameters
    ----------
    data : ndarray, shape (n, N)
        Binary training images.
    settings : TrainSettings
    out_dir : path
        Run directory (layout in the module docstring).
    log : callable, optional
        Receives one progress line per epoch (default: print to stderr, flushed).
    stop_after_epoch : int, optional
        Stop (as if killed) after this epoch, leaving ``.partial/`` in place. For tests.

    Raises
    ------
    DivergenceError
        When parameters become non-finite; the message names replica and epoch.
    """
    if log is None:

        def log(msg: str) -> None:
            print(msg, file=sys.stderr, flush=True)

    s = settings
    out_dir = Path(out_dir)
    partial = out_dir / ".partial"
    partial.mkdir(parents=True, exist_ok=True)
    tag = f"[{s.method}-{s.gibbs_steps} M={s.hidden} replica {s.replica}]"
    trainer = make_trainer(data, s)
    rows: list[dict] = []

    resume_file = partial / "resume.npz"
    if resume_file.exists():
        st = load_npz(resume_file)
        if str(st["fingerprint"]) == s.fingerprint():
            trainer.load_state(st)
            metrics_file = partial / "metrics.parquet"
            if metrics_file.exists():
                rows = pd.read_parquet(metrics_file).to_dict("records")
                rows = [r for r in rows if r["epoch"] <= trainer.epoch]
            log(f"{tag} resuming from epoch {trainer.epoch} ({trainer.updates} updates)")
        else:
            log(f"{tag} discarding a partial run made with other settings")
            shutil.rmtree(partial)
            partial.mkdir(parents=True)

    def save_checkpoint() -> None:
        p = trainer.params
        save_npz(
            partial / _checkpoint_name(trainer.epoch),
            W=p.W,
            a=p.a,
            b=p.b,
            epoch=np.array(trainer.epoch),
            updates=np.array(trainer.updates),
        )

    if trainer.epoch == 0:
        if 0 in s.checkpoints:
            save_checkpoint()
        rows = [_metrics_row(trainer, 0.0, 0.0)]

    total_seconds = sum(r["epoch_seconds"] for r in rows)
    while trainer.epoch < s.epochs:
        t0 = time.perf_counter()
        trainer.run_epoch()
        dt = time.perf_counter() - t0
        if not trainer.params.is_finite():
            raise DivergenceError(
                f"{tag}: parameters became NaN/inf during epoch {trainer.epoch} "
                f"(after {trainer.updates} updates). Lower the learning rate "
                f"(training.optimizer.lr = {s.optimizer.lr}) or change the initialisation."
            )
        total_seconds += dt
        rows.append(_metrics_row(trainer, dt, total_seconds))
        r = rows[-1]
        eta = (s.epochs - trainer.epoch) * total_seconds / max(len(rows) - 1, 1)
        log(
            f"{tag} epoch {trainer.epoch}/{s.epochs}  updates {trainer.updates}  "
            f"{r['updates_per_second']:.2f} updates/s  recon {r['recon_error']:.5f}  "
            f"ETA {_format_eta(eta)}"
        )
        if trainer.epoch in s.checkpoints:
            save_checkpoint()
        if trainer.epoch % s.resume_every == 0 or trainer.epoch == s.epochs:
            save_parquet(partial / "metrics.parquet", pd.DataFrame(rows))
            save_npz(resume_file, **trainer.state())
        if stop_after_epoch is not None and trainer.epoch >= stop_after_epoch:
            return pd.DataFrame(rows)

    metrics = pd.DataFrame(rows, columns=list(METRIC_COLUMNS))
    for e in s.checkpoints:
        (partial / _checkpoint_name(e)).replace(out_dir / _checkpoint_name(e))
    save_parquet(out_dir / "metrics.parquet", metrics)
    shutil.rmtree(partial)
    log(f"{tag} done: {trainer.updates} updates in {_format_eta(total_seconds)}")
    return metrics


def _metrics_row(trainer: Trainer, epoch_seconds: float, wall_seconds: float) -> dict:
    w = trainer.params.W
    n_updates = trainer.batches_per_epoch if trainer.epoch > 0 else 0
    return {
        "epoch": trainer.epoch,
        "updates": trainer.updates,
        "recon_error": trainer.recon_error(),
        "weight_norm": float(np.linalg.norm(w)),
        "max_singular_value": float(np.linalg.norm(w.astype(np.float64), 2)),
        "epoch_seconds": epoch_seconds,
        "updates_per_second": n_updates / epoch_seconds if epoch_seconds > 0 else float("nan"),
        "wall_seconds": wall_seconds,
    }


def load_checkpoint(path: str | Path) -> RBMParams:
    """Load ``W, a, b`` of a checkpoint ``.npz``."""
    d = load_npz(path)
    return RBMParams(d["W"], d["a"], d["b"])
