"""Landscapes of one model (Figs. 1 right, 2, 5): projected images and samples, centroids."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rbm_reciprocal.analysis.reciprocal import Reciprocal
from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.sampling.gibbs import GibbsSampler, random_hidden


def clip_indices(indices: Sequence[int], size: int) -> list[int]:
    """1-based mode indices clipped to ``size`` (``min(i, size)``), duplicates dropped, order kept.

    Lets the paper's index lists (e.g. up to 500) run on small preset models.
    """
    out: list[int] = []
    for i in indices:
        if int(i) < 1:
            raise ConfigError(f"mode indices are 1-based, got {i}")
        j = min(int(i), int(size))
        if j not in out:
            out.append(j)
    return out


def nearest_centroid_fit(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centroids of a nearest-centroid classifier: the mean image of each label.

    Parameters
    ----------
    images : ndarray, shape (n, N)
    labels : ndarray, shape (n,)

    Returns
    -------
    classes : ndarray, shape (C,), the sorted labels present
    centroids : ndarray, shape (C, N), float64
    """
    images = np.asarray(images, dtype=np.float64)
    labels = np.asarray(labels)
    classes = np.unique(labels)
    centroids = np.stack([images[labels == c].mean(axis=0) for c in classes])
    return classes, centroids


def nearest_centroid_predict(
    classes: np.ndarray, centroids: np.ndarray, images: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Label of the nearest centroid (Euclidean) and the distances to every centroid.

    Returns
    -------
    predicted : ndarray, shape (n,)
    distances : ndarray, shape (n, C), float64
    """
    x = np.asarray(images, dtype=np.float64)
    d2 = (x * x).sum(axis=1)[:, None] - 2.0 * x @ centroids.T + (centroids**2).sum(axis=1)
    dist = np.sqrt(np.clip(d2, 0.0, None))
    return classes[np.argmin(dist, axis=1)], dist


def sample_hidden(params: RBMParams, v: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``h ~ p(h | v)`` for each row of ``v`` (B, N); float32 (B, M)."""
    v = np.ascontiguousarray(v, dtype=np.float32)
    h = np.empty((v.shape[0], params.n_hidden), np.float32)
    GibbsSampler(params, v.shape[0]).sample_hidden(v, rng, h)
    return h


def gibbs_samples(
    params: RBMParams, n_chains: int, sweeps: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Joint samples ``(v, h)`` of ``n_chains`` independent block-Gibbs chains.

    Each chain starts from a Bernoulli(1/2) hidden state, draws ``v ~ p(v|h)`` and runs
    ``sweeps`` sweeps ``v -> h -> v``; it returns the last hidden state and the visible state
    drawn from it.

    Returns
    -------
    v : ndarray, shape (n_chains, N), float32 0/1
    h : ndarray, shape (n_chains, M), float32 0/1
    """
    sampler = GibbsSampler(params, n_chains)
    h = random_hidden(n_chains, params.n_hidden, rng)
    v = np.empty((n_chains, params.n_visible), np.float32)
    sampler.sample_visible(h, rng, v)
    sampler.sweeps(v, h, sweeps, rng)
    return v, h


def landscape_table(rec: Reciprocal, indices: Sequence[int]) -> pd.DataFrame:
    """Parameters of the paired landscapes ``indices`` (1-based), one row each.

    Columns ``index, lam, a0, b0, x0, y0, saddle_energy, mu_x, mu_y, mu_u, mu_w`` (Eqs. 16-19,
    28, 51); ``E_i(x, y) = -a0 x - b0 y - lam x y`` can be redrawn from them.
    """
    idx = np.asarray(indices, dtype=np.int64)
    if idx.size and (idx.min() < 1 or idx.max() > rec.n_modes):
        raise ValueError(f"landscape indices must lie in 1..{rec.n_modes}, got {list(idx)}")
    k = idx - 1
    return pd.DataFrame(
        {
            "index": idx,
            "lam": rec.s[k],
            "a0": rec.a0[k],
            "b0": rec.b0[k],
            "x0": rec.x0[k],
            "y0": rec.y0[k],
            "saddle_energy": rec.saddle_energy[k],
            "mu_x": rec.mu_x[k],
            "mu_y": rec.mu_y[k],
            "mu_u": rec.mu_u[k],
            "mu_w": rec.mu_w[k],
        }
    )
