"""Stage reciprocal (workflow/rules/reciprocal.smk): landscapes (Figs. 1 right, 2; the uniform
projections of Fig. 5: stage uniform_projections)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rbm_reciprocal.analysis.reciprocal import (
    decompose,
    landscape_energy,
    project_states,
    rotate_uw,
)
from rbm_reciprocal.core.checkpoint import read_checkpoint
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.io import PathLike
from rbm_reciprocal.core.lazy import lazy_module
from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.core.streams import stream
from rbm_reciprocal.core.tables import save_parquet
from rbm_reciprocal.data.dataset import load_dataset
from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.cost import landscape_cost
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.step import ANALYSIS_STEP, Step, job_line

pd = lazy_module("pandas")
landscape = lazy_module("rbm_reciprocal.analysis.landscape")
spectra = lazy_module("rbm_reciprocal.analysis.spectra")


@dataclass(frozen=True)
class LandscapeSample:
    """Fig. 1 (right) (``reciprocal.fig1_right``, ``reciprocal.gibbs``): a generated ``digit``
    on the 1-based landscapes ``indices``, chosen among ``n_chains`` Gibbs chains of
    ``sweeps`` sweeps."""

    indices: list[int]
    digit: int
    n_chains: int
    sweeps: int
    seed: int


def landscape_sample(config: dict, wildcards: Any) -> LandscapeSample:
    r = config["reciprocal"]
    f, g = r["fig1_right"], r["gibbs"]
    return LandscapeSample(
        [int(i) for i in f["indices"]], int(f["digit"]), int(g["n_chains"]), int(g["sweeps"]),
        int(config["seed"]),
    )  # fmt: skip


@dataclass(frozen=True)
class LandscapePoints:
    """Fig. 2 (``reciprocal.fig2``, ``reciprocal.gibbs``): the first ``n_test`` test images
    (None: all) and ``n_chains`` Gibbs samples on the landscapes ``indices``."""

    indices: list[int]
    n_test: int | None
    n_chains: int
    sweeps: int
    seed: int


def landscape_points(config: dict, wildcards: Any) -> LandscapePoints:
    r = config["reciprocal"]
    f, g = r["fig2"], r["gibbs"]
    n_test = None if f["n_test"] is None else int(f["n_test"])
    return LandscapePoints(
        [int(i) for i in f["indices"]], n_test, int(g["n_chains"]), int(g["sweeps"]),
        int(config["seed"]),
    )  # fmt: skip


def load_params_epoch(path: PathLike) -> tuple[RBMParams, int]:
    """A checkpoint's parameters and epoch (-1 for a checkpoint without one)."""
    ck = read_checkpoint(path)
    return ck.params, -1 if ck.epoch is None else ck.epoch


def run_landscape_sample(
    checkpoint: PathLike,
    data: PathLike,
    settings: LandscapeSample,
    out_table: PathLike,
    out_image: PathLike,
) -> pd.DataFrame:
    """Fig. 1 (right): a generated ``settings.digit`` projected on the landscapes
    ``settings.indices``.

    The sample is chosen with a nearest-centroid classifier (module docstring); its hidden
    state is drawn from ``p(h | v)``.

    Parameters
    ----------
    checkpoint : path
        Trained checkpoint ``.npz`` (``W, a, b, epoch``).
    data : path
        Dataset ``.npz`` (its test set gives the centroids).
    settings : LandscapeSample
        ``indices``: 1-based landscape indices, clipped to ``min(N, M)``
        (:func:`clip_indices`); ``digit``: the digit to generate (3 in the paper);
        ``n_chains``, ``sweeps``: Gibbs chains to choose from, and sweeps per chain; ``seed``.
    out_table : path
        One row per landscape: the columns of :func:`landscape_table`, then ``x, y`` (the
        sample's reciprocal variables), ``u, w`` (Eq. 18), ``energy`` (``E_i(x_i, y_i)``),
        and constants ``epoch, digit, classified_as, chain, centroid_distance,
        centroid_accuracy`` (accuracy of the classifier on the test set itself).
    out_image : path
        The sample's pixels: ``row, col, value`` (28 x 28 for MNIST; ``row = k // 28``).

    Returns
    -------
    pandas.DataFrame, the landscape table.
    """
    indices, digit = settings.indices, settings.digit
    params, epoch = load_params_epoch(checkpoint)
    ds = load_dataset(data)
    classes, centroids = landscape.nearest_centroid_fit(ds.test, ds.test_labels)
    if int(digit) not in set(int(c) for c in classes):
        raise ConfigError(f"digit {digit} is not in the test set (labels {list(classes)})")
    test_pred, _ = landscape.nearest_centroid_predict(classes, centroids, ds.test)
    accuracy = float(np.mean(test_pred == ds.test_labels))

    rng = stream(settings.seed, "fig1_right", params.n_hidden)
    v, _ = landscape.gibbs_samples(params, settings.n_chains, settings.sweeps, rng)
    pred, dist = landscape.nearest_centroid_predict(classes, centroids, v)
    col = int(np.flatnonzero(classes == int(digit))[0])
    candidates = np.flatnonzero(pred == int(digit))
    if candidates.size == 0:
        candidates = np.arange(v.shape[0])
    chain = int(candidates[np.argmin(dist[candidates, col])])
    image = v[chain : chain + 1]
    h = landscape.sample_hidden(params, image, rng)

    rec = decompose(params.W, params.a, params.b)
    idx = landscape.clip_indices(indices, rec.n_modes)
    table = landscape.landscape_table(rec, idx)
    k = np.asarray(idx) - 1
    x = project_states(image, rec.U[:, k])[0]
    y = project_states(h, rec.V[:, k])[0]
    u, w = rotate_uw(x, y, rec.x0[k], rec.y0[k])
    table["x"], table["y"], table["u"], table["w"] = x, y, u, w
    table["energy"] = landscape_energy(x, y, rec.s[k], rec.a0[k], rec.b0[k])
    table["epoch"] = np.int64(epoch)
    table["digit"] = np.int64(digit)
    table["classified_as"] = np.int64(pred[chain])
    table["chain"] = np.int64(chain)
    table["centroid_distance"] = float(dist[chain, col])
    table["centroid_accuracy"] = accuracy

    side = int(round(np.sqrt(params.n_visible)))
    pix = np.arange(params.n_visible)
    pixels = pd.DataFrame(
        {"row": pix // side, "col": pix % side, "value": image[0].astype(np.float64)}
    )
    save_parquet(out_image, pixels)
    save_parquet(out_table, table)
    return table


def run_landscape_points(
    checkpoints: Mapping[str, PathLike],
    data: PathLike,
    settings: LandscapePoints,
    out_landscapes: PathLike,
    out_points: PathLike,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fig. 2: MNIST test images and Gibbs samples of the same model on the landscapes
    ``settings.indices``.

    For each model (e.g. ``{"untrained": epoch-0 checkpoint, "trained": last checkpoint}``)
    the test images ``v`` are projected with ``x = U^T v`` and ``y = V^T h``, ``h ~ p(h|v)``;
    ``n_chains`` Gibbs chains of that same model (``sweeps`` sweeps) give the grey points.

    Parameters
    ----------
    checkpoints : mapping state -> path
    data : path
        Dataset ``.npz``.
    settings : LandscapePoints
        ``indices``: 1-based landscape indices, clipped to ``min(N, M)``; ``n_test``: use the
        first ``n_test`` test images (None: all); ``n_chains``, ``sweeps``, ``seed``.
    out_landscapes : path
        One row per (state, landscape): ``state, epoch`` and the columns of
        :func:`landscape_table`.
    out_points : path
        Long table, one row per (state, source, point, landscape): ``state, source`` (``test``
        or ``gibbs``), ``point`` (row number), ``label`` (digit; -1 for Gibbs samples),
        ``index, x, y, u, w``.

    Returns
    -------
    (landscapes, points) : the two tables written.
    """
    ds = load_dataset(data)
    n_test = settings.n_test
    n = ds.test.shape[0] if n_test is None else min(int(n_test), ds.test.shape[0])
    test, labels = ds.test[:n].astype(np.float32), ds.test_labels[:n].astype(np.int64)
    land_parts, point_parts = [], []
    for state, path in checkpoints.items():
        params, epoch = load_params_epoch(path)
        rng = stream(settings.seed, f"fig2/{state}", params.n_hidden, epoch)
        rec = decompose(params.W, params.a, params.b)
        idx = landscape.clip_indices(settings.indices, rec.n_modes)
        k = np.asarray(idx) - 1
        land = landscape.landscape_table(rec, idx)
        land.insert(0, "epoch", np.int64(epoch))
        land.insert(0, "state", str(state))
        land_parts.append(land)
        gv, gh = landscape.gibbs_samples(params, settings.n_chains, settings.sweeps, rng)
        for source, v, h, lab in (
            ("test", test, landscape.sample_hidden(params, test, rng), labels),
            ("gibbs", gv, gh, np.full(gv.shape[0], -1, np.int64)),
        ):
            x = project_states(v, rec.U[:, k])
            y = project_states(h, rec.V[:, k])
            u, w = rotate_uw(x, y, rec.x0[k], rec.y0[k])
            n_pts = v.shape[0]
            point_parts.append(
                pd.DataFrame(
                    {
                        "state": str(state),
                        "source": source,
                        "point": np.repeat(np.arange(n_pts, dtype=np.int64), k.size),
                        "label": np.repeat(lab, k.size),
                        "index": np.tile(np.asarray(idx, np.int64), n_pts),
                        "x": x.ravel(),
                        "y": y.ravel(),
                        "u": u.ravel(),
                        "w": w.ravel(),
                    }
                )
            )
    landscapes = pd.concat(land_parts, ignore_index=True)
    points = pd.concat(point_parts, ignore_index=True)
    save_parquet(out_landscapes, landscapes)
    save_parquet(out_points, points)
    return landscapes, points


def untrained_and_trained(job: Job) -> dict[str, str]:
    """The job's ``untrained`` and ``trained`` checkpoints, in that order."""
    return {state: job.input[state] for state in ("untrained", "trained")}


def landscape_sample_job(job: Job) -> None:
    """Rule landscape_sample: :func:`run_landscape_sample` (Fig. 1 right)."""
    s = LandscapeSample(**job.settings)
    inp, out = job.input, job.output
    t = run_landscape_sample(inp["checkpoint"], inp["data"], s, out["table"], out["image"])
    r = t.iloc[0]
    print(
        f"chain {int(r['chain'])} of {s.n_chains}: nearest centroid {int(r['classified_as'])} "
        f"(wanted {s.digit}); classifier accuracy on the test set {r['centroid_accuracy']:.3f}",
        file=sys.stderr,
    )


def landscape_points_job(job: Job) -> None:
    """Rule landscape_points: :func:`run_landscape_points` (Fig. 2)."""
    s = LandscapePoints(**job.settings)
    out = job.output
    run_landscape_points(
        untrained_and_trained(job), job.input["data"], s, out["landscapes"], out["points"]
    )


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {
    "landscape_sample": landscape_sample_job,
    "landscape_points": landscape_points_job,
}

#: The steps of this stage (rules of ``workflow/rules/reciprocal.smk``).
STEPS = [
    Step(
        "landscape_sample",
        **ANALYSIS_STEP,
        arrays=memory.landscape,
        cost=job_line(landscape_cost, "landscape_sample"),
        settings=landscape_sample,
        stage="reciprocal",
        outputs={
            "table": "results/reciprocal/fig1_right.parquet",
            "image": "results/reciprocal/fig1_right_image.parquet",
        },
        log="reciprocal/fig1_right",
    ),
    Step(
        "landscape_points",
        **ANALYSIS_STEP,
        arrays=memory.landscape,
        cost=job_line(landscape_cost, "landscape_points"),
        settings=landscape_points,
        stage="reciprocal",
        outputs={
            "landscapes": "results/reciprocal/fig2_landscapes.parquet",
            "points": "results/reciprocal/fig2_points.parquet",
        },
        log="reciprocal/fig2",
    ),
    Step("fig1_right", "figure", stage="figures", figure="fig1_right", log="figures/fig1_right"),
    Step("fig2", "figure", stage="figures", figure="fig2", log="figures/fig2"),
]
