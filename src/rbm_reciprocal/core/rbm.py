"""Bernoulli-Bernoulli RBM: parameters, energy, free energy and conditionals (Sec. 2).

Shapes: visible ``v`` is (B, N), hidden ``h`` is (B, M), weights ``W`` (N, M),
visible bias ``a`` (N,), hidden bias ``b`` (M,). Parameters are float32 (as trained);
the scalar functions here compute in float64 for accuracy when asked to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rbm_reciprocal.core.errors import ConfigError


@dataclass
class RBMParams:
    """Parameters of a Bernoulli RBM, Eq. (3).

    Attributes
    ----------
    W : ndarray, shape (N, M), float32
    a : ndarray, shape (N,), float32 -- visible bias
    b : ndarray, shape (M,), float32 -- hidden bias
    """

    W: np.ndarray
    a: np.ndarray
    b: np.ndarray

    def __post_init__(self) -> None:
        self.W = np.ascontiguousarray(self.W, dtype=np.float32)
        self.a = np.ascontiguousarray(self.a, dtype=np.float32)
        self.b = np.ascontiguousarray(self.b, dtype=np.float32)
        n, m = self.W.shape
        if self.a.shape != (n,) or self.b.shape != (m,):
            raise ConfigError(
                f"RBM parameter shapes disagree: W {self.W.shape}, "
                f"a {self.a.shape}, b {self.b.shape}"
            )

    @property
    def n_visible(self) -> int:
        return self.W.shape[0]

    @property
    def n_hidden(self) -> int:
        return self.W.shape[1]

    def copy(self) -> RBMParams:
        return RBMParams(self.W.copy(), self.a.copy(), self.b.copy())

    def is_finite(self) -> bool:
        return bool(
            np.isfinite(self.W).all() and np.isfinite(self.a).all() and np.isfinite(self.b).all()
        )


def softplus(x: np.ndarray) -> np.ndarray:
    """Numerically stable ``log(1 + exp(x))`` (no overflow for large ``x``)."""
    return np.logaddexp(0, np.asarray(x))


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-x))``, stable for large ``|x|``."""
    x = np.asarray(x)
    out = np.empty_like(x, dtype=np.result_type(x.dtype, np.float32))
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


def energy(v: np.ndarray, h: np.ndarray, params: RBMParams) -> np.ndarray:
    """Energy ``E(v, h) = -a.v - b.h - v.W.h`` of Eq. (3), float64, shape (B,)."""
    v = np.atleast_2d(v).astype(np.float64)
    h = np.atleast_2d(h).astype(np.float64)
    W = params.W.astype(np.float64)
    return (
        -(v @ params.a.astype(np.float64))
        - (h @ params.b.astype(np.float64))
        - np.einsum("bi,ij,bj->b", v, W, h)
    )


def hidden_field(v: np.ndarray, params: RBMParams) -> np.ndarray:
    """Hidden pre-activation ``C_j = sum_i v_i W_ij + b_j`` (Sec. 2), shape (B, M)."""
    return np.atleast_2d(v) @ params.W + params.b


def visible_field(h: np.ndarray, params: RBMParams) -> np.ndarray:
    """Visible pre-activation ``D_i = sum_j W_ij h_j + a_i`` (Sec. 2), shape (B, N)."""
    return np.atleast_2d(h) @ params.W.T + params.a


def prob_h_given_v(v: np.ndarray, params: RBMParams) -> np.ndarray:
    """``p(h_j = 1 | v) = sigmoid(C_j)``, shape (B, M)."""
    return sigmoid(hidden_field(v, params))


def prob_v_given_h(h: np.ndarray, params: RBMParams) -> np.ndarray:
    """``p(v_i = 1 | h) = sigmoid(D_i)``, shape (B, N)."""
    return sigmoid(visible_field(h, params))


def free_energy(v: np.ndarray, params: RBMParams) -> np.ndarray:
    """Free energy ``F(v) = -a.v - sum_j softplus(C_j(v))`` (Sec. 2), float64, shape (B,).

    ``log p(v) = -F(v) - log Z``.
    """
    v64 = np.atleast_2d(v).astype(np.float64)
    c = v64 @ params.W.astype(np.float64) + params.b.astype(np.float64)
    return -(v64 @ params.a.astype(np.float64)) - np.logaddexp(0.0, c).sum(axis=1)


def logit(p: np.ndarray, clip: float = 1e-6) -> np.ndarray:
    """``log(p / (1 - p))`` with ``p`` clipped to ``[clip, 1 - clip]``."""
    p = np.clip(np.asarray(p, dtype=np.float64), clip, 1.0 - clip)
    return np.log(p) - np.log1p(-p)


def init_params(
    n_visible: int,
    n_hidden: int,
    rng: np.random.Generator,
    *,
    weight_std: float,
    visible_bias: str,
    hidden_bias: str,
    bias_std: float,
    logit_clip: float,
    data_mean: np.ndarray | None = None,
) -> RBMParams:
    """Initial parameters (Sec. 2 and the authors' code, see SPEC.md).

    Parameters
    ----------
    weight_std : float
        ``W_ij ~ Normal(0, weight_std^2)`` (paper: 0.01, the paramagnetic phase).
    visible_bias : {"data_logit", "zero", "normal"}
        ``logit(data mean)`` clipped at ``logit_clip`` (paper default), zeros, or
        ``Normal(0, bias_std^2)`` (the "untrained reference" of the paper).
    hidden_bias : {"zero", "normal"}
    data_mean : ndarray, shape (N,), required for ``"data_logit"``.
    """
    W = rng.standard_normal((n_visible, n_hidden), dtype=np.float32) * np.float32(weight_std)
    if visible_bias == "data_logit":
        if data_mean is None:
            raise ConfigError("visible_bias 'data_logit' needs the training data mean")
        a = logit(data_mean, logit_clip).astype(np.float32)
    elif visible_bias == "zero":
        a = np.zeros(n_visible, np.float32)
    elif visible_bias == "normal":
        a = rng.standard_normal(n_visible, dtype=np.float32) * np.float32(bias_std)
    else:
        raise ConfigError(
            f"unknown visible_bias init {visible_bias!r}; use data_logit, zero or normal"
        )
    if hidden_bias == "zero":
        b = np.zeros(n_hidden, np.float32)
    elif hidden_bias == "normal":
        b = rng.standard_normal(n_hidden, dtype=np.float32) * np.float32(bias_std)
    else:
        raise ConfigError(f"unknown hidden_bias init {hidden_bias!r}; use zero or normal")
    return RBMParams(W, a, b)


def sufficient_statistics(
    v: np.ndarray, params: RBMParams, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expectations ``<v h^T>``, ``<v>``, ``<h>`` with ``h`` replaced by ``p(h|v)``.

    These are ``-<dE/dtheta>`` over the rows of ``v`` (Eq. 13a-c); the log-likelihood
    gradient is the data statistics minus the model statistics.

    Parameters
    ----------
    v : ndarray, shape (B, N)
    weights : ndarray, shape (B,), optional
        Probability weights of the rows (summing to 1); uniform when omitted.

    Returns
    -------
    vh : (N, M), v_mean : (N,), h_mean : (M,) -- float32 unless weights are given (float64).
    """
    ph = prob_h_given_v(v, params)
    if weights is None:
        inv = np.float32(1.0 / v.shape[0])
        return (v.T @ ph) * inv, v.mean(axis=0, dtype=np.float32), ph.mean(axis=0)
    w = np.asarray(weights, dtype=np.float64)
    v64 = v.astype(np.float64)
    ph64 = ph.astype(np.float64)
    return (v64 * w[:, None]).T @ ph64, w @ v64, w @ ph64
