"""Stage symmetry (workflow/rules/symmetry.smk): rotation JS and the untrained reference
(Fig. 4; the rotated samples of Fig. 6: stage rotated_samples)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from rbm_reciprocal.core import streams
from rbm_reciprocal.core.checkpoint import read_checkpoint, save_checkpoint
from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.core.streams import stream
from rbm_reciprocal.core.tables import save_parquet
from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.config import final_models, last_epoch
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.step import ANALYSIS_STEP, Step
from rbm_reciprocal.stages.tables import concat_tables

pd = lazy_module("pandas")
rotations = lazy_module("rbm_reciprocal.analysis.rotations")
gibbs = lazy_module("rbm_reciprocal.sampling.gibbs")


#: The model id of Fig. 4's untrained reference of ``M`` hidden units: ``untrained_M{M}``.
UNTRAINED = "untrained_M"


def untrained_sizes(config: dict) -> list[int]:
    """Hidden sizes of Fig. 4's untrained baselines: every model size (each M is compared
    with an untrained init of its own shape) and ``symmetry.reference.hidden`` (the paper's
    784 x 500 line)."""
    hidden = {int(m) for m in config["model"]["hidden"]}
    return sorted(hidden | {int(config["symmetry"]["reference"]["hidden"])})


def rotation_js_models(config: dict) -> list[str]:
    """Model ids (the ``{model}`` wildcard of ``rotation_js``) of Fig. 4: every trained
    model's last checkpoint (``{method}_M{hidden}_replica{replica}``, in the order of
    :func:`~rbm_reciprocal.pipeline.config.final_models`), then the untrained
    reference of every size of :func:`untrained_sizes` (``untrained_M{hidden}``)."""
    ids = [f"{meth}_M{m}_replica{r}" for m, meth, r in final_models(config)]
    return ids + [f"{UNTRAINED}{m}" for m in untrained_sizes(config)]


@dataclass(frozen=True)
class UntrainedReference:
    """The untrained reference of Fig. 4 and the reciprocal figures (``symmetry.reference``):
    ``W``, ``a``, ``b`` all Normal(0, ``std``^2), ``visible x hidden``, and the JS noise level
    of two such inits on ``bins`` bins (``symmetry.js_bins``)."""

    visible: int
    hidden: int
    std: float
    bins: int
    seed: int


def untrained_reference(config: dict, wildcards: Any) -> UntrainedReference:
    ref = config["symmetry"]
    return UntrainedReference(
        int(ref["reference"]["visible"]), int(wildcards.hidden), float(ref["reference"]["std"]),
        int(ref["js_bins"]), int(config["seed"]),
    )  # fmt: skip


@dataclass(frozen=True)
class RotationJs:
    """Fig. 4, one model (the ``{model}`` wildcard, :func:`rotation_js_models`): its labels
    (``kind`` trained or untrained, ``hidden``, ``method``, ``replica``, ``epoch``; an
    untrained reference is method ``none``, replica 0, epoch 0) and the test's settings
    (``symmetry.js_bins``, ``rotation_fraction``, ``rotation_variant``)."""

    kind: str
    hidden: int
    method: str
    replica: int
    epoch: int
    bins: int
    fraction: float
    variant: str
    seed: int

    def labels(self) -> dict[str, Any]:
        """The columns that name the model in the job's row (in this order)."""
        return {k: getattr(self, k) for k in ("kind", "hidden", "method", "replica", "epoch")}


def rotation_js(config: dict, wildcards: Any) -> RotationJs:
    model = str(wildcards.model)
    if model.startswith(UNTRAINED):
        labels = ("untrained", int(model.removeprefix(UNTRAINED)), "none", 0, 0)
    else:
        method, m, r = model.split("_")
        labels = ("trained", int(m[1:]), method, int(r.removeprefix("replica")), last_epoch(config))
    s = config["symmetry"]
    return RotationJs(
        *labels, int(s["js_bins"]), float(s["rotation_fraction"]), str(s["rotation_variant"]),
        int(config["seed"]),
    )  # fmt: skip


def untrained_references(config: dict) -> int:
    """``untrained_reference``: one per hidden size that an analysis compares with."""
    return len(untrained_sizes(config))


def rotation_js_jobs(config: dict) -> int:
    """``rotation_js``: every trained model and every untrained reference (Fig. 4)."""
    return len(rotation_js_models(config))


#: Pairs of independent Gaussian matrices behind the noise level of the Fig. 4 statistic.
NOISE_PAIRS = 20


def run_rotation_js(
    checkpoint: str,
    settings: RotationJs,
    out_table: str,
    out_pdfs: str,
    eps: float = 1e-9,
    noise_pairs: int = NOISE_PAIRS,
) -> float:
    """JS divergence of one checkpoint's ``W`` against its rotated version (Fig. 4).

    ``settings`` names the model (its :meth:`~.RotationJs.labels`) and gives the rotations
    (``fraction``, ``variant``, :func:`rotated_weights`), the histograms' ``bins`` and the
    ``seed``. Writes a one-row parquet (the labels + ``js``, ``js_noise``, ``js_noise_mean``,
    ``js_noise_sd``, ``noise_pairs``, ``bins``, ``fraction``, ``variant``, ``n_visible``,
    ``n_hidden``) and a parquet of the two densities on ``W``'s edges (``bin_left,
    bin_right, bin_center, p_original, p_rotated``) for the inset. ``js_noise`` is the JS
    divergence of two independent Gaussian matrices of ``W``'s shape and std on the same
    edges (the single noise value of older tables). ``js_noise_mean`` and ``js_noise_sd``
    (ddof 1) are over ``noise_pairs`` JS divergences of two bootstrap resamples of ``W``'s
    own entries on the same edges: the sampling noise of the statistic for ``W``'s own law,
    heavy tails included (a Gaussian reference understates it for a trained ``W``); claim 6
    tests against them.
    """
    bins, fraction, variant = settings.bins, settings.fraction, settings.variant
    w = read_checkpoint(checkpoint).W
    rng = stream(settings.seed, *w.shape, streams.ROTATION_JS)
    js, edges, p, q = rotations.weight_js_divergence(
        w, rotations.rotated_weights(w, rng, fraction, variant), bins, eps
    )
    # sampling-noise level of the statistic at this shape: two independent Gaussian matrices
    # with W's shape and std, histogrammed on W's edges
    # the legacy single noise value: two independent Gaussian matrices of W's shape and std
    g1, g2 = (rng.normal(0.0, float(w.std()), w.shape) for _ in range(2))
    js_gauss = rotations.histogram_js(g1, g2, edges, eps)
    # claim 6's noise: pairs of bootstrap resamples of W's own entries (its own law, heavy
    # tails included), on the same edges
    entries = w.ravel()
    noise = []
    for _ in range(max(int(noise_pairs), 2)):
        x1, x2 = (rng.choice(entries, entries.size) for _ in range(2))
        noise.append(rotations.histogram_js(x1, x2, edges, eps))
    row = dict(
        settings.labels(),
        js=js,
        js_noise=js_gauss,
        js_noise_mean=float(np.mean(noise)),
        js_noise_sd=float(np.std(noise, ddof=1)),
        noise_pairs=len(noise),
        bins=bins,
        fraction=fraction,
        variant=variant,
        n_visible=w.shape[0],
        n_hidden=w.shape[1],
    )
    save_parquet(out_table, pd.DataFrame([row]))
    save_parquet(
        out_pdfs,
        pd.DataFrame(
            {
                "bin_left": edges[:-1],
                "bin_right": edges[1:],
                "bin_center": 0.5 * (edges[1:] + edges[:-1]),
                "p_original": p,
                "p_rotated": q,
            }
        ),
    )
    return js


def run_untrained_reference(
    settings: UntrainedReference, out_checkpoint: str, out_noise: str, eps: float = 1e-9
) -> float:
    """An untrained reference RBM (W, a, b all ~ Normal(0, std^2)) and the noise level.

    Writes the reference (``settings.visible x settings.hidden``) as a checkpoint ``.npz``
    (W, a, b) and a one-row parquet with the JS divergence between the entries of two
    *independent* inits of the same shape on ``settings.bins`` bins
    (``js_independent_inits``): the sampling-noise level of the Fig. 4 statistic.
    """
    n_visible, n_hidden, std, bins = settings.visible, settings.hidden, settings.std, settings.bins
    rng = stream(settings.seed, n_visible, n_hidden, streams.UNTRAINED_REFERENCE)
    w = rng.normal(0.0, std, (n_visible, n_hidden)).astype(np.float32)
    a = rng.normal(0.0, std, n_visible).astype(np.float32)
    b = rng.normal(0.0, std, n_hidden).astype(np.float32)
    save_checkpoint(out_checkpoint, w, a, b, epoch=0, updates=0)
    other = rng.normal(0.0, std, (n_visible, n_hidden))
    js, *_ = rotations.weight_js_divergence(w, other, bins, eps)
    save_parquet(
        out_noise,
        pd.DataFrame(
            [
                {
                    "n_visible": n_visible,
                    "n_hidden": n_hidden,
                    "std": std,
                    "bins": bins,
                    "js_independent_inits": js,
                }
            ]
        ),
    )
    return js


def untrained_reference_job(job: Job) -> None:
    """Rule untrained_reference: :func:`run_untrained_reference` of one hidden size."""
    s = UntrainedReference(**job.settings)
    js = run_untrained_reference(s, job.output["checkpoint"], job.output["noise"])
    print(f"JS divergence of two independent inits: {js:.3e}", file=sys.stderr)


def rotation_js_job(job: Job) -> None:
    """Rule rotation_js: :func:`run_rotation_js` of one model of Fig. 4."""
    s = RotationJs(**job.settings)
    out = job.output
    js = run_rotation_js(job.input["checkpoint"], s, out["table"], out["pdfs"])
    print(f"JS divergence rotated vs unrotated W: {js:.3e}", file=sys.stderr)


def rotation_js_table_job(job: Job) -> None:
    """Rule rotation_js_table: the rows of every model of Fig. 4, in the job's order."""
    concat_tables(job.input["tables"], job.output["table"])


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {
    "untrained_reference": untrained_reference_job,
    "rotation_js": rotation_js_job,
    "rotation_js_table": rotation_js_table_job,
}

#: The steps of this stage (rules of ``workflow/rules/symmetry.smk``).
STEPS = [
    Step(
        "untrained_reference",
        "compute",
        arrays=memory.symmetry_reference,
        settings=untrained_reference,
        stage="symmetry",
        count=untrained_references,
        outputs={
            "checkpoint": "results/reference/untrained_M{hidden}.npz",
            "noise": "results/reference/untrained_M{hidden}_js_noise.parquet",
        },
        log="reference/untrained_M{hidden}",
    ),
    Step(
        "rotation_js",
        **ANALYSIS_STEP,
        arrays=memory.symmetry_reference,
        settings=rotation_js,
        stage="symmetry",
        count=rotation_js_jobs,
        outputs={
            "table": "results/symmetry/js/{model}.parquet",
            "pdfs": "results/symmetry/js/{model}_pdfs.parquet",
        },
        log="symmetry/js_{model}",
    ),
    Step(
        "rotation_js_table",
        "light",
        stage="symmetry",
        outputs={"table": "results/symmetry/fig4_js.parquet"},
        log="symmetry/fig4_js",
    ),
    Step("fig4", "figure", stage="figures", figure="fig4", log="figures/fig4"),
]
