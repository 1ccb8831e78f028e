"""Calibration of the claims: how often each claim's own function passes in synthetic worlds.

For every claim with a pass/FAIL verdict, :data:`CALIBRATIONS` holds its worlds: a generator
of its input tables (:mod:`.synthetic_landscape`, :mod:`.synthetic_models`,
:mod:`.synthetic_landau`) where the statement is true or false, named by its effect size,
and the claim function. :func:`calibrate_claims` draws ``n_trials`` inputs from every world
and records the pass rate. A well calibrated claim passes in >= 95% of the trials of every
true world and <= 5% of every false one; the false worlds near the decision boundary give
its power at the stated effect sizes.

Claim 12 is a self-check of the simulator (``kind = self-check``), not a claim of the paper,
and is not calibrated here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rbm_reciprocal.claims import synthetic_landau as sla
from rbm_reciprocal.claims import synthetic_landscape as sl
from rbm_reciprocal.claims import synthetic_models as sm
from rbm_reciprocal.claims.diffusion import (
    claim_full_constraint,
    claim_metastability,
    claim_stiffness,
)
from rbm_reciprocal.claims.landau import claim_landau_double_well, claim_landau_samples
from rbm_reciprocal.claims.landscape import (
    claim_ais_bracket,
    claim_kurtosis,
    claim_mp_ks,
    claim_uniform_moments,
)
from rbm_reciprocal.claims.mp_mode import claim_mp_mode
from rbm_reciprocal.claims.symmetry import (
    claim_pc_alignment,
    claim_rotated_pixels,
    claim_rotation_js,
    claim_spectral_gap,
)
from rbm_reciprocal.core.streams import stream

#: Columns of the calibration table (``claims-calibration --out``).
CALIBRATION_COLUMNS = (
    "claim", "scenario", "world", "n_trials", "pass_rate", "fail_rate", "na_rate", "calibrated",
)  # fmt: skip

#: Required pass rates: at least ``TRUE_MIN`` in the true worlds, at most ``FALSE_MAX`` in the
#: false ones.
TRUE_MIN, FALSE_MAX = 0.95, 0.05

Run = Callable[[np.random.Generator, int], dict]


@dataclass(frozen=True)
class World:
    """One synthetic world of one claim: ``run(rng, min_epochs)`` builds an input and returns
    the row (``min_epochs``: the config's ``claims.min_epochs``, for the claims about trained
    models).

    ``truth``: whether the claim's statement holds there; ``name``: the world and its effect
    size. ``legacy``: trial ``i`` draws from ``stream(seed, "calibration", claim, scenario,
    i)`` (the streams of the first calibration, issue 13) instead of a stream that also
    names the world.
    """

    truth: bool
    name: str
    run: Run
    legacy: bool = False


def _pair(true_name: str, false_name: str, run: Callable[[bool, np.random.Generator, int], dict]):
    """The two worlds of a generator ``run(truth, rng, min_epochs)`` of issue 13."""
    return (
        World(True, true_name, lambda r, m: run(True, r, m), legacy=True),
        World(False, false_name, lambda r, m: run(False, r, m), legacy=True),
    )


def _claim2() -> tuple[World, ...]:
    worlds = [
        World(
            True, "sigma as stated, 1000 matrices", lambda r, m: claim_mp_mode(sl.gen_mp_mode(r))
        ),
        World(
            True,
            "sigma as stated, 50 matrices (quick preset)",
            lambda r, m: claim_mp_mode(sl.gen_mp_mode(r, n_matrices=50)),
        ),
    ]
    for c in (0.9, 0.95, 1.03, 1.05, 1.1, 1.2, 1.5):
        worlds.append(
            World(
                False,
                f"entries of std {c:g} sigma, 1000 matrices",
                lambda r, m, c=c: claim_mp_mode(sl.gen_mp_mode(r, scale=c)),
            )
        )
    worlds.append(
        World(
            False,
            "mode 25% of the bulk width away, 1000 matrices",
            lambda r, m: claim_mp_mode(sl.gen_mp_mode(r, displaced=True)),
        )
    )
    worlds += [
        World(
            t,
            "N = M, " + ("sigma as stated" if t else "mode at 0.25 lambda_+") + ", 20 matrices",
            lambda r, m, t=t: claim_mp_mode(sl.gen_mp_mode_square(t, r)),
        )
        for t in (True, False)
    ]
    return tuple(worlds)


def _claim7() -> tuple[World, ...]:
    return tuple(
        World(t, w, lambda r, m, w=w: claim_pc_alignment(sm.gen_pc_alignment(w, r), m))
        for w, (*_, t) in sm.PC_WORLDS.items()
    )


def _claim9() -> tuple[World, ...]:
    return tuple(
        World(t, w, lambda r, m, w=w: claim_landau_double_well(sla.gen_landau(w, r), m))
        for w, (*_, t) in sla.LANDAU_WORLDS.items()
    )


def _claim15() -> tuple[World, ...]:
    return tuple(
        World(t, w, lambda r, m, w=w: claim_landau_samples(sla.gen_landau_samples(w, r), m))
        for w, (_, t) in sla.SAMPLE_WORLDS.items()
    )


#: The calibrated claims, by claim id: their worlds.
CALIBRATIONS: dict[int, tuple[World, ...]] = {
    1: _pair(
        "sigma as stated",
        "entries of std 0.9 or 1.1 sigma",
        lambda t, r, m: claim_mp_ks(sl.gen_mp_ks(t, r)),
    ),
    2: _claim2(),
    3: _pair("limit 3", "limit 2.9", lambda t, r, m: claim_kurtosis(*sl.gen_kurtosis(t, r))),
    4: _pair(
        "std 1/2", "std 0.525", lambda t, r, m: claim_uniform_moments(sl.gen_uniform_moments(t, r))
    ),
    # AIS rows or PTT-ladder rows, alternately (each world type must be calibrated)
    5: _pair(
        "LL rises 20 nats",
        "LL flat, or reverse AIS 15 nats low (BAR 0.5 nats off)",
        lambda t, r, m: claim_ais_bracket(
            (sl.gen_loglik_ladder if r.integers(2) else sl.gen_loglik)(t, r), m
        ),
    )
    + (
        World(
            True,
            "ladder, no exact log Z, LL rises 20 nats, bound 5-30 nats below (quick run)",
            lambda r, m: claim_ais_bracket(sl.gen_loglik_missed_mode(True, r), m),
        ),
        World(
            False,
            "LL flat, last BAR misses a mode: 20 nats low at its s.e. (audit), bound tight",
            lambda r, m: claim_ais_bracket(sl.gen_loglik_missed_mode(False, r), m),
        ),
    ),
    6: _pair(
        "trained JS 2.5 x noise",
        "trained JS at its noise level",
        lambda t, r, m: claim_rotation_js(sm.gen_rotation_js(t, r), m),
    ),
    7: _claim7(),
    8: _pair(
        "global 2.7%, local 0.12% of pixels",
        "both 0.5%",
        lambda t, r, m: claim_rotated_pixels(sm.gen_rotated_pixels(t, r), sm.TRAINED_EPOCHS, m),
    ),
    9: _claim9(),
    10: _pair(
        "gap [33, 35]", "no gap", lambda t, r, m: claim_spectral_gap(sm.gen_spectral_gap(t, r))
    ),
    11: _pair(
        "Cov(z) = I/4", "Cov(z) = 0.21 I", lambda t, r, m: claim_stiffness(sm.gen_stiffness(t, r))
    ),
    13: _pair(
        "the mode diverges",
        "the mode reaches its stationary law",
        lambda t, r, m: claim_full_constraint(sm.gen_diffusion(13, t, r)),
    ),
    14: _pair(
        "the mode is metastable",
        "the mode reaches its stationary law",
        lambda t, r, m: claim_metastability(sm.gen_diffusion(14, t, r)),
    ),
    15: _claim15(),
}


def calibrate_claims(
    n_trials: int,
    min_epochs: int,
    seed: int = 0,
    claims: list[int] | None = None,
    log: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Pass rate of each claim's function in ``n_trials`` draws of each of its worlds.

    Parameters
    ----------
    n_trials : int
        Synthetic inputs per (claim, world); the pass rate has binomial s.e.
        ``sqrt(p (1 - p) / n_trials)``.
    min_epochs : int
        The claims' ``min_epochs`` (the config's ``claims.min_epochs``; the synthetic trained
        models train ``synthetic_models.TRAINED_EPOCHS`` epochs, at least the paper config's).
    seed : int
        Trial ``i`` of (claim, world) draws from ``stream(seed, "calibration", claim,
        scenario, world, i)`` (without ``world`` for the worlds of issue 13, :class:`World`).
    claims : list of int, optional
        Claim ids (default: all of :data:`CALIBRATIONS`).
    log : callable, optional
        Receives one line per (claim, world).

    Returns
    -------
    DataFrame with :data:`CALIBRATION_COLUMNS`, one row per (claim, world); ``scenario`` is
    ``true`` or ``false``; ``calibrated`` is ``pass_rate >= TRUE_MIN`` (true) or
    ``pass_rate <= FALSE_MAX`` (false).
    """
    if int(n_trials) < 1:
        raise ValueError(f"n_trials must be >= 1, got {n_trials}")
    ids = sorted(CALIBRATIONS) if claims is None else [int(c) for c in claims]
    unknown = [c for c in ids if c not in CALIBRATIONS]
    if unknown:
        raise ValueError(f"no calibration for claims {unknown}; known: {sorted(CALIBRATIONS)}")
    rows = []
    for cid in ids:
        for w in CALIBRATIONS[cid]:
            scenario = "true" if w.truth else "false"
            tags = (cid, scenario) if w.legacy else (cid, scenario, w.name)
            verdicts = [
                w.run(stream(seed, "calibration", *tags, i), min_epochs)["passed"]
                for i in range(int(n_trials))
            ]
            n = len(verdicts)
            pass_rate = sum(v is True for v in verdicts) / n
            row = {
                "claim": np.int64(cid),
                "scenario": scenario,
                "world": w.name,
                "n_trials": np.int64(n),
                "pass_rate": pass_rate,
                "fail_rate": sum(v is False for v in verdicts) / n,
                "na_rate": sum(v is None for v in verdicts) / n,
                "calibrated": pass_rate >= TRUE_MIN if w.truth else pass_rate <= FALSE_MAX,
            }
            rows.append(row)
            if log is not None:
                log(
                    f"claim {cid:2d} {scenario:5s} [{w.name}]: pass {pass_rate:.3f}, fail "
                    f"{row['fail_rate']:.3f}, n/a {row['na_rate']:.3f} ({n} trials)"
                )
    return pd.DataFrame(rows, columns=list(CALIBRATION_COLUMNS))
