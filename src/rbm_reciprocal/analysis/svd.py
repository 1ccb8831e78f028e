"""The signed SVD of a weight matrix: one sign rule per checkpoint, continuity across them.

Sign convention
---------------
A singular pair ``(u_i, v_i)`` is defined up to a common sign. :func:`fix_signs` makes the
largest-magnitude entry of each left vector ``u_i`` positive (the first one on ties) and flips
the matching right vector with it; columns without a partner (the null-space columns
``i > m`` of the larger factor) get the same rule on their own. Every function here that
decomposes ``W`` uses it, so one checkpoint always gets the same signs. The rule is *not*
continuous in the weights: when another entry of ``u_i`` becomes the largest in magnitude
during training, the pair flips between checkpoints. A quantity followed across epochs must
therefore align each checkpoint's signs with the previous one, :func:`align_signs`.
"""

from __future__ import annotations

import numpy as np


def _largest_entry_signs(mat: np.ndarray) -> np.ndarray:
    """Sign (+1/-1) of the largest-magnitude entry of each column (first on ties)."""
    rows = np.argmax(np.abs(mat), axis=0)
    signs = np.sign(mat[rows, np.arange(mat.shape[1])])
    return np.where(signs < 0, -1.0, 1.0)


def fix_signs(U: np.ndarray, V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic signs of the singular vectors (SPEC.md, "Sign convention").

    For ``i <= m = min(N, M)`` the pair ``(U[:, i], V[:, i])`` is multiplied by the sign of
    the largest-magnitude entry of ``U[:, i]`` (the first such entry on ties), which leaves
    ``U S V^T`` unchanged. Unpaired columns (``i > m``) of ``U`` or ``V`` get the same rule on
    their own. The result does not depend on the input signs, and ``fix_signs`` applied twice
    equals ``fix_signs`` applied once.

    Parameters
    ----------
    U : ndarray, shape (N, N) or (N, m)
        Left singular vectors (columns).
    V : ndarray, shape (M, M) or (M, m)
        Right singular vectors (columns), i.e. ``Vh.T`` of `numpy.linalg.svd`.

    Returns
    -------
    U, V : ndarray
        Copies with fixed signs, same shapes and dtypes.
    """
    U = np.array(U, copy=True)
    V = np.array(V, copy=True)
    m = min(U.shape[1], V.shape[1])
    su = _largest_entry_signs(U)
    U *= su
    V[:, :m] *= su[:m]
    if V.shape[1] > m:
        V[:, m:] *= _largest_entry_signs(V[:, m:])
    return U, V


def align_signs(
    U_prev: np.ndarray, V_prev: np.ndarray, U: np.ndarray, V: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Signs of ``(U, V)`` continuous with a previous decomposition ``(U_prev, V_prev)``.

    For each paired column ``i < m = min(N, M)`` the pair ``(U[:, i], V[:, i])`` is multiplied
    by the sign of ``U_prev[:, i] . U[:, i] + V_prev[:, i] . V[:, i]`` (the overlap of the
    pair with its predecessor); unpaired columns by the sign of their own overlap. A zero
    overlap keeps the sign. ``U S V^T`` is unchanged. Chained over checkpoints (each aligned
    with the already aligned previous one) this makes the singular vectors continuous along a
    smooth path of weights, as long as the singular values do not cross.

    Parameters
    ----------
    U_prev, U : ndarray, shape (N, k)
        Left singular vectors of the previous and the current weights (same ``k`` columns).
    V_prev, V : ndarray, shape (M, l)
        Right singular vectors (same ``l`` columns).

    Returns
    -------
    U, V : ndarray
        Copies with aligned signs (float64).
    signs : ndarray, shape (max(k, l),)
        The factors applied: ``signs[:m]`` to the pairs, the rest to the unpaired columns of
        the factor that has them.
    """
    U = np.array(U, dtype=np.float64)
    V = np.array(V, dtype=np.float64)
    if np.shape(U_prev) != U.shape or np.shape(V_prev) != V.shape:
        raise ValueError(
            f"shapes disagree: U_prev {np.shape(U_prev)} vs U {U.shape}, "
            f"V_prev {np.shape(V_prev)} vs V {V.shape}"
        )
    m = min(U.shape[1], V.shape[1])
    ou = np.einsum("ij,ij->j", np.asarray(U_prev, np.float64), U)
    ov = np.einsum("ij,ij->j", np.asarray(V_prev, np.float64), V)
    overlap = ou[:m] + ov[:m]
    rest = ou[m:] if U.shape[1] > m else ov[m:]
    signs = np.where(np.concatenate([overlap, rest]) < 0, -1.0, 1.0)
    U[:, :m] *= signs[:m]
    V[:, :m] *= signs[:m]
    if U.shape[1] > m:
        U[:, m:] *= signs[m:]
    elif V.shape[1] > m:
        V[:, m:] *= signs[m:]
    return U, V, signs


def signed_svd(
    W: np.ndarray, full_matrices: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SVD ``W = U S V^T`` in float64 with the sign convention of :func:`fix_signs`.

    Parameters
    ----------
    W : ndarray, shape (N, M)
    full_matrices : bool
        Full orthogonal ``U`` and ``V`` (default), or only their first ``m = min(N, M)``
        columns (the ones paired with singular values; same signs as the full version).

    Returns
    -------
    U : ndarray, shape (N, N) or (N, m), float64, orthonormal columns
    s : ndarray, shape (m,), float64, descending singular values ``lambda_i``
    V : ndarray, shape (M, M) or (M, m), float64, orthonormal columns (right singular vectors)
    """
    W = np.asarray(W)
    if W.ndim != 2:
        raise ValueError(f"expected a 2-D weight matrix, got shape {W.shape}")
    U, s, Vh = np.linalg.svd(W.astype(np.float64), full_matrices=full_matrices)
    U, V = fix_signs(U, Vh.T)
    return U, s, V
