"""Synthetic trajectory tables of claims 9 and 15 for the calibration (no checkpoint).

Same contract as :mod:`.synthetic_models` (M = 16 and 32, ``TRAINED_EPOCHS`` epochs), with a
named world instead of a truth flag: each world is listed with its effect size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rbm_reciprocal.analysis.landau import landau_wells
from rbm_reciprocal.analysis.potentials import LargeDeviationPotential
from rbm_reciprocal.claims.synthetic_models import (
    SYNTHETIC_HIDDEN,
    SYNTHETIC_VISIBLE,
    TRAINED_EPOCHS,
)

#: Claim 9's worlds: ``lambda_1`` at the last epoch, ``|mu_u|`` (None: the mean of a random
#: unit coefficient vector, ~N(0, 1/4), as for a structureless Gaussian W) and whether the
#: statement holds.
LANDAU_WORLDS = {
    "lambda_1 0.3 -> 12": (12.0, None, True),
    "lambda_1 0.3 -> 3.9 (below the stiffness 4)": (3.9, None, False),
    "lambda_1 0.3 -> 4.5, |mu| = 1 (asymmetry keeps one well)": (4.5, 1.0, False),
}
_LANDAU_EPOCHS = (0, 1, 5, TRAINED_EPOCHS)


def gen_landau(world: str, rng: np.random.Generator, n_grid: int = 401) -> pd.DataFrame:
    """Claim 9: minima of Eq. 55 computed (:func:`landau_wells`) for ``u = c + a . bits``
    with a random unit ``a`` of R^(784 + M) and ``lambda_1`` rising linearly from 0.3 at
    epochs 0, 1, 5 and 10 to the world's value (:data:`LANDAU_WORLDS`). True: up to 12 (two
    wells from the first epoch with ``lambda_1`` well above 4); false: up to 3.9 (one well:
    ``V'' >= 4``), or up to 4.5 with ``|mu| = 1`` (``f`` curves down at ``mu`` but the
    asymmetry leaves one well)."""
    lam_max, mu_abs, _ = LANDAU_WORLDS[world]
    rows = []
    for m in SYNTHETIC_HIDDEN:
        a = rng.normal(size=SYNTHETIC_VISIBLE + m)
        a /= np.linalg.norm(a)
        c = 0.0 if mu_abs is None else mu_abs * rng.choice([-1.0, 1.0]) - 0.5 * a.sum()
        for e in _LANDAU_EPOCHS:
            lam = 0.3 + (lam_max - 0.3) * e / TRAINED_EPOCHS
            w = landau_wells(LargeDeviationPotential(a, c, -lam, 0.0, n_grid=n_grid))
            pos = w.positions
            rows.append(
                dict(hidden=m, method="PCD", replica=0, epoch=e, lambda_1=lam,
                     mu_u=c + 0.5 * a.sum(), landau_u_wells=int(pos.size),
                     landau_u_min1=float(pos[0]) if pos.size else np.nan,
                     landau_u_min2=float(pos[1]) if pos.size > 1 else np.nan,
                     landau_u_unconfined=bool(w.unconfined))
            )  # fmt: skip
    return pd.DataFrame(rows)


#: Claim 15's worlds: distance of the samples' mean from the nearest Landau minimum in s.d.
#: (uniform on the range, random side; None: z_1 at 1-4 with wells near +-10) and whether
#: the statement (within 1 s.d.) holds.
SAMPLE_WORLDS = {
    "at the minimum (0-0.5 s.d.)": ((0.0, 0.5), True),
    "0.7 s.d. from the minimum": ((0.7, 0.7), True),
    "1.0 s.d. (the boundary)": ((1.0, 1.0), False),
    "1.2 s.d. from the minimum": ((1.2, 1.2), False),
    "z_1 at 1-4 s.d. 1, wells near +-10 (the quick run)": (None, False),
}
#: Test images (digit 0 of the MNIST test set) and Gibbs chains of the default config.
_N_TEST, _N_GIBBS = 980, 1000


def _samples(loc: float, sd: float, n: int, rng: np.random.Generator) -> tuple[float, float]:
    x = rng.normal(loc, sd, n)
    return float(x.mean()), float(x.std())


def gen_landau_samples(world: str, rng: np.random.Generator) -> pd.DataFrame:
    """Claim 15: the last epoch of M = 16 and 32, ``u_1`` with wells at ``-U(8, 12)`` and
    ``+U(8, 12)``, ``w_1`` with one minimum at ``U(2, 6)``; ``n_test`` = 980 test images and
    ``n_gibbs`` = 1000 chains drawn from a normal spread of s.d. ``U(0.8, 1.5)`` whose centre
    lies the world's distance (:data:`SAMPLE_WORLDS`, in s.d.) from a minimum. True: 0-0.5
    s.d. and 0.7 s.d.; false: 1.0 (the boundary: a pass must be rare) and 1.2 s.d., and the
    quick run's picture (``z_1`` at 1-4 with s.d. 0.8-1.2; ``w_1`` at its minimum)."""
    spec, _ = SAMPLE_WORLDS[world]
    rows = []
    for m in SYNTHETIC_HIDDEN:
        wells = {"u": (-rng.uniform(8, 12), rng.uniform(8, 12)), "w": (rng.uniform(2, 6),)}
        row = dict(hidden=m, method="PCD", replica=0, epoch=TRAINED_EPOCHS, lambda_1=12.0,
                   n_test=_N_TEST, n_gibbs=_N_GIBBS)  # fmt: skip
        for z, mins in wells.items():
            row |= {f"landau_{z}_wells": len(mins), f"landau_{z}_unconfined": False}
            row |= {f"landau_{z}_min{i + 1}": x for i, x in enumerate(mins)}
            row.setdefault(f"landau_{z}_min2", np.nan)
            for kind, n in (("test", _N_TEST), ("gibbs", _N_GIBBS)):
                if spec is None and z == "u":
                    sd = rng.uniform(0.8, 1.2)
                    loc = rng.uniform(1.0, 4.0)
                else:
                    sd = rng.uniform(0.8, 1.5)
                    lo, hi = spec if spec is not None else (0.0, 0.5)
                    loc = rng.choice(mins) + rng.choice([-1.0, 1.0]) * rng.uniform(lo, hi) * sd
                row[f"{kind}_{z}_mean"], row[f"{kind}_{z}_std"] = _samples(loc, sd, n, rng)
        rows.append(row)
    return pd.DataFrame(rows)
