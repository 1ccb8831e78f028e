"""Synthetic input tables of claims 6-8, 10, 11, 13 and 14 for the calibration (no checkpoint;
claims 9 and 15: :mod:`.synthetic_landau`).

Same contract as :mod:`.synthetic_landscape`: ``gen_*(truth, rng)`` returns the claim
function's input tables, of the size of the smoke preset's (M = 16 and 32, two replicas),
from a world where the statement is true or false (claim 7: ``gen_pc_alignment(world,
rng)``, one of the named worlds of :data:`PC_WORLDS`). The trained models are given
``TRAINED_EPOCHS`` epochs (>= ``claims.min_epochs``) so that the verdicts are pass or FAIL.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.linalg import solve_triangular
from scipy.stats import kstwo

from rbm_reciprocal.analysis.langevin import convergence_summary
from rbm_reciprocal.analysis.spectra import spectral_gap_table

#: Epochs of the synthetic trained models (at least the default ``claims.min_epochs``).
TRAINED_EPOCHS = 10
SYNTHETIC_HIDDEN = (16, 32)
_REPLICAS = (0, 1)
SYNTHETIC_VISIBLE = 784


def gen_rotation_js(truth: bool, rng: np.random.Generator) -> pd.DataFrame:
    """Claim 6. JS divergences of many-bin histograms scatter like ``level chi^2_99 / 99``;
    every row gets 20 noise replicates of its level. Untrained: JS one more draw of its noise
    law (independent matrices, the least favourable "unchanged" case). True: trained JS
    2.5 x its noise level (power 0.85 at 2 x, 1.0 at 2.5 x); false: trained JS at its noise
    level (rotations change nothing)."""

    def js(level: float, size: int | None = None) -> np.ndarray | float:
        return level * rng.chisquare(99, size) / 99

    def row(kind: str, m: int, r: int, epoch: int, level: float, factor: float) -> dict:
        noise = js(level, 20)
        return dict(kind=kind, hidden=m, method="PCD", replica=r, epoch=epoch,
                    js=js(level * factor), js_noise=noise[0], js_noise_mean=noise.mean(),
                    js_noise_sd=noise.std(ddof=1), noise_pairs=20)  # fmt: skip

    rows = [row("untrained", 500, 0, 0, 2e-4, 1.0)]
    rows += [row("untrained", m, 0, 0, 2e-3 * 16 / m, 1.0) for m in SYNTHETIC_HIDDEN]
    for m in SYNTHETIC_HIDDEN:
        for r in _REPLICAS:
            rows.append(row("trained", m, r, TRAINED_EPOCHS, 2e-3 * 16 / m, 2.5 if truth else 1.0))
    return pd.DataFrame(rows)


#: Components of the mean image of binarized MNIST (60,000 training images, threshold 0.5)
#: along PC_1 .. PC_5 of the centred images, and the norm of the rest: the mean image is
#: data-related, but only 0.494 of it lies in the plane of PC_1 and PC_2.
MNIST_MEAN_PCS = (0.4943, 0.0003, 0.1291, 0.3154, 0.5949)
_N_PCS = len(MNIST_MEAN_PCS)

#: Claim 7's worlds: the direction ``u_1`` leans towards (in the frame whose first five axes
#: are PC_1 .. PC_5: ``pc1``, ``pc2``, ``plane`` = (PC_1 + PC_2)/sqrt 2, ``mean`` = the MNIST
#: mean image), its overlap with it, and whether the statement holds (projection on the
#: plane of PC_1 and PC_2 >= 1/sqrt 2).
PC_WORLDS = {
    "PC_1, overlap 0.9": ("pc1", 0.9, True),
    "PC_2, overlap 0.95": ("pc2", 0.95, True),
    "PC_1-PC_2 plane, projection 0.85": ("plane", 0.85, True),
    "PC_1-PC_2 plane, projection 0.6": ("plane", 0.6, False),
    "PC_1, overlap 0.1 (84 degrees)": ("pc1", 0.1, False),
    "mean image, overlap 0.95": ("mean", 0.95, False),
    "random unit vector": ("pc1", 0.0, False),
}


def _direction(name: str) -> np.ndarray:
    t = np.zeros(SYNTHETIC_VISIBLE)
    if name == "pc1":
        t[0] = 1.0
    elif name == "pc2":
        t[1] = 1.0
    elif name == "plane":
        t[:2] = np.sqrt(0.5)
    elif name == "mean":
        t[:_N_PCS] = MNIST_MEAN_PCS
        t[_N_PCS] = np.sqrt(1.0 - np.sum(t**2))  # the rest, on a sixth axis
    else:
        raise ValueError(f"unknown direction {name!r}")
    return t


def _lean(t: np.ndarray, rho: float, rng: np.random.Generator) -> np.ndarray:
    """A unit vector with overlap ``rho`` with the unit ``t``, the rest a random direction."""
    r = rng.normal(size=t.size)
    r -= (r @ t) * t
    return rho * t + np.sqrt(1.0 - rho**2) * r / np.linalg.norm(r)


def gen_pc_alignment(world: str, rng: np.random.Generator, jitter: float = 0.03) -> pd.DataFrame:
    """Claim 7 (:func:`pc_alignment_table` columns). Epochs 0-10 of 2 x 2 models in R^784,
    in the frame whose axes 1-5 are PC_1 .. PC_5. Epoch 0: ``u_1`` a random unit vector;
    later epochs: ``u_1`` leans towards the direction of :data:`PC_WORLDS` ``[world]`` with
    its overlap plus N(0, ``jitter``^2) per model and epoch, the rest random. The mean image
    has MNIST's components :data:`MNIST_MEAN_PCS`. True worlds (projection on the plane of
    PC_1 and PC_2 >= 1/sqrt 2): PC_1 at 0.9, PC_2 at 0.95, the plane at 0.85; false: the
    plane at 0.6, PC_1 at 0.1, the mean image at 0.95 (its projection 0.47), random."""
    target, rho, _ = PC_WORLDS[world]
    t, mean = _direction(target), _direction("mean")
    rows = []
    for m in SYNTHETIC_HIDDEN:
        for r in _REPLICAS:
            for e in range(TRAINED_EPOCHS + 1):
                c = 0.0 if e == 0 else float(np.clip(rho + jitter * rng.normal(), 0.0, 1.0))
                u = _lean(t, c, rng)
                ov = np.abs(u[:_N_PCS])
                rows.append(
                    dict(hidden=m, method="PCD", replica=r, epoch=e, lambda_1=1.0 + e,
                         **{f"overlap_pc{j + 1}": float(o) for j, o in enumerate(ov)},
                         overlap_top=float(np.linalg.norm(ov)), best_pc=int(np.argmax(ov) + 1),
                         overlap_mean=float(abs(u @ mean)),
                         **{f"mean_overlap_pc{j + 1}": o for j, o in enumerate(MNIST_MEAN_PCS)},
                         n_pcs=_N_PCS, n_visible=SYNTHETIC_VISIBLE,
                         random_overlap=np.sqrt(2 / (np.pi * SYNTHETIC_VISIBLE)))
                )  # fmt: skip
    return pd.DataFrame(rows)


def gen_rotated_pixels(truth: bool, rng: np.random.Generator) -> pd.DataFrame:
    """Claim 8. 36 independent chains x 784 pixels; per chain, a global rotation changes each
    pixel with probability 2.7% and the local ones 0.12% (the smoke numbers); false: both
    0.5%. The row carries the per-chain sign counts of the sign test."""
    p_g, p_l = (0.027, 0.0012) if truth else (0.005, 0.005)
    g, loc = rng.binomial(SYNTHETIC_VISIBLE, p_g, 36), rng.binomial(SYNTHETIC_VISIBLE, p_l, 36)
    return pd.DataFrame(
        [dict(n_chains=36, sweeps=50, local_rotations=10, avoid_top=5,
              frac_changed_global=g.mean() / SYNTHETIC_VISIBLE,
              frac_changed_local=loc.mean() / SYNTHETIC_VISIBLE,
              chains_global_more=int((g > loc).sum()), chains_local_more=int((loc > g).sum()))]
    )  # fmt: skip


def gen_spectral_gap(truth: bool, rng: np.random.Generator) -> pd.DataFrame:
    """Claim 10 (via ``spectral_gap_table``). M singular values per replica, the top ones
    uniform on [30, 38]: true with none in [33, 35] (a gap), false without the gap (a smooth
    spectrum)."""
    rows = []
    for m in SYNTHETIC_HIDDEN:
        for r in _REPLICAS:
            if truth:
                x = rng.uniform(0.0, 6.0, m)
                lam = np.where(x < 3.0, 30.0 + x, 32.0 + x)
            else:
                lam = rng.uniform(30.0, 38.0, m)
            rows.append(pd.DataFrame({"hidden": m, "method": "PCD", "replica": r, "value": lam}))
    return spectral_gap_table(pd.concat(rows, ignore_index=True))


def gen_stiffness(truth: bool, rng: np.random.Generator) -> pd.DataFrame:
    """Claim 11. ``k`` of Eq. 46 from the sample covariance of 2000 states of ``z`` in
    N + M = 800 dimensions, Gaussian (the projections of many bits), drawn as a Wishart matrix
    by the Bartlett decomposition ``S = sigma^2 L L^T / (n - 1)`` and inverted with the
    correction of :func:`stiffness_matrix`. True: ``Cov(z) = I/4`` (uniform states); false:
    ``Cov(z) = 0.21 I`` (Bernoulli(0.3) bits: k = 4.76 I)."""
    n_states, d = 2000, SYNTHETIC_VISIBLE + 16
    var = 0.25 if truth else 0.21
    parts = []
    for state, epoch in (("untrained", 0), ("trained", TRAINED_EPOCHS)):
        low = np.tril(rng.normal(size=(d, d)), -1)
        low[np.diag_indices(d)] = np.sqrt(rng.chisquare(n_states - 1 - np.arange(d)))
        inv_low = solve_triangular(low, np.eye(d), lower=True)
        k = (inv_low.T @ inv_low) * (n_states - d - 2) / var  # = stiffness_matrix(S, n)
        off = k[~np.eye(d, dtype=bool)]
        parts.append(
            pd.DataFrame(
                {"state": state, "epoch": np.int64(epoch), "index": np.arange(1, d + 1),
                 "k_ii": np.diag(k), "k_offdiag_rms": float(np.sqrt(np.mean(off**2))),
                 "n_states": np.int64(n_states)}
            )
        )  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def _series(rng, index, kappa, potential, behaviour, n_walkers, n_records=21):
    """Snapshots of one simulated mode: ``stationary`` (sample variance of the stationary law,
    KS and well occupations at their null), ``diverges`` (variance growing as e^{2|kappa| t})
    or ``metastable`` (bounded, equilibrated within the wells, not between them)."""
    t = np.linspace(0.0, 12.0 / abs(kappa), n_records)
    if behaviour == "diverges":
        var = 0.25 * np.exp(2 * abs(kappa) * t)
    else:
        var = 0.25 * rng.chisquare(n_walkers - 1, n_records) / (n_walkers - 1)
    ks_null = kstwo.rvs(n_walkers, size=2, random_state=rng)
    ks, ks_loc = ks_null
    occ = abs(rng.normal())
    if behaviour == "metastable":
        ks, occ = 0.3, 40.0
    elif behaviour == "diverges":
        ks = ks_loc = 1.0
    return pd.DataFrame(
        {"state": "trained", "epoch": np.int64(TRAINED_EPOCHS), "index": index, "kind": "u",
         "mode": index, "lam": 4.0 - kappa, "kappa": kappa, "predicted_diverges": kappa < 0,
         "potential": potential, "t": t, "t_over_tau": t * abs(kappa), "var": var,
         "ks": np.full(n_records, np.nan), "ks_local": np.nan, "occupation_z": np.nan,
         "acceptance": 1.0, "dt": t[1], "n_steps": 400, "n_wells": 2}
    ).assign(ks=ks, ks_local=ks_loc, occupation_z=occ)  # fmt: skip


def gen_diffusion(claim: int, truth: bool, rng: np.random.Generator) -> pd.DataFrame:
    """Claims 13 and 14 (via ``convergence_summary``, 300 walkers): one predicted-divergent
    mode (kappa = -1.6) and one stable mode (kappa = 3.6) in both potentials. The harmonic
    potential always behaves as predicted. In the full (large-deviation) potential the
    divergent mode diverges (claim 13 true), is metastable (claim 14 true) or reaches its
    stationary law (both false); the stable one is stationary."""
    n_walkers = 300
    full = {13: "diverges", 14: "metastable"}[claim] if truth else "stationary"
    parts = [
        _series(rng, 1, -1.6, "gaussian", "diverges", n_walkers),
        _series(rng, 1, -1.6, "large_deviation", full, n_walkers),
        _series(rng, 6, 3.6, "gaussian", "stationary", n_walkers),
        _series(rng, 6, 3.6, "large_deviation", "stationary", n_walkers),
    ]
    return convergence_summary(pd.concat(parts, ignore_index=True), n_walkers)
