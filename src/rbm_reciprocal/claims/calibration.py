"""Calibration of the claims: how often each claim's own function passes in synthetic worlds.

For every claim with a pass/FAIL verdict, :data:`CALIBRATIONS` holds a generator of its input
tables (:mod:`.synthetic_landscape`, :mod:`.synthetic_models`, of the size of the smoke
preset's tables) and the claim function. :func:`calibrate_claims` draws ``n_trials`` inputs
where the statement is true and ``n_trials`` where it is false and records the pass rate. A
well calibrated claim passes in >= 95% of the true worlds and <= 5% of the false ones.

Claim 12 is a self-check of the simulator (``kind = self-check``), not a claim of the paper,
and is not calibrated here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rbm_reciprocal.claims import synthetic_landscape as sl
from rbm_reciprocal.claims import synthetic_models as sm
from rbm_reciprocal.claims.diffusion import (
    claim_full_constraint,
    claim_metastability,
    claim_stiffness,
)
from rbm_reciprocal.claims.landscape import (
    claim_ais_bracket,
    claim_kurtosis,
    claim_mp_ks,
    claim_mp_mode,
    claim_uniform_moments,
)
from rbm_reciprocal.claims.symmetry import (
    claim_landau_double_well,
    claim_pc_alignment,
    claim_rotated_pixels,
    claim_rotation_js,
    claim_spectral_gap,
)
from rbm_reciprocal.core.streams import stream

#: Columns of the calibration table (``claims-calibration --out``).
CALIBRATION_COLUMNS = (
    "claim", "scenario", "n_trials", "pass_rate", "fail_rate", "na_rate", "calibrated",
)  # fmt: skip

#: Required pass rates: at least ``TRUE_MIN`` in the true worlds, at most ``FALSE_MAX`` in the
#: false ones.
TRUE_MIN, FALSE_MAX = 0.95, 0.05


@dataclass(frozen=True)
class Calibration:
    """One claim: ``run(truth, rng)`` builds a synthetic input and returns the claim's row."""

    claim: int
    run: Callable[[bool, np.random.Generator], dict]


#: The calibrated claims, by claim id.
CALIBRATIONS: dict[int, Calibration] = {
    c.claim: c
    for c in (
        Calibration(1, lambda t, r: claim_mp_ks(sl.gen_mp_ks(t, r))),
        Calibration(2, lambda t, r: claim_mp_mode(sl.gen_mp_mode(t, r))),
        Calibration(3, lambda t, r: claim_kurtosis(*sl.gen_kurtosis(t, r))),
        Calibration(4, lambda t, r: claim_uniform_moments(sl.gen_uniform_moments(t, r))),
        # AIS rows or PTT-ladder rows, alternately (each world type must be calibrated)
        Calibration(
            5,
            lambda t, r: claim_ais_bracket(
                (sl.gen_loglik_ladder if r.integers(2) else sl.gen_loglik)(t, r)
            ),
        ),
        Calibration(6, lambda t, r: claim_rotation_js(sm.gen_rotation_js(t, r))),
        Calibration(7, lambda t, r: claim_pc_alignment(sm.gen_pc_alignment(t, r))),
        Calibration(
            8,
            lambda t, r: claim_rotated_pixels(sm.gen_rotated_pixels(t, r), sm.TRAINED_EPOCHS),
        ),
        Calibration(9, lambda t, r: claim_landau_double_well(sm.gen_landau(t, r))),
        Calibration(10, lambda t, r: claim_spectral_gap(sm.gen_spectral_gap(t, r))),
        Calibration(11, lambda t, r: claim_stiffness(sm.gen_stiffness(t, r))),
        Calibration(13, lambda t, r: claim_full_constraint(sm.gen_diffusion(13, t, r))),
        Calibration(14, lambda t, r: claim_metastability(sm.gen_diffusion(14, t, r))),
    )
}


def calibrate_claims(
    n_trials: int,
    seed: int = 0,
    claims: list[int] | None = None,
    log: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Pass rate of each claim's function in ``n_trials`` true and ``n_trials`` false worlds.

    Parameters
    ----------
    n_trials : int
        Synthetic inputs per (claim, scenario); the pass rate has binomial s.e.
        ``sqrt(p (1 - p) / n_trials)``.
    seed : int
        Trial ``i`` of (claim, scenario) draws from ``stream(seed, "calibration", claim,
        scenario, i)``.
    claims : list of int, optional
        Claim ids (default: all of :data:`CALIBRATIONS`).
    log : callable, optional
        Receives one line per (claim, scenario).

    Returns
    -------
    DataFrame with :data:`CALIBRATION_COLUMNS`, one row per (claim, scenario); ``calibrated``
    is ``pass_rate >= TRUE_MIN`` (true) or ``pass_rate <= FALSE_MAX`` (false).
    """
    if int(n_trials) < 1:
        raise ValueError(f"n_trials must be >= 1, got {n_trials}")
    ids = sorted(CALIBRATIONS) if claims is None else [int(c) for c in claims]
    unknown = [c for c in ids if c not in CALIBRATIONS]
    if unknown:
        raise ValueError(f"no calibration for claims {unknown}; known: {sorted(CALIBRATIONS)}")
    rows = []
    for cid in ids:
        for scenario in ("true", "false"):
            verdicts = [
                CALIBRATIONS[cid].run(
                    scenario == "true", stream(seed, "calibration", cid, scenario, i)
                )["passed"]
                for i in range(int(n_trials))
            ]
            n = len(verdicts)
            pass_rate = sum(v is True for v in verdicts) / n
            row = {
                "claim": np.int64(cid),
                "scenario": scenario,
                "n_trials": np.int64(n),
                "pass_rate": pass_rate,
                "fail_rate": sum(v is False for v in verdicts) / n,
                "na_rate": sum(v is None for v in verdicts) / n,
                "calibrated": pass_rate >= TRUE_MIN
                if scenario == "true"
                else pass_rate <= FALSE_MAX,
            }
            rows.append(row)
            if log is not None:
                log(
                    f"claim {cid:2d} {scenario:5s}: pass {pass_rate:.3f}, fail "
                    f"{row['fail_rate']:.3f}, n/a {row['na_rate']:.3f} ({n} trials)"
                )
    return pd.DataFrame(rows, columns=list(CALIBRATION_COLUMNS))
