"""Stage rotated_samples (workflow/rules/symmetry.smk): samples of models whose weights are
rotated in the space of their singular vectors (Fig. 6)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from rbm_reciprocal.analysis.svd import signed_svd
from rbm_reciprocal.core import streams
from rbm_reciprocal.core.checkpoint import load_checkpoint
from rbm_reciprocal.core.io import save_npz
from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.core.streams import stream
from rbm_reciprocal.core.tables import save_parquet
from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.cost import rotated_samples_cost
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.step import ANALYSIS_STEP, Step, job_line

pd = lazy_module("pandas")
rotations = lazy_module("rbm_reciprocal.analysis.rotations")
gibbs = lazy_module("rbm_reciprocal.sampling.gibbs")


@dataclass(frozen=True)
class RotatedSamples:
    """Fig. 6 (``symmetry.samples``): ``n_chains`` Gibbs chains of ``sweeps`` sweeps decoded
    with ``U``, its top-2 plane flipped, and ``local_rotations`` rotations avoiding the top
    ``avoid_top`` modes."""

    n_chains: int
    sweeps: int
    local_rotations: int
    avoid_top: int
    seed: int


def rotated_samples(config: dict, wildcards: Any) -> RotatedSamples:
    s = config["symmetry"]["samples"]
    return RotatedSamples(
        int(s["chains"]), int(s["sweeps"]), int(s["local_rotations"]), int(s["avoid_top"]),
        int(config["seed"]),
    )  # fmt: skip


def fig6(config: dict, wildcards: Any) -> dict[str, Any]:
    """Fig. 6: how many rotated samples to show (``symmetry.samples``)."""
    s = config["symmetry"]["samples"]
    return {"n_show": int(s["n_show"]), "show": s["show"]}


def run_rotated_samples(
    checkpoint: str, settings: RotatedSamples, out_npz: str, out_table: str
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
    _, h = gibbs.sample_chains(params, v0, sweeps, rng)
    u, s, v = signed_svd(params.W)
    a = params.a.astype(np.float64)
    # planes drawn among all N - avoid_top directions, null space included (the paper)
    u_local, planes = rotations.rotate_modes_avoiding_top(
        u, local_rotations, avoid_top, rng, return_axes=True
    )
    probs = {
        "original": rotations.decode_visible(h, u, s, v, a),
        "global": rotations.decode_visible(h, rotations.flip_top_modes(u), s, v, a),
        "local": rotations.decode_visible(h, u_local, s, v, a),
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


def rotated_samples_job(job: Job) -> None:
    """Rule rotated_samples: :func:`run_rotated_samples` (Fig. 6)."""
    s = RotatedSamples(**job.settings)
    out = job.output
    r = run_rotated_samples(job.input["checkpoint"], s, out["npz"], out["table"])
    print(
        f"pixels changed: global {r['frac_changed_global']:.2%}, "
        f"local {r['frac_changed_local']:.2%}",
        file=sys.stderr,
    )


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {
    "rotated_samples": rotated_samples_job,
}

#: The steps of this stage (rules of ``workflow/rules/symmetry.smk``).
STEPS = [
    Step(
        "rotated_samples",
        **ANALYSIS_STEP,
        arrays=memory.rotated_samples,
        cost=job_line(rotated_samples_cost),
        settings=rotated_samples,
        stage="rotated_samples",
        outputs={
            "npz": "results/symmetry/rotated_samples.npz",
            "table": "results/symmetry/rotated_samples.parquet",
        },
        log="symmetry/rotated_samples",
    ),
    Step("fig6", "figure", stage="figures", figure="fig6", settings=fig6, log="figures/fig6"),
]
