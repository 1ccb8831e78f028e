"""Cost model of the workflow: Gibbs sweeps, FLOPs and predicted CPU-hours per rule family.

Almost all the compute of this workflow is float32 GEMMs of shape ``(B, N) x (N, M)``
inside block Gibbs sweeps (training, AIS), plus float64 SVDs (spectra). This module counts
them exactly from a (merged, validated) config and converts FLOPs to time with rates
measured by :func:`calibrate` on real sweeps of :class:`~rbm_reciprocal.gibbs.GibbsSampler`
(one thread), or with a given GFLOP/s figure. ``python -m rbm_reciprocal cost`` prints the
table; every rule's SLURM ``runtime`` is :func:`job_runtime_minutes` of its job.

Counting conventions (``N`` visible, ``M`` hidden units, ``C`` chains, ``B`` batch):

* one GEMM of ``(b, n) x (n, m)`` costs ``2 b n m`` FLOPs (:func:`gemm_flops`);
* a block Gibbs sweep ``v -> h -> v`` of ``C`` chains is two GEMMs, ``4 C N M`` FLOPs; the
  element-wise sigmoid and sampling are counted in the calibrated rate, not as FLOPs;
* singular values only (``np.linalg.svd(compute_uv=False)``) of a ``p x q`` matrix,
  ``p >= q``, cost ``4 p q^2 - 4 q^3 / 3`` FLOPs (Golub & Van Loan, bidiagonalisation).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

N_VISIBLE = 784
MNIST_TRAIN = 60_000
MNIST_TEST = 10_000
SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"

#: Sustained single-core GFLOP/s of real Gibbs sweeps at B = 500 chains, N = 784,
#: M = 500...3000 on the development machine (Intel Xeon, AVX-512, OpenBLAS; 2 shared
#: cores): medians of repeated calibrations were 35-95 GFLOP/s depending on the load of
#: the other core. The low end, so that SLURM time limits are rarely hit.
REFERENCE_GFLOPS = 35.0
#: Defaults of the ``loglik`` section (issue 3) for configs written before it existed.
LOGLIK_DEFAULTS = {
    "epochs": None,  # every 10th epoch: 10, 20, ..., epochs
    "n_chains": 400,
    "betas": {"n": 500_000},
    "sample_sweeps": 1000,
    "exact_max_units": 20,
}

FAMILIES = ("training", "log-likelihood (AIS + reverse AIS)", "spectra", "analyses", "figures")


# -- configuration ---------------------------------------------------------------------------


def deep_merge(base: dict, override: dict) -> dict:
    """``override`` merged into a copy of ``base``: dicts recursively, other values replaced."""
    from .workflow_config import _deep_merge

    return _deep_merge(base, override)


def load_config(paths: Sequence[str | Path], schema: str | Path | None = SCHEMA) -> dict:
    """Merge YAML config files as Snakemake does and fill the schema's defaults.

    Later files override earlier ones, nested dicts are merged key by key. With a
    ``schema``, the result is validated by :func:`snakemake.utils.validate`, which also
    fills every missing key with its default, exactly as in the workflow.

    Raises
    ------
    ConfigError
        A file is missing or not a mapping, or the merged config fails the schema.
    """
    import yaml

    config: dict = {}
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"config file {path} not found")
        loaded = yaml.safe_load(path.read_text()) or {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"config file {path} is not a mapping of keys to values")
        config = deep_merge(config, loaded)
    if schema is not None and Path(schema).is_file():
        from snakemake.utils import validate

        from .workflow_config import config_error_message

        try:
            validate(config, schema=str(schema))
        except Exception as exc:  # WorkflowError wrapping a jsonschema.ValidationError
            raise ConfigError(config_error_message(exc)) from None
    return config


def _n_images(config: dict, split: str) -> int:
    """Images used of a split (``n_train``/``n_test``); a digit filter keeps ~1/10 per digit."""
    data = config.get("data", {})
    full = MNIST_TRAIN if split == "train" else MNIST_TEST
    n = min(int(data.get(f"n_{split}") or full), full)
    digits = data.get("digits")
    if digits:
        n = int(n * len(set(digits)) / 10)
    return n


def loglik_settings(config: dict) -> dict:
    """The ``loglik`` section, or the issue-3 defaults where it (or a key) is absent."""
    ll = deep_merge(LOGLIK_DEFAULTS, config.get("loglik") or {})
    if ll["epochs"] is None:
        epochs = int(config["training"]["epochs"])
        step = max(1, epochs // 10)
        ll["epochs"] = list(range(step, epochs + 1, step))
    return ll


# -- FLOP counts -----------------------------------------------------------------------------


def gemm_flops(b: int, n: int, m: int) -> int:
    """FLOPs of one ``(b, n) x (n, m)`` matrix product: ``2 b n m``."""
    return 2 * int(b) * int(n) * int(m)


def svd_flops(p: int, q: int) -> float:
    """FLOPs of the singular values (no vectors) of a ``p x q`` matrix."""
    p, q = max(p, q), min(p, q)
    return 4.0 * p * q * q - 4.0 * q**3 / 3.0


def half_steps_per_update(method: str, gibbs_steps: int) -> int:
    """Conditional samplings (one GEMM each) per update: ``2K``, Rdm ``2K - 1``.

    Rdm-K starts from random hidden states, so its first sweep is only ``h -> v``.
    """
    k = int(gibbs_steps)
    return 2 * k - 1 if method == "Rdm" else 2 * k


def train_update_flops(
    method: str, n: int, m: int, batch: int, chains: int, gibbs_steps: int
) -> int:
    """GEMM FLOPs of one parameter update (Eq. 13a-c).

    ``half_steps * 2CNM`` for the negative chains, plus ``p(h|v)`` and ``v^T p(h|v)`` on the
    batch (``2 * 2BNM``) and on the chains (``2 * 2CNM``).
    """
    steps = half_steps_per_update(method, gibbs_steps)
    return (
        steps * gemm_flops(chains, n, m)
        + 2 * gemm_flops(batch, n, m)
        + 2 * gemm_flops(chains, n, m)
    )


@dataclass
class Cost:
    """Work of ``jobs`` identical jobs of one rule, per job.

    ``gemm`` FLOPs run at the calibrated rate of GEMMs with ``rows`` rows and ``hidden``
    columns; ``svd`` FLOPs at the SVD rate.
    """

    family: str
    rule: str
    label: str
    jobs: int
    sweeps: int = 0  # Gibbs sweeps of `rows` chains, per job
    gemm: float = 0.0
    svd: float = 0.0
    rows: int = 500
    hidden: int = 500
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def flops(self) -> float:
        return self.gemm + self.svd


def _methods(config: dict) -> list[str]:
    return list(config["training"]["methods"])


def _method_training(config: dict, method: str) -> dict:
    from .workflow_config import method_training_config

    return method_training_config(config, method)


def train_job_cost(config: dict, method: str, hidden: int) -> Cost:
    """One ``train_rbm`` job: ``epochs * updates_per_epoch`` updates of ``K`` sweeps."""
    tr = _method_training(config, method)
    n, m = N_VISIBLE, int(hidden)
    batch = int(tr["batch_size"])
    chains = batch if method == "CD" else int(tr["n_chains"])
    per_epoch = tr.get("updates_per_epoch") or _n_images(config, "train") // batch
    updates = int(tr["epochs"]) * int(per_epoch)
    k = int(tr["gibbs_steps"])
    monitor = min(int(tr["monitor_size"]), _n_images(config, "train"))
    gemm = updates * train_update_flops(method, n, m, batch, chains, k)
    gemm += int(tr["epochs"]) * 2 * gemm_flops(monitor, n, m)  # reconstruction error
    svd = (int(tr["epochs"]) + 1) * svd_flops(n, m)  # largest singular value per epoch
    return Cost(
        "training",
        "train_rbm",
        f"{method}-{k} M={m}",
        int(config["model"]["replicas"]),
        sweeps=updates * k,
        gemm=gemm,
        svd=svd,
        rows=chains,
        hidden=m,
        extra={"updates": updates},
    )


def loglik_job_cost(config: dict, method: str, hidden: int) -> Cost:
    """One ``loglik`` job (one checkpoint): model samples, AIS and reverse AIS, LL of the data.

    With ``n`` betas each direction makes ``n - 1`` weight updates (one ``v W`` GEMM each)
    and ``n - 2`` visible samplings (``h W^T``), i.e. ``n - 1`` sweeps; the model-sample
    chains make ``sample_sweeps`` sweeps; ``-F(v)`` of every train and test image is one
    GEMM; exact ``log Z`` by enumeration is added when ``min(N, M) <= exact_max_units``.
    """
    ll = loglik_settings(config)
    n, m = N_VISIBLE, int(hidden)
    c = int(ll["n_chains"])
    n_betas = int(ll["betas"]["n"])
    sample_sweeps = int(ll["sample_sweeps"])
    gemm = 2 * (2 * n_betas - 3) * gemm_flops(c, n, m)  # AIS + reverse AIS
    gemm += (2 * sample_sweeps + 1) * gemm_flops(c, n, m)  # model samples + marginals
    gemm += gemm_flops(_n_images(config, "train") + _n_images(config, "test"), n, m)
    small = min(n, m)
    if small <= int(ll.get("exact_max_units") or 0):
        gemm += gemm_flops(2**small, small, max(n, m))
    return Cost(
        "log-likelihood (AIS + reverse AIS)",
        "loglik",
        f"{method} M={m}",
        int(config["model"]["replicas"]) * len(ll["epochs"]),
        sweeps=2 * (n_betas - 1) + sample_sweeps,
        gemm=gemm,
        rows=c,
        hidden=m,
        extra={"betas": n_betas, "chains": c, "checkpoints": len(ll["epochs"])},
    )


def training_costs(config: dict) -> list[Cost]:
    return [
        train_job_cost(config, meth, m)
        for m in config["model"]["hidden"]
        for meth in _methods(config)
    ]


def loglik_costs(config: dict) -> list[Cost]:
    return [
        loglik_job_cost(config, meth, m)
        for m in config["model"]["hidden"]
        for meth in _methods(config)
    ]


def spectra_costs(config: dict) -> list[Cost]:
    """Random-init spectra (Fig. 3a-d), trained spectra (Fig. 3f), kurtosis (Fig. 3e)."""
    sp = config.get("spectra", {})
    out = []
    rnd = sp.get("random")
    if rnd:
        for m in rnd["hidden"]:
            n = int(rnd.get("visible", N_VISIBLE))
            out.append(
                Cost(
                    "spectra",
                    "random_spectrum",
                    f"{rnd['n_matrices']} x SVD {n}x{m}",
                    1,
                    svd=int(rnd["n_matrices"]) * svd_flops(n, int(m)),
                    hidden=int(m),
                )
            )
    n_models = int(config["model"]["replicas"]) * len(_methods(config))
    out.append(
        Cost(
            "spectra",
            "trained_spectra",
            "SVD of every final checkpoint",
            1,
            svd=sum(n_models * svd_flops(N_VISIBLE, int(m)) for m in config["model"]["hidden"]),
        )
    )
    kurt = sp.get("kurtosis")
    if kurt:
        # x = U^T v for n_samples random states, U square of each size (2 variants at most)
        variants = list(kurt.get("variants") or ["code"])
        for size in kurt.get("sizes", []):
            out.append(
                Cost(
                    "spectra",
                    "kurtosis",
                    f"{int(kurt['n_samples']):,} projections, size {size}",
                    len(variants),
                    gemm=gemm_flops(int(kurt["n_samples"]), int(size), int(size)),
                    svd=svd_flops(int(size), int(size)),
                    rows=int(kurt.get("batch_size", 10_000)),
                    hidden=int(size),
                )
            )
    return out


def _gibbs_cost(rule: str, label: str, jobs: int, chains: int, sweeps: int, m: int) -> Cost:
    return Cost(
        "analyses",
        rule,
        label,
        jobs,
        sweeps=sweeps,
        gemm=sweeps * 2 * gemm_flops(chains, N_VISIBLE, m),
        rows=chains,
        hidden=m,
    )


def model_hidden(config: dict, section: str) -> int:
    """Hidden size of the one model a section analyses: ``<section>.model.hidden``, or the
    first of ``model.hidden`` when it is null or absent."""
    chosen = ((config.get(section) or {}).get("model") or {}).get("hidden")
    return int(chosen or config["model"]["hidden"][0])


def analysis_costs(config: dict) -> list[Cost]:
    """Gibbs sampling and projections of the reciprocal-space, Landau, symmetry and
    diffusion rules (one model each unless stated, the first hidden size when none is
    chosen)."""
    hidden = [int(m) for m in config["model"]["hidden"]]
    out = []
    rec = config.get("reciprocal") or {}
    m_rec = model_hidden(config, "reciprocal")
    if rec.get("gibbs"):
        g = rec["gibbs"]
        for rule in ("landscape_sample", "landscape_points"):
            out.append(
                _gibbs_cost(rule, f"M={m_rec}", 1, int(g["n_chains"]), int(g["sweeps"]), m_rec)
            )
    if rec.get("fig5"):
        s = int(rec["fig5"]["n_samples"])  # uniform states projected on U and V, two models
        out.append(
            Cost(
                "analyses",
                "uniform_projections",
                f"M={m_rec}",
                1,
                gemm=2 * (gemm_flops(s, N_VISIBLE, N_VISIBLE) + gemm_flops(s, m_rec, m_rec)),
                rows=s,
                hidden=m_rec,
            )
        )
    dif = config.get("diffusion") or {}
    if dif.get("walkers"):
        m = model_hidden(config, "diffusion")
        d = N_VISIBLE + m + 2  # components of z
        states = int(dif["uniform_states"])
        modes = sum(int(v) for v in (dif.get("modes") or {"n": 6}).values())
        # per model (untrained, trained): z of the uniform states and their covariance,
        # then 1-D Langevin walkers (counted as ~100 FLOPs per walker step, two potentials)
        per_model = gemm_flops(states, N_VISIBLE + m, d) + gemm_flops(d, states, d)
        per_model += 2 * modes * int(dif["walkers"]) * int(dif["max_steps"]) * 100
        out.append(Cost("analyses", "diffusion", f"M={m}", 1, gemm=2 * per_model, hidden=m))
    lan = config.get("landau") or {}
    if lan.get("gibbs_chains"):
        from .workflow_config import checkpoint_epochs_from_config

        epochs = lan.get("epochs") or checkpoint_epochs_from_config(config)
        for m in hidden:
            out.append(
                _gibbs_cost(
                    "mode_trajectory",
                    f"M={m}, {len(epochs)} checkpoints",
                    len(epochs),
                    int(lan["gibbs_chains"]),
                    int(lan["gibbs_sweeps"]),
                    m,
                )
            )
    sym = (config.get("symmetry") or {}).get("samples")
    if sym:
        m = model_hidden(config, "symmetry")
        out.append(
            _gibbs_cost("rotated_samples", f"M={m}", 1, int(sym["chains"]), int(sym["sweeps"]), m)
        )
    return out


def figure_costs(config: dict) -> list[Cost]:
    return [Cost("figures", "fig*", "plotting only (negligible)", 0)]


def workflow_costs(config: dict) -> list[Cost]:
    """Every rule family of the workflow, in :data:`FAMILIES` order."""
    return [
        *training_costs(config),
        *loglik_costs(config),
        *spectra_costs(config),
        *analysis_costs(config),
        *figure_costs(config),
    ]


# -- calibration ---------------------------------------------------------------------------------


@dataclass
class Calibration:
    """Measured single-thread rates: FLOP/s of Gibbs sweeps per ``(chains, hidden)`` shape
    and of float64 singular values."""

    gemm: dict[tuple[int, int], float]
    svd: float
    seconds: float = 0.0

    def gemm_rate(self, rows: int, hidden: int) -> float:
        """Rate of the measured shape closest to ``(rows, hidden)`` (log distance)."""
        if (rows, hidden) in self.gemm:
            return self.gemm[(rows, hidden)]

        def dist(shape: tuple[int, int]) -> float:
            return abs(math.log(shape[0] / max(rows, 1))) + abs(math.log(shape[1] / max(hidden, 1)))

        return self.gemm[min(self.gemm, key=dist)]


def _time_per_call(fn, budget: float, min_calls: int = 3) -> float:
    """Median seconds per call of ``fn`` within about ``budget`` seconds (after a warm-up)."""
    import numpy as np

    fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_calls or time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if len(times) >= 1000:
            break
    return float(np.median(times))


def calibrate(
    shapes: Iterable[tuple[int, int]],
    seconds: float = 30.0,
    svd_shape: tuple[int, int] = (N_VISIBLE, 500),
    seed: int = 0,
) -> Calibration:
    """Measure FLOP/s of real block Gibbs sweeps at each ``(chains, hidden)`` shape.

    Runs :meth:`GibbsSampler.sweeps` of a random ``784 x hidden`` RBM on one thread (BLAS
    and numba) for about ``0.9 * seconds / len(shapes)`` each, and float64 singular values
    of a ``svd_shape`` matrix for the remaining tenth. Rates are FLOPs (``4 C N M`` per
    sweep, :func:`svd_flops`) over the median time per call.
    """
    import numba
    import numpy as np

    from .gibbs import GibbsSampler
    from .rbm import RBMParams

    shapes = sorted({(int(c), int(m)) for c, m in shapes})
    if not shapes:
        raise ValueError("nothing to calibrate")
    t_start = time.perf_counter()
    rng = np.random.default_rng(seed)
    per_shape = 0.9 * float(seconds) / len(shapes)
    rates: dict[tuple[int, int], float] = {}
    old_threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        with _one_blas_thread():
            for c, m in shapes:
                params = RBMParams(
                    rng.normal(0, 0.01, (N_VISIBLE, m)).astype(np.float32),
                    rng.normal(0, 0.1, N_VISIBLE).astype(np.float32),
                    np.zeros(m, np.float32),
                )
                sampler = GibbsSampler(params, c)
                v = (rng.random((c, N_VISIBLE)) < 0.5).astype(np.float32)
                h = np.empty((c, m), np.float32)
                t = _time_per_call(lambda s=sampler, v=v, h=h: s.sweeps(v, h, 1, rng), per_shape)
                rates[(c, m)] = 2 * gemm_flops(c, N_VISIBLE, m) / t
            w = rng.normal(size=svd_shape)
            t = _time_per_call(
                lambda: np.linalg.svd(w, compute_uv=False), 0.1 * float(seconds), min_calls=2
            )
            svd_rate = svd_flops(*svd_shape) / t
    finally:
        numba.set_num_threads(old_threads)
    return Calibration(rates, svd_rate, time.perf_counter() - t_start)


class _one_blas_thread:
    """Limit BLAS to one thread (threadpoolctl when installed; otherwise a no-op, and the
    ``cost`` command sets the thread variables before numpy is imported)."""

    def __enter__(self):
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            self._ctx = None
            return self
        self._ctx = threadpool_limits(1)
        return self

    def __exit__(self, *exc):
        if self._ctx is not None:
            self._ctx.unregister()
        return False


def calibration_shapes(costs: Iterable[Cost]) -> list[tuple[int, int]]:
    """The distinct Gibbs shapes ``(chains, hidden)`` of training and log-likelihood jobs."""
    fams = ("training", "log-likelihood (AIS + reverse AIS)")
    return sorted({(c.rows, c.hidden) for c in costs if c.family in fams and c.sweeps})


# -- time ---------------------------------------------------------------------------------------


def seconds_at(cost: Cost, calibration: Calibration | None = None, gflops: float | None = None):
    """Single-thread seconds of one job: by calibrated rates, or at ``gflops`` GFLOP/s."""
    if calibration is not None:
        t = cost.gemm / calibration.gemm_rate(cost.rows, cost.hidden) if cost.gemm else 0.0
        return t + (cost.svd / calibration.svd if cost.svd else 0.0)
    if gflops is None:
        raise ValueError("give a calibration or a GFLOP/s figure")
    return cost.flops / (float(gflops) * 1e9)


#: Singular values (LAPACK, float64) run at 3-8 GFLOP/s on one core of the same machine.
REFERENCE_SVD_GFLOPS = 3.0
#: Time limit of resumable jobs (training): 48 h, a common partition maximum. A longer
#: job is stopped by SLURM and continues from its last epoch in the next attempt.
MAX_RESUMABLE_MINUTES = 2880


def runtime_minutes(
    cost: Cost | float,
    threads: int = 1,
    attempt: int = 1,
    gflops: float = REFERENCE_GFLOPS,
    svd_gflops: float = REFERENCE_SVD_GFLOPS,
    safety: float = 2.0,
    overhead: float = 5.0,
    cap: float | None = None,
) -> int:
    """A SLURM time limit (minutes) for one job of ``cost`` (a :class:`Cost` or GEMM FLOPs).

    ``overhead + safety * attempt * seconds / 60`` with ``seconds`` the GEMM FLOPs at
    ``gflops`` plus the SVD FLOPs at ``svd_gflops``, divided by the speedup of ``threads``
    threads, taken as ``1 + 0.75 (threads - 1)``; at most ``cap`` minutes.
    """
    gemm, svd = (cost.gemm, cost.svd) if isinstance(cost, Cost) else (float(cost), 0.0)
    seconds = gemm / (gflops * 1e9) + svd / (svd_gflops * 1e9)
    speedup = 1.0 + 0.75 * (max(int(threads), 1) - 1)
    minutes = overhead + safety * int(attempt) * seconds / speedup / 60.0
    if cap is not None:
        minutes = min(minutes, cap)
    return int(math.ceil(minutes))


def job_cost(config: dict, rule: str, wildcards: Any = None) -> Cost | None:
    """Cost of one job of ``rule`` with ``wildcards`` (attributes, as Snakemake's), or None
    for rules whose cost is negligible (data, tables, figures)."""

    def wc(name: str) -> str:
        return str(getattr(wildcards, name))

    if rule == "train_rbm":
        return train_job_cost(config, wc("method"), int(wc("hidden")))
    if rule == "loglik":
        return loglik_job_cost(config, wc("method"), int(wc("hidden")))
    if rule == "kurtosis":  # one job per variant, every size
        sizes = [c for c in spectra_costs(config) if c.rule == "kurtosis"]
        return Cost(
            "spectra",
            rule,
            "all sizes",
            1,
            gemm=sum(c.gemm for c in sizes),
            svd=sum(c.svd for c in sizes),
        )
    hidden = getattr(wildcards, "hidden", None) if wildcards is not None else None
    for c in (*spectra_costs(config), *analysis_costs(config)):
        if c.rule == rule and (hidden is None or c.hidden == int(hidden)):
            return c
    return None


def job_runtime_minutes(
    config: dict, rule: str, wildcards: Any = None, threads: int = 1, attempt: int = 1, **kw
) -> int:
    """``runtime`` resource of one job of ``rule`` (see :func:`runtime_minutes`).

    Training resumes from its last epoch, so its limit is capped at
    :data:`MAX_RESUMABLE_MINUTES`; other jobs get their full estimate. Rules of negligible
    cost (data, tables, figures) get 10 minutes per attempt.
    """
    cost = job_cost(config, rule, wildcards)
    if cost is None:
        return 10 * int(attempt)
    if rule == "train_rbm":
        kw.setdefault("cap", MAX_RESUMABLE_MINUTES)
    return runtime_minutes(cost, threads, attempt, **kw)


def train_runtime_minutes(
    config: dict, method: str, hidden: int, threads: int = 1, attempt: int = 1, **kw
) -> int:
    """``runtime`` of one ``train_rbm`` job (capped at :data:`MAX_RESUMABLE_MINUTES`)."""
    kw.setdefault("cap", MAX_RESUMABLE_MINUTES)
    return runtime_minutes(train_job_cost(config, method, hidden), threads, attempt, **kw)


def loglik_runtime_minutes(
    config: dict, method: str, hidden: int, threads: int = 1, attempt: int = 1, **kw
) -> int:
    """``runtime`` of one ``loglik`` job (one checkpoint; not resumable, so never capped)."""
    return runtime_minutes(loglik_job_cost(config, method, hidden), threads, attempt, **kw)


# -- report --------------------------------------------------------------------------------------


def _fmt_count(x: float) -> str:
    return "0" if x == 0 else f"{x:.3g}" if x < 1e4 else f"{x:.2e}"


def _fmt_hours(seconds: float) -> str:
    h = seconds / 3600.0
    if h == 0:
        return "0"
    if h < 0.01:
        return "< 0.01"
    return f"{h:,.2f}" if h < 10 else f"{h:,.0f}"


def cost_table(
    costs: Sequence[Cost],
    calibration: Calibration | None = None,
    gflops: float | None = None,
    detail: bool = True,
) -> str:
    """Markdown table: jobs, Gibbs sweeps, FLOPs and CPU-hours per family (and per rule line).

    Sweeps and FLOPs are totals over the family's jobs; CPU-hours are single-thread.
    """
    cols = ["family / rule", "jobs", "Gibbs sweeps", "FLOPs"]
    if calibration is not None:
        cols.append("CPU-h (this machine)")
    if gflops is not None:
        cols.append(f"CPU-h at {gflops:g} GFLOP/s")
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join([" --- "] * len(cols)) + "|"]

    def row(name: str, group: Sequence[Cost]) -> str:
        jobs = sum(c.jobs for c in group)
        sweeps = sum(c.jobs * c.sweeps for c in group)
        flops = sum(c.jobs * c.flops for c in group)
        cells = [name, f"{jobs:,}", _fmt_count(sweeps), _fmt_count(flops)]
        if calibration is not None:
            cells.append(_fmt_hours(sum(c.jobs * seconds_at(c, calibration) for c in group)))
        if gflops is not None:
            cells.append(_fmt_hours(sum(c.jobs * seconds_at(c, gflops=gflops) for c in group)))
        return "| " + " | ".join(cells) + " |"

    for fam in FAMILIES:
        group = [c for c in costs if c.family == fam]
        if not group:
            continue
        lines.append(row(f"**{fam}**", group))
        if detail and fam != "figures":
            for c in group:
                lines.append(row(f"↳ {c.rule}: {c.label}", [c]))
    lines.append(row("**total**", list(costs)))
    return "\n".join(lines)


def report(
    configfiles: Sequence[str | Path],
    calibrate_seconds: float = 30.0,
    gflops: float | None = None,
    detail: bool = True,
    schema: str | Path | None = SCHEMA,
) -> str:
    """The text of ``python -m rbm_reciprocal cost``: what was measured, then the table."""
    config = load_config(configfiles, schema=schema)
    costs = workflow_costs(config)
    out = [f"Cost of {' + '.join(str(p) for p in configfiles)} (N = {N_VISIBLE} visible units)"]
    if config.get("loglik") is None:
        out.append(
            "no loglik section: assuming 400 chains, 500,000 betas, every 10th epoch (issue 3)"
        )
    calibration = None
    if calibrate_seconds and calibrate_seconds > 0:
        calibration = calibrate(calibration_shapes(costs) or [(500, 500)], calibrate_seconds)
        rates = ", ".join(
            f"{c} x {m}: {r / 1e9:.1f}" for (c, m), r in sorted(calibration.gemm.items())
        )
        out.append(
            f"Calibrated in {calibration.seconds:.0f} s on one thread of this machine: Gibbs "
            f"sweeps (chains x M: GFLOP/s) {rates}; singular values {calibration.svd / 1e9:.1f} "
            "GFLOP/s."
        )
    out.append(
        "Sweeps and FLOPs are totals over each row's jobs; CPU-hours are single-thread "
        "(divide by the cores of a job for its wall time)."
    )
    out.append("")
    out.append(cost_table(costs, calibration, gflops, detail=detail))
    if detail:
        from .resources import resources_table

        out += ["", "Per-job requests of every rule (SLURM --cpus-per-task, --mem, --time):", ""]
        out.append(resources_table(config))
    return "\n".join(out)
