"""Stage reciprocal (workflow/rules/reciprocal.smk): landscapes (Figs. 1 right, 2) and uniform
projections (Fig. 5)."""

from __future__ import annotations

import sys
from collections.abc import Mapping

import numpy as np
import pandas as pd

from rbm_reciprocal.analysis.landscape import (
    clip_indices,
    gibbs_samples,
    landscape_table,
    nearest_centroid_fit,
    nearest_centroid_predict,
    sample_hidden,
)
from rbm_reciprocal.analysis.reciprocal import (
    decompose,
    haar_null_basis,
    high_temperature_means,
    landscape_energy,
    project_states,
    random_binary,
    rotate_uw,
)
from rbm_reciprocal.analysis.spectra import histogram_table
from rbm_reciprocal.core.checkpoint import read_checkpoint
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.io import PathLike
from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.core.streams import stream
from rbm_reciprocal.core.tables import save_parquet
from rbm_reciprocal.data.dataset import load_dataset
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.plans import reciprocal as rs


def _load(path: PathLike) -> tuple[RBMParams, int]:
    ck = read_checkpoint(path)
    return ck.params, -1 if ck.epoch is None else ck.epoch


def run_landscape_sample(
    checkpoint: PathLike,
    data: PathLike,
    settings: rs.LandscapeSample,
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
    params, epoch = _load(checkpoint)
    ds = load_dataset(data)
    classes, centroids = nearest_centroid_fit(ds.test, ds.test_labels)
    if int(digit) not in set(int(c) for c in classes):
        raise ConfigError(f"digit {digit} is not in the test set (labels {list(classes)})")
    test_pred, _ = nearest_centroid_predict(classes, centroids, ds.test)
    accuracy = float(np.mean(test_pred == ds.test_labels))

    rng = stream(settings.seed, "fig1_right", params.n_hidden)
    v, _ = gibbs_samples(params, settings.n_chains, settings.sweeps, rng)
    pred, dist = nearest_centroid_predict(classes, centroids, v)
    col = int(np.flatnonzero(classes == int(digit))[0])
    candidates = np.flatnonzero(pred == int(digit))
    if candidates.size == 0:
        candidates = np.arange(v.shape[0])
    chain = int(candidates[np.argmin(dist[candidates, col])])
    image = v[chain : chain + 1]
    h = sample_hidden(params, image, rng)

    rec = decompose(params.W, params.a, params.b)
    idx = clip_indices(indices, rec.n_modes)
    table = landscape_table(rec, idx)
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
    settings: rs.LandscapePoints,
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
        params, epoch = _load(path)
        rng = stream(settings.seed, f"fig2/{state}", params.n_hidden, epoch)
        rec = decompose(params.W, params.a, params.b)
        idx = clip_indices(settings.indices, rec.n_modes)
        k = np.asarray(idx) - 1
        land = landscape_table(rec, idx)
        land.insert(0, "epoch", np.int64(epoch))
        land.insert(0, "state", str(state))
        land_parts.append(land)
        gv, gh = gibbs_samples(params, settings.n_chains, settings.sweeps, rng)
        for source, v, h, lab in (
            ("test", test, sample_hidden(params, test, rng), labels),
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


def run_uniform_projections(
    checkpoints: Mapping[str, PathLike],
    settings: rs.UniformProjections,
    out_table: PathLike,
) -> pd.DataFrame:
    """Fig. 5: histograms of ``x_i`` and ``y_i`` of uniform binary states, per model.

    ``n_samples`` states ``v`` and ``h`` with iid Bernoulli(1/2) units (10,000 in the paper)
    are drawn once and projected on every model's signed singular vectors. Eq. (51) predicts
    mean ``mu_i = (1/2) sum_k U_ki`` (or ``V_ki``) and standard deviation exactly 1/2.

    For ``i > min(N, M)`` the SVD's columns (LAPACK's orthonormal basis of the null space of
    ``W^T``, or ``W``) are nearly unit vectors, so their projections are two spikes at 0 and 1;
    that basis is arbitrary, and these indices use a Haar-random orthonormal basis of the same
    null space instead (:func:`~rbm_reciprocal.analysis.reciprocal.haar_null_basis`, drawn from
    the stream ``(seed, "fig5/haar-null", state, variable, N, M)``), where the central limit
    behind Eq. (51) applies; ``mu_i`` is that basis vector's. Indices ``i <= min(N, M)`` keep
    the singular vectors.

    Parameters
    ----------
    checkpoints : mapping state -> path
        E.g. ``{"untrained": epoch 0, "trained": last epoch}``; the models must share N and M.
    settings : UniformProjections
        ``x_indices``, ``y_indices``: 1-based indices, clipped to N and M; ``n_samples``,
        ``bins``, ``seed``.
    out_table : path
        One row per (state, variable, index, bin): ``state, epoch, variable`` (``x`` or
        ``y``), ``index, bin_left, bin_right, bin_center, count, density`` and the constants
        per histogram ``paired`` (``index <= min(N, M)``), ``basis`` (``svd`` for paired
        indices, ``haar-null`` for the others), ``mu`` (Eq. 51a-b), ``sigma`` (0.5, Eq. 51c),
        ``sample_mean, sample_std, sample_kurtosis`` (Pearson ``m4 / m2^2``, 3 for a
        Gaussian), ``n_samples``.

    Returns
    -------
    pandas.DataFrame, the table written.
    """
    loaded = {state: _load(path) for state, path in checkpoints.items()}
    shapes = {p.W.shape for p, _ in loaded.values()}
    if len(shapes) != 1:
        raise ValueError(f"models of different shapes: {sorted(shapes)}")
    n_vis, n_hid = shapes.pop()
    n_samples, bins, seed = settings.n_samples, settings.bins, settings.seed
    rng = stream(seed, "fig5", n_vis, n_hid)
    v = random_binary(n_samples, n_vis, rng)
    h = random_binary(n_samples, n_hid, rng)
    parts = []
    for state, (params, epoch) in loaded.items():
        rec = decompose(params.W, params.a, params.b)
        tags = ("fig5/haar-null", str(state))
        U = haar_null_basis(rec.U, rec.n_modes, stream(seed, *tags, "x", n_vis, n_hid))
        V = haar_null_basis(rec.V, rec.n_modes, stream(seed, *tags, "y", n_vis, n_hid))
        mu_x, mu_y = high_temperature_means(U, V)
        for variable, states, basis, mu, idx in (
            ("x", v, U, mu_x, clip_indices(settings.x_indices, n_vis)),
            ("y", h, V, mu_y, clip_indices(settings.y_indices, n_hid)),
        ):
            k = np.asarray(idx) - 1
            values = project_states(states, basis[:, k])
            dev = values - values.mean(axis=0)
            kurt = (dev**4).mean(axis=0) / (dev**2).mean(axis=0) ** 2
            for j, i in enumerate(idx):
                hist = histogram_table(values[:, j], bins=int(bins))
                hist.insert(0, "index", np.int64(i))
                hist.insert(0, "variable", variable)
                hist.insert(0, "epoch", np.int64(epoch))
                hist.insert(0, "state", str(state))
                hist["paired"] = bool(i <= rec.n_modes)
                hist["basis"] = "svd" if i <= rec.n_modes else "haar-null"
                hist["mu"] = float(mu[i - 1])
                hist["sigma"] = 0.5
                hist["sample_mean"] = float(values[:, j].mean())
                hist["sample_std"] = float(values[:, j].std())
                hist["sample_kurtosis"] = float(kurt[j])
                hist["n_samples"] = np.int64(n_samples)
                parts.append(hist)
    table = pd.concat(parts, ignore_index=True)
    save_parquet(out_table, table)
    return table


def _models(job: Job) -> dict[str, str]:
    """The job's ``untrained`` and ``trained`` checkpoints, in that order."""
    return {state: job.input[state] for state in ("untrained", "trained")}


def landscape_sample_job(job: Job) -> None:
    """Rule landscape_sample: :func:`run_landscape_sample` (Fig. 1 right)."""
    s = rs.LandscapeSample(**job.settings)
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
    s = rs.LandscapePoints(**job.settings)
    out = job.output
    run_landscape_points(_models(job), job.input["data"], s, out["landscapes"], out["points"])


def uniform_projections_job(job: Job) -> None:
    """Rule uniform_projections: :func:`run_uniform_projections` (Fig. 5)."""
    s = rs.UniformProjections(**job.settings)
    run_uniform_projections(_models(job), s, job.output["table"])


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {
    "landscape_sample": landscape_sample_job,
    "landscape_points": landscape_points_job,
    "uniform_projections": uniform_projections_job,
}
