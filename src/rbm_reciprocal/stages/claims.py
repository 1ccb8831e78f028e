"""Stage claims (workflow/rules/claims.smk): the uniform moments (claim 4), the PC alignment
(claim 7) and the claims table from every stage's tables; and the claims' calibration."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rbm_reciprocal.analysis.alignment import data_principal_components
from rbm_reciprocal.analysis.kurtosis import kurtosis_closed_form
from rbm_reciprocal.analysis.reciprocal import decompose, random_binary
from rbm_reciprocal.core.checkpoint import read_checkpoint
from rbm_reciprocal.core.io import PathLike, atomic_path
from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.core.streams import stream
from rbm_reciprocal.core.tables import read_table, save_parquet
from rbm_reciprocal.data.dataset import load_dataset
from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.config import (
    checkpoint_epochs_from_config,
    final_models,
    last_epoch,
    validate_config,
)
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.step import ANALYSIS_STEP, Step

pd = lazy_module("pandas")
calibration = lazy_module("rbm_reciprocal.claims.calibration")
claims_tables = lazy_module("rbm_reciprocal.claims.table")


#: Principal components of the training images that claim 7 compares ``u_1`` with (a
#: property of the claim, not a config key).
ALIGNMENT_PCS = 5


@dataclass(frozen=True)
class UniformMoments:
    """Claim 4 (Eq. 51): ``n_states`` Bernoulli(1/2) states projected on every x_i, y_i."""

    n_states: int
    seed: int


def uniform_moments(config: dict, wildcards: Any) -> UniformMoments:
    return UniformMoments(int(config["claims"]["uniform_states"]), int(config["seed"]))


def alignment_checkpoints(config: dict) -> list[tuple[int, str, int, int]]:
    """(hidden, method, replica, epoch) of every checkpoint of every model (claim 7 follows
    ``u_1`` along training), in the order of the pc_alignment job's ``checkpoints``."""
    epochs = checkpoint_epochs_from_config(config)
    return [(m, meth, r, int(e)) for m, meth, r in final_models(config) for e in epochs]


@dataclass(frozen=True)
class PcAlignment:
    """Claim 7: the checkpoints of :func:`alignment_checkpoints` and the PCs compared."""

    checkpoints: list[tuple[int, str, int, int]]
    n_pcs: int


def pc_alignment(config: dict, wildcards: Any) -> PcAlignment:
    return PcAlignment(alignment_checkpoints(config), ALIGNMENT_PCS)


@dataclass(frozen=True)
class Claims:
    """The claims table: the models' training ``epochs`` (claim 8's n/a rule), the fewest
    epochs at which a trained-model claim can fail (``claims.min_epochs``) and the heading
    of the Markdown and HTML tables."""

    epochs: int
    min_epochs: int
    title: str


def claims(config: dict, wildcards: Any) -> Claims:
    hidden = [int(m) for m in config["model"]["hidden"]]
    methods = [str(meth) for meth in config["training"]["methods"]]
    replicas = int(config["model"]["replicas"])
    epochs = last_epoch(config)
    title = (
        f"Claims of arXiv:2503.21536 checked on this run: hidden sizes {hidden}, "
        f"methods {methods}, {replicas} replica(s), {epochs} epochs."
    )
    return Claims(epochs, int(config["claims"]["min_epochs"]), title)


def uniform_moments_table(
    checkpoints: Mapping[str, PathLike],
    n_states: int,
    seed: int,
    batch: int = 5000,
) -> pd.DataFrame:
    """Means and standard deviations of every ``x_i``, ``y_i`` of uniform states (claim 4).

    Eq. (51): under the uniform measure ``mu_x_i = (1/2) sum_k U_ki`` and ``std = 1/2``.
    Standard errors: ``se_mean = 1/(2 sqrt n)``; ``se_std = (1/2) sqrt((kappa_i - 1)/(4n) +
    1/n^2)`` with the exact kurtosis ``kappa_i = 3 - 2 sum_k U_ki^4`` (the ``1/n^2`` term is
    the second-order spread, which dominates for columns concentrated on a single unit).

    Parameters
    ----------
    checkpoints : mapping state -> npz path
    n_states : int
    seed : int
    batch : int

    Returns
    -------
    DataFrame, one row per (state, variable, index): ``state, epoch, variable, index, mean,
    mu, std, se_mean, se_std, kurtosis, n_states``.
    """

    parts = []
    for state, path in checkpoints.items():
        ck = read_checkpoint(path)
        epoch = ck.epoch or 0
        rec = decompose(ck.W, ck.a, ck.b)
        rng = stream(seed, "uniform-moments", *ck.W.shape)
        for variable, basis, mu in (("x", rec.U, rec.mu_x), ("y", rec.V, rec.mu_y)):
            s1 = np.zeros(basis.shape[1])
            s2 = np.zeros(basis.shape[1])
            shift = 0.5 * basis.sum(axis=0)
            done = 0
            while done < n_states:
                k = min(batch, n_states - done)
                d = random_binary(k, basis.shape[0], rng).astype(np.float64) @ basis - shift
                s1 += d.sum(axis=0)
                s2 += (d * d).sum(axis=0)
                done += k
            m1 = s1 / n_states
            var = s2 / n_states - m1**2
            kurt = kurtosis_closed_form(basis)
            parts.append(
                pd.DataFrame(
                    {
                        "state": state,
                        "epoch": np.int64(epoch),
                        "variable": variable,
                        "index": np.arange(1, basis.shape[1] + 1, dtype=np.int64),
                        "mean": m1 + shift,
                        "mu": mu,
                        "std": np.sqrt(var * n_states / (n_states - 1)),
                        "se_mean": 0.5 / np.sqrt(n_states),
                        "se_std": 0.5
                        * np.sqrt(np.maximum(kurt - 1.0, 0.0) / (4 * n_states) + 1.0 / n_states**2),
                        "kurtosis": kurt,
                        "n_states": np.int64(n_states),
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


def run_uniform_moments(
    checkpoints: Mapping[str, PathLike], n_states: int, seed: int, out: PathLike
) -> pd.DataFrame:
    """Write :func:`uniform_moments_table` to ``out``."""

    table = uniform_moments_table(checkpoints, n_states, seed)
    save_parquet(out, table)
    return table


def pc_alignment_table(
    checkpoints: Sequence[tuple[int, str, int, int, PathLike]],
    data: np.ndarray,
    n_pcs: int,
) -> pd.DataFrame:
    """Overlap of each model's top left singular vector with the data's principal components.

    Parameters
    ----------
    checkpoints : sequence of (hidden, method, replica, epoch, npz path)
    data : ndarray, shape (n, N)
        Training images.
    n_pcs : int

    Returns
    -------
    DataFrame, one row per checkpoint: ``hidden, method, replica, epoch, lambda_1,
    overlap_pc1 .. overlap_pc{n_pcs}`` (``|u_1 . PC_j|``), ``overlap_pc1`` first,
    ``overlap_top`` (norm of the projection of ``u_1`` on the span of the ``n_pcs`` PCs),
    ``best_pc`` (1-based argmax), ``overlap_mean`` (``|u_1 . mean / |mean||``),
    ``mean_overlap_pc1 .. mean_overlap_pc{n_pcs}`` (``|mean . PC_j| / |mean|``, the same for
    every row: how far the mean image, a data-related direction, is from the PCs), ``n_pcs``,
    ``n_visible`` (N), ``random_overlap`` (``sqrt(2 / (pi N))``, the mean overlap of a random
    unit vector).
    """

    pcs, mean = data_principal_components(data, n_pcs)
    mean_dir = mean / np.linalg.norm(mean)
    mean_pcs = {f"mean_overlap_pc{j + 1}": float(o) for j, o in enumerate(np.abs(mean_dir @ pcs))}
    n = pcs.shape[0]
    rows = []
    for hidden, method, replica, epoch, path in checkpoints:
        w = read_checkpoint(path).W.astype(np.float64)
        u, s, _ = np.linalg.svd(w, full_matrices=False)
        ov = np.abs(u[:, 0] @ pcs)
        row = {
            "hidden": np.int64(hidden),
            "method": str(method),
            "replica": np.int64(replica),
            "epoch": np.int64(epoch),
            "lambda_1": float(s[0]),
        }
        row |= {f"overlap_pc{j + 1}": float(o) for j, o in enumerate(ov)}
        row |= {
            "overlap_top": float(np.sqrt(np.sum(ov**2))),
            "best_pc": np.int64(np.argmax(ov) + 1),
            "overlap_mean": float(abs(u[:, 0] @ mean_dir)),
            **mean_pcs,
            "n_pcs": np.int64(n_pcs),
            "n_visible": np.int64(n),
            "random_overlap": float(np.sqrt(2.0 / (np.pi * n))),
        }
        rows.append(row)
    return pd.DataFrame(rows)


def run_pc_alignment(
    checkpoints: Sequence[tuple[int, str, int, int, PathLike]],
    dataset: PathLike,
    out: PathLike,
    n_pcs: int,
) -> pd.DataFrame:
    """Write :func:`pc_alignment_table` of the training images of ``dataset`` to ``out``."""

    table = pc_alignment_table(checkpoints, load_dataset(dataset).train, n_pcs)
    save_parquet(out, table)
    return table


def run_claims(
    paths: Mapping[str, PathLike | Sequence[PathLike]],
    s: Claims,
    out_table: PathLike,
    out_markdown: PathLike,
    out_html: PathLike | None = None,
) -> pd.DataFrame:
    """Read the tables named in ``paths`` (the names of :func:`claims_table`), write the
    outputs (parquet, Markdown and, if ``out_html`` is given, the HTML of the Snakemake
    report).

    ``paths["random"]``, ``paths["kurtosis"]`` and ``paths["kurtosis_fit"]`` may be lists
    (one file per panel / variant; the kurtosis lists are concatenated).
    """

    tables: dict[str, object] = {}
    for key, p in paths.items():
        if p is None or (isinstance(p, (list, tuple)) and not p):
            continue
        if key == "random":
            tables[key] = [read_table(q) for q in p]
        elif isinstance(p, (list, tuple)):
            tables[key] = pd.concat([read_table(q) for q in p], ignore_index=True)
        else:
            tables[key] = read_table(p)
    table = claims_tables.claims_table(tables, s.epochs, s.min_epochs)
    save_parquet(out_table, table)
    with atomic_path(out_markdown) as tmp:
        tmp.write_text(claims_tables.claims_markdown(table, s.title))
    if out_html is not None:
        with atomic_path(out_html) as tmp:
            tmp.write_text(claims_tables.claims_html(table, s.title))
    return table


def run_claims_calibration(
    n_trials: int, seed: int, out: PathLike, claims: Sequence[int] | None = None, log=print
) -> pd.DataFrame:
    """Write :func:`calibrate_claims` (columns ``claim, scenario, n_trials, pass_rate,
    fail_rate, na_rate, calibrated``) to ``out``, at the paper config's ``claims.min_epochs``
    (the schema's default)."""
    min_epochs = validate_config({"seed": 0})["claims"]["min_epochs"]
    ids = None if claims is None else list(claims)
    table = calibration.calibrate_claims(n_trials, min_epochs, seed, ids, log)
    save_parquet(out, table)
    bad = table[~table["calibrated"]]
    pairs = ", ".join(f"{c} {s}" for c, s in bad[["claim", "scenario"]].values)
    log(
        f"{table['claim'].nunique()} claims, {len(bad)} mis-calibrated (claim, scenario) pairs"
        + (f": {pairs}" if len(bad) else "")
    )
    return table


def uniform_moments_job(job: Job) -> None:
    """Rule uniform_moments: :func:`run_uniform_moments` of diffusion.model's untrained and
    trained checkpoints."""
    s = UniformMoments(**job.settings)
    checkpoints = {state: job.input[state] for state in ("untrained", "trained")}
    t = run_uniform_moments(checkpoints, s.n_states, s.seed, job.output["table"])
    print(
        f"max |mean - mu| {(t['mean'] - t['mu']).abs().max():.4f}, "
        f"max |std - 1/2| {(t['std'] - 0.5).abs().max():.4f}",
        file=sys.stderr,
    )


def pc_alignment_job(job: Job) -> None:
    """Rule pc_alignment: :func:`run_pc_alignment` of every checkpoint of every model (the
    settings' ``checkpoints`` say which model and epoch each input is)."""
    s = PcAlignment(**job.settings)
    paths = job.input["checkpoints"]
    items = [
        (int(m), str(meth), int(r), int(e), path)
        for (m, meth, r, e), path in zip(s.checkpoints, paths, strict=True)
    ]
    t = run_pc_alignment(items, job.input["data"], job.output["table"], s.n_pcs)
    for _, r in t.iterrows():
        print(
            f"M={r['hidden']} replica {r['replica']} epoch {r['epoch']}: "
            f"|u_1 . PC_1| = {r['overlap_pc1']:.3f}",
            file=sys.stderr,
        )


def claims_job(job: Job) -> None:
    """Rule claims: :func:`run_claims` of the job's named input tables."""
    out = job.output
    t = run_claims(job.input, Claims(**job.settings), out["table"], out["markdown"], out["html"])
    counts = t["passed"].value_counts(dropna=False)
    print(
        f"{len(t)} claims: {int(counts.get(True, 0))} pass, {int(counts.get(False, 0))} fail, "
        f"{int(t['passed'].isna().sum())} n/a",
        file=sys.stderr,
    )


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {
    "uniform_moments": uniform_moments_job,
    "pc_alignment": pc_alignment_job,
    "claims": claims_job,
}


#: The steps of this stage (rules of ``workflow/rules/claims.smk``).
STEPS = [
    Step(
        "uniform_moments",
        **ANALYSIS_STEP,
        arrays=memory.uniform_moments,
        settings=uniform_moments,
        stage="claims",
        outputs={"table": "results/claims/uniform_moments.parquet"},
        log="claims/uniform_moments",
    ),
    Step(
        "pc_alignment",
        **ANALYSIS_STEP,
        arrays=memory.pc_alignment,
        settings=pc_alignment,
        stage="claims",
        outputs={"table": "results/claims/pc_alignment.parquet"},
        log="claims/pc_alignment",
    ),
    Step(
        "claims",
        "compute",
        settings=claims,
        stage="claims",
        outputs={
            "table": "results/claims.parquet",
            "markdown": "results/claims.md",
            "html": "results/claims.html",
        },
        log="claims/claims",
        report=("html", "Claims", {"table": "the paper's claims, checked"}),
    ),
]
