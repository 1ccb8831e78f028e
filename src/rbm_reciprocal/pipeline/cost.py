"""Cost model of the workflow: Gibbs sweeps, FLOPs and predicted CPU-hours per rule family.

Almost all the compute of this workflow is float32 GEMMs of shape ``(B, N) x (N, M)``
inside block Gibbs sweeps (training, AIS), plus float64 SVDs (spectra). This module counts
them exactly from a (merged, validated) config and converts FLOPs to time with rates
measured by :func:`calibrate` on real sweeps of :class:`~rbm_reciprocal.sampling.gibbs.GibbsSampler`
(one thread), or with a given GFLOP/s figure. ``python -m rbm_reciprocal cost`` prints the
table; every rule's SLURM ``runtime`` is :func:`job_runtime_minutes` of its job.

Counting conventions (``N`` visible, ``M`` hidden units, ``C`` chains, ``B`` batch):

* one GEMM of ``(b, n) x (n, m)`` costs ``2 b n m`` FLOPs (:func:`gemm_flops`);
* a block Gibbs sweep ``v -> h -> v`` of ``C`` chains is two GEMMs, ``4 C N M`` FLOPs; the
  element-wise sigmoid and sampling are counted in the calibrated rate, not as FLOPs; a
  half-sweep that sums rows of ``W`` instead (the gather path) is counted as its GEMM, and
  the job's :attr:`Cost.speedup` says how much faster than dense its GEMM work runs;
* singular values only (``np.linalg.svd(compute_uv=False)``) of a ``p x q`` matrix,
  ``p >= q``, cost ``4 p q^2 - 4 q^3 / 3`` FLOPs (Golub & Van Loan, bidiagonalisation).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from rbm_reciprocal.pipeline.config import checkpoint_epochs_from_config, method_training_config

N_VISIBLE = 784


MNIST_TRAIN = 60_000


MNIST_TEST = 10_000


#: Sustained single-core GFLOP/s of real Gibbs sweeps at B = 500 chains, N = 784,
#: M = 500...3000 on the development machine (Intel Xeon, AVX-512, OpenBLAS; 2 shared
#: cores): medians of repeated calibrations were 35-95 GFLOP/s depending on the load of
#: the other core. The low end, so that SLURM time limits are rarely hit.
REFERENCE_GFLOPS = 35.0


#: How much faster a CPU training update runs with the gather half-sweeps
#: (``backend.sparse_density`` > 0) than with dense GEMMs only, at the same counted FLOPs:
#: quick preset, M = 500, one thread, alternating runs of 100 updates measured 1.18-1.22x
#: (updates per CPU-second; the sweeps alone 1.23-1.37x at M = 500 and 3000), rounded down
#: (README, "The Gibbs core"). Applied to ``train_rbm`` jobs; AIS and the analyses stay dense.
TRAIN_GATHER_SPEEDUP = 1.15


#: The log-likelihood family (Fig. 1 left): trajectory passes (PT ladder or trajectory AIS),
#: crosschecks or standard jobs; each line's label names its estimator.
LOGLIK_FAMILY = "log-likelihood"

#: Steps without a cost line: data, tables and the report (``light``), small analyses
#: (``compute``), figures.
TABLES_FAMILY = "data and tables"

FAMILIES = ("training", LOGLIK_FAMILY, "spectra", "analyses", TABLES_FAMILY, "figures")


def n_images(config: dict, split: str) -> int:
    """Images used of a split (``n_train``/``n_test``); a digit filter keeps ~1/10 per digit."""
    data = config["data"]
    full = MNIST_TRAIN if split == "train" else MNIST_TEST
    n = min(int(data[f"n_{split}"] or full), full)
    digits = data["digits"]
    if digits:
        n = int(n * len(set(digits)) / 10)
    return n


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

    ``gemm`` FLOPs (dense-equivalent) run at the calibrated rate of GEMMs with ``rows`` rows
    and ``hidden`` columns times ``speedup`` (> 1 where the gather half-sweeps replace part
    of them, see :data:`TRAIN_GATHER_SPEEDUP`); ``svd`` FLOPs at the SVD rate.
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
    speedup: float = 1.0

    @property
    def flops(self) -> float:
        return self.gemm + self.svd


def train_job_cost(config: dict, method: str, hidden: int) -> Cost:
    """One ``train_rbm`` job: ``epochs * updates_per_epoch`` updates of ``K`` sweeps."""
    tr = method_training_config(config, method)
    n, m = N_VISIBLE, int(hidden)
    batch = int(tr["batch_size"])
    chains = batch if method == "CD" else int(tr["n_chains"])
    per_epoch = tr["updates_per_epoch"] or n_images(config, "train") // batch
    updates = int(tr["epochs"]) * int(per_epoch)
    k = int(tr["gibbs_steps"])
    monitor = min(int(tr["monitor_size"]), n_images(config, "train"))
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
        speedup=train_gather_speedup(config),
    )


def batched_train_job_cost(config: dict, method: str, hidden: int) -> Cost:
    """One ``train_rbm_batched`` job (``training.batch_replicas``): the ``model.replicas``
    replicas of one (method, hidden size), i.e. ``R`` times the work of one ``train_rbm``
    job. On CPUs that is ``R`` times its time; on a GPU the batched sweeps may take less
    (unmeasured here: ``bench/gpu.py --replicas R`` measures it), so the estimate is an
    upper bound there."""
    one = train_job_cost(config, method, hidden)
    r = int(config["model"]["replicas"])
    return replace(
        one,
        rule="train_rbm_batched",
        label=f"{one.label} x{r}",
        jobs=1,
        sweeps=one.sweeps * r,
        gemm=one.gemm * r,
        svd=one.svd * r,
    )


def train_gather_speedup(config: dict) -> float:
    """:data:`TRAIN_GATHER_SPEEDUP` on the CPU backend with the gather on, else 1."""
    backend = config["backend"]
    on = backend["name"] == "cpu" and float(backend["sparse_density"]) > 0
    return TRAIN_GATHER_SPEEDUP if on else 1.0


def training_costs(config: dict) -> list[Cost]:
    """One line per (hidden size, method): ``train_rbm`` jobs (one per replica), one
    ``train_rbm_batched`` job with ``training.batch_replicas``, none for imported models."""
    if config["models"]["source"]:
        return []
    job = batched_train_job_cost if config["training"]["batch_replicas"] else train_job_cost
    return [
        job(config, meth, m)
        for m in config["model"]["hidden"]
        for meth in config["training"]["methods"]
    ]


def random_spectrum_costs(config: dict) -> list[Cost]:
    """``random_spectrum`` (Fig. 3a-d): one job per panel, ``n_matrices`` SVDs each."""
    rnd = config["spectra"]["random"]
    out = []
    for m in rnd["hidden"]:
        n = int(rnd["visible"])
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
    return out


def trained_spectra_cost(config: dict) -> Cost:
    """``trained_spectra`` (Fig. 3f): the SVD of every model's final checkpoint."""
    n_models = int(config["model"]["replicas"]) * len(config["training"]["methods"])
    return Cost(
        "spectra",
        "trained_spectra",
        "SVD of every final checkpoint",
        1,
        svd=sum(n_models * svd_flops(N_VISIBLE, int(m)) for m in config["model"]["hidden"]),
    )


def kurtosis_job_cost(config: dict) -> Cost:
    """``kurtosis`` (Fig. 3e), one job per variant: at every size ``x = U^T v`` for
    ``n_samples`` random states, ``U`` square of that size (the GEMM rate of the largest)."""
    kurt = config["spectra"]["kurtosis"]
    n, sizes = int(kurt["n_samples"]), [int(s) for s in kurt["sizes"]]
    return Cost(
        "spectra",
        "kurtosis",
        f"{n:,} projections at sizes {', '.join(map(str, sizes))}",
        1,
        gemm=sum(gemm_flops(n, s, s) for s in sizes),
        svd=sum(svd_flops(s, s) for s in sizes),
        rows=int(kurt["batch_size"]),
        hidden=max(sizes),
    )


def spectra_costs(config: dict) -> list[Cost]:
    """Random-init spectra (Fig. 3a-d), trained spectra (Fig. 3f), kurtosis (Fig. 3e)."""
    kurtosis = replace(
        kurtosis_job_cost(config), jobs=len(config["spectra"]["kurtosis"]["variants"])
    )
    return [*random_spectrum_costs(config), trained_spectra_cost(config), kurtosis]


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
    first of ``model.hidden`` when it is null."""
    return int(config[section]["model"]["hidden"] or config["model"]["hidden"][0])


def landscape_cost(config: dict, rule: str) -> Cost:
    """``landscape_sample`` or ``landscape_points`` (Figs. 1 right, 2): the Gibbs chains of
    ``reciprocal.gibbs`` on the ``reciprocal`` model."""
    m = model_hidden(config, "reciprocal")
    g = config["reciprocal"]["gibbs"]
    return _gibbs_cost(rule, f"M={m}", 1, int(g["n_chains"]), int(g["sweeps"]), m)


def uniform_projections_cost(config: dict) -> Cost:
    """``uniform_projections`` (Fig. 5): uniform states projected on U and V, two models."""
    m = model_hidden(config, "reciprocal")
    s = int(config["reciprocal"]["fig5"]["n_samples"])
    return Cost(
        "analyses",
        "uniform_projections",
        f"M={m}",
        1,
        gemm=2 * (gemm_flops(s, N_VISIBLE, N_VISIBLE) + gemm_flops(s, m, m)),
        rows=s,
        hidden=m,
    )


def diffusion_cost(config: dict) -> Cost:
    """``diffusion``: per model (untrained, trained), ``z`` of the uniform states and their
    covariance, then 1-D Langevin walkers (counted as ~100 FLOPs per walker step, two
    potentials)."""
    dif = config["diffusion"]
    m = model_hidden(config, "diffusion")
    d = N_VISIBLE + m + 2  # components of z
    states = int(dif["uniform_states"])
    modes = sum(int(v) for v in dif["modes"].values())
    per_model = gemm_flops(states, N_VISIBLE + m, d) + gemm_flops(d, states, d)
    per_model += 2 * modes * int(dif["walkers"]) * int(dif["max_steps"]) * 100
    return Cost("analyses", "diffusion", f"M={m}", 1, gemm=2 * per_model, hidden=m)


def mode_trajectory_costs(config: dict) -> list[Cost]:
    """``mode_trajectory`` (Figs. 7-8), per hidden size: Gibbs chains at every checkpoint."""
    lan = config["landau"]
    epochs = lan["epochs"] or checkpoint_epochs_from_config(config)
    return [
        _gibbs_cost(
            "mode_trajectory",
            f"M={m}, {len(epochs)} checkpoints",
            len(epochs),
            int(lan["gibbs_chains"]),
            int(lan["gibbs_sweeps"]),
            m,
        )
        for m in (int(h) for h in config["model"]["hidden"])
    ]


def rotated_samples_cost(config: dict) -> Cost:
    """``rotated_samples`` (Fig. 6): the Gibbs chains of ``symmetry.samples``."""
    m = model_hidden(config, "symmetry")
    sym = config["symmetry"]["samples"]
    return _gibbs_cost("rotated_samples", f"M={m}", 1, int(sym["chains"]), int(sym["sweeps"]), m)


def analysis_costs(config: dict) -> list[Cost]:
    """Gibbs sampling and projections of the reciprocal-space, Landau, symmetry and
    diffusion rules (one model each unless stated, the first hidden size when none is
    chosen)."""
    return [
        landscape_cost(config, "landscape_sample"),
        landscape_cost(config, "landscape_points"),
        uniform_projections_cost(config),
        diffusion_cost(config),
        *mode_trajectory_costs(config),
        rotated_samples_cost(config),
    ]
