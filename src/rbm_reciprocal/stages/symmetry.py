"""Stage symmetry (workflow/rules/symmetry.smk): rotation JS, untrained reference, samples."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from rbm_reciprocal.analysis.rotations import (
    decode_visible,
    flip_top_modes,
    histogram_js,
    rotate_modes_avoiding_top,
    rotated_weights,
    weight_js_divergence,
)
from rbm_reciprocal.analysis.svd import signed_svd
from rbm_reciprocal.core import streams
from rbm_reciprocal.core.checkpoint import load_checkpoint, read_checkpoint, save_checkpoint
from rbm_reciprocal.core.io import save_npz
from rbm_reciprocal.core.streams import stream
from rbm_reciprocal.core.tables import save_parquet
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.plans import symmetry as ss
from rbm_reciprocal.sampling.gibbs import sample_chains
from rbm_reciprocal.stages.tables import concat_tables

#: Pairs of independent Gaussian matrices behind the noise level of the Fig. 4 statistic.
NOISE_PAIRS = 20


def run_rotation_js(
    checkpoint: str,
    settings: ss.RotationJs,
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
    js, edges, p, q = weight_js_divergence(w, rotated_weights(w, rng, fraction, variant), bins, eps)
    # sampling-noise level of the statistic at this shape: two independent Gaussian matrices
    # with W's shape and std, histogrammed on W's edges
    # the legacy single noise value: two independent Gaussian matrices of W's shape and std
    g1, g2 = (rng.normal(0.0, float(w.std()), w.shape) for _ in range(2))
    js_gauss = histogram_js(g1, g2, edges, eps)
    # claim 6's noise: pairs of bootstrap resamples of W's own entries (its own law, heavy
    # tails included), on the same edges
    entries = w.ravel()
    noise = []
    for _ in range(max(int(noise_pairs), 2)):
        x1, x2 = (rng.choice(entries, entries.size) for _ in range(2))
        noise.append(histogram_js(x1, x2, edges, eps))
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
    settings: ss.UntrainedReference, out_checkpoint: str, out_noise: str, eps: float = 1e-9
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
    js, *_ = weight_js_divergence(w, other, bins, eps)
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


def run_rotated_samples(
    checkpoint: str, settings: ss.RotatedSamples, out_npz: str, out_table: str
) -> dict[str, float]:
    """Fig. 6: Gibbs samples of a trained RBM decoded with ``U``, a global and a local ``U_R``.

    ``settings`` gives ``n_chains``, ``sweeps``, ``local_rotations``, ``avoid_top`` and
    ``seed``. Chains start from Bernoulli(1/2) visible states and run ``sweeps`` block-Gibbs sweeps;
    the final hidden states are decoded three ways (:func:`decode_visible`): with ``U``
    (the model's own ``p(v|h)``), with the top-2 plane rotated by pi
    (:func:`flip_top_modes`), and after ``local_rotations`` random rotations avoiding the top
    ``avoid_top`` modes (:func:`rotate_modes_avoiding_top`), each in the plane of two
    directions drawn among all ``N - avoid_top`` columns of ``U`` beyond the top ones, the
    null space included, as the paper (a rotation inside the null space changes nothing).
    The visible samples of the three use the same uniform numbers, so differences come from
    the rotation alone.

    Writes ``out_npz`` (``p_original``, ``p_global``, ``p_local`` (B, N) probabilities and
    ``v_original``, ``v_global``, ``v_local`` (B, N) uint8 samples) and a one-row parquet with
    the mean fraction of pixels changed by each rotation, the mean ``|dp|``,
    ``local_directions`` (``N - avoid_top``), ``paired_directions`` (``min(N, M) -
    avoid_top``), ``local_planes_paired`` (local planes with at least one paired direction;
    the others lie in the null space and change nothing) and the numbers of chains whose
    sample the global rotation changes in more (``chains_global_more``) or fewer
    (``chains_local_more``) pixels than the local ones (claim 8's sign test).
    """
    n_chains, sweeps = settings.n_chains, settings.sweeps
    local_rotations, avoid_top = settings.local_rotations, settings.avoid_top
    params = load_checkpoint(checkpoint)
    rng = stream(settings.seed, *params.W.shape, streams.ROTATED_SAMPLES)
    v0 = (rng.random((n_chains, params.n_visible)) < 0.5).astype(np.float32)
    _, h = sample_chains(params, v0, sweeps, rng)
    u, s, v = signed_svd(params.W)
    a = params.a.astype(np.float64)
    # planes drawn among all N - avoid_top directions, null space included (the paper)
    u_local, planes = rotate_modes_avoiding_top(
        u, local_rotations, avoid_top, rng, return_axes=True
    )
    probs = {
        "original": decode_visible(h, u, s, v, a),
        "global": decode_visible(h, flip_top_modes(u), s, v, a),
        "local": decode_visible(h, u_local, s, v, a),
    }
    uniforms = rng.random(probs["original"].shape)
    samples = {k: (uniforms < p).astype(np.uint8) for k, p in probs.items()}
    # per chain: does the global rotation change more pixels than the local ones? (claim 8)
    changed_g = np.count_nonzero(samples["global"] != samples["original"], axis=1)
    changed_l = np.count_nonzero(samples["local"] != samples["original"], axis=1)
    summary = {
        "n_chains": n_chains,
        "sweeps": sweeps,
        "local_rotations": local_rotations,
        "avoid_top": avoid_top,
        "local_directions": int(u.shape[1] - avoid_top),
        # planes with a direction paired with a singular value (a plane inside the null
        # space changes nothing)
        "local_planes_paired": int(np.count_nonzero((planes < s.size).any(axis=1))),
        "paired_directions": int(s.size - avoid_top),
        "frac_changed_global": float(np.mean(samples["global"] != samples["original"])),
        "frac_changed_local": float(np.mean(samples["local"] != samples["original"])),
        "mean_abs_dp_global": float(np.mean(np.abs(probs["global"] - probs["original"]))),
        "mean_abs_dp_local": float(np.mean(np.abs(probs["local"] - probs["original"]))),
        "chains_global_more": int(np.count_nonzero(changed_g > changed_l)),
        "chains_local_more": int(np.count_nonzero(changed_l > changed_g)),
    }
    save_npz(
        out_npz,
        **{f"p_{k}": p for k, p in probs.items()},
        **{f"v_{k}": x for k, x in samples.items()},
    )
    save_parquet(out_table, pd.DataFrame([summary]))
    return summary


def untrained_reference_job(job: Job) -> None:
    """Rule untrained_reference: :func:`run_untrained_reference` of one hidden size."""
    s = ss.UntrainedReference(**job.settings)
    js = run_untrained_reference(s, job.output["checkpoint"], job.output["noise"])
    print(f"JS divergence of two independent inits: {js:.3e}", file=sys.stderr)


def rotation_js_job(job: Job) -> None:
    """Rule rotation_js: :func:`run_rotation_js` of one model of Fig. 4."""
    s = ss.RotationJs(**job.settings)
    out = job.output
    js = run_rotation_js(job.input["checkpoint"], s, out["table"], out["pdfs"])
    print(f"JS divergence rotated vs unrotated W: {js:.3e}", file=sys.stderr)


def rotation_js_table_job(job: Job) -> None:
    """Rule rotation_js_table: the rows of every model of Fig. 4, in the job's order."""
    concat_tables(job.input["tables"], job.output["table"])


def rotated_samples_job(job: Job) -> None:
    """Rule rotated_samples: :func:`run_rotated_samples` (Fig. 6)."""
    s = ss.RotatedSamples(**job.settings)
    out = job.output
    r = run_rotated_samples(job.input["checkpoint"], s, out["npz"], out["table"])
    print(
        f"pixels changed: global {r['frac_changed_global']:.2%}, "
        f"local {r['frac_changed_local']:.2%}",
        file=sys.stderr,
    )


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {
    "untrained_reference": untrained_reference_job,
    "rotation_js": rotation_js_job,
    "rotation_js_table": rotation_js_table_job,
    "rotated_samples": rotated_samples_job,
}
