"""Principal components of the data and their overlap with singular vectors (claim 7)."""

from __future__ import annotations

import numpy as np


def data_principal_components(data: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """First ``k`` principal components of the rows of ``data`` (centred), and the mean.

    Returns
    -------
    pcs : ndarray, shape (N, k), unit columns, by decreasing variance
    mean : ndarray, shape (N,)
    """
    x = np.asarray(data, dtype=np.float64)
    mean = x.mean(axis=0)
    cov = (x.T @ x) / x.shape[0] - np.outer(mean, mean)
    evals, evecs = np.linalg.eigh(cov)
    order = np.argsort(evals)[::-1][:k]
    return evecs[:, order], mean
