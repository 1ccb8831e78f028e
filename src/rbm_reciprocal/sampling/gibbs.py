"""Block Gibbs sampling of a Bernoulli RBM: BLAS matrix products + numba kernels.

One *sweep* is ``v -> h -> v``: ``h ~ p(h|v) = sigmoid(v W + b)`` then
``v ~ p(v|h) = sigmoid(h W^T + a)`` (Sec. 2). The two matrix products are float32
GEMMs in BLAS (the cost floor); the bias add, sigmoid and Bernoulli draw are fused in
one numba kernel per half-step (:mod:`rbm_reciprocal._kernels`), with counter-based
random numbers keyed by per-chain seeds drawn from the caller's
``numpy.random.Generator``. For a fixed generator state the samples are
bit-for-bit identical whatever the number of numba threads; BLAS results are
deterministic for a fixed BLAS thread count.
"""

from __future__ import annotations

import numpy as np

from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.sampling import _kernels

_SEED_HIGH = np.iinfo(np.int64).max


def _seeds(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, _SEED_HIGH, size=n, dtype=np.int64).view(np.uint64)


class GibbsSampler:
    """Block Gibbs sampler with preallocated float32 buffers for ``n_chains`` chains.

    Parameters
    ----------
    params : RBMParams
        Model; the sampler reads ``params.W``, ``params.a``, ``params.b`` at every call,
        so in-place parameter updates are seen without rebuilding the sampler.
    n_chains : int
        Number of chains (rows of ``v`` and ``h``).
    """

    def __init__(self, params: RBMParams, n_chains: int) -> None:
        self.params = params
        self.n_chains = int(n_chains)
        n, m = params.W.shape
        self._field_h = np.empty((n_chains, m), np.float32)
        self._field_v = np.empty((n_chains, n), np.float32)

    def _check(self, x: np.ndarray, width: int, name: str) -> None:
        if x.shape != (self.n_chains, width) or x.dtype != np.float32:
            raise ValueError(
                f"{name} must be float32 of shape {(self.n_chains, width)}, got {x.dtype} {x.shape}"
            )

    def sample_hidden(self, v: np.ndarray, rng: np.random.Generator, out: np.ndarray) -> None:
        """``out ~ p(h | v)``, written in place; ``v`` (B, N), ``out`` (B, M) float32."""
        p = self.params
        self._check(out, p.n_hidden, "h")
        np.matmul(v, p.W, out=self._field_h)
        _kernels.bernoulli_from_logits(self._field_h, p.b, _seeds(rng, self.n_chains), out)

    def sample_visible(self, h: np.ndarray, rng: np.random.Generator, out: np.ndarray) -> None:
        """``out ~ p(v | h)``, written in place; ``h`` (B, M), ``out`` (B, N) float32."""
        p = self.params
        self._check(out, p.n_visible, "v")
        np.matmul(h, p.W.T, out=self._field_v)
        _kernels.bernoulli_from_logits(self._field_v, p.a, _seeds(rng, self.n_chains), out)

    def hidden_probs(self, v: np.ndarray, out: np.ndarray) -> None:
        """``out = p(h = 1 | v)`` (mean field), written in place."""
        p = self.params
        np.matmul(v, p.W, out=self._field_h)
        _kernels.sigmoid_with_bias(self._field_h, p.b, out)

    def visible_probs(self, h: np.ndarray, out: np.ndarray) -> None:
        """``out = p(v = 1 | h)`` (mean field), written in place."""
        p = self.params
        np.matmul(h, p.W.T, out=self._field_v)
        _kernels.sigmoid_with_bias(self._field_v, p.a, out)

    def sweeps(self, v: np.ndarray, h: np.ndarray, k: int, rng: np.random.Generator) -> None:
        """Run ``k`` sweeps ``v -> h -> v`` in place; on return ``h`` is the last hidden
        sample and ``v`` the sample drawn from it."""
        self._check(v, self.params.n_visible, "v")
        for _ in range(int(k)):
            self.sample_hidden(v, rng, h)
            self.sample_visible(h, rng, v)


def sample_chains(
    params: RBMParams,
    v0: np.ndarray,
    k: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Run ``k`` block Gibbs sweeps from ``v0`` (B, N); return ``(v, h)`` (copies)."""
    v = np.array(v0, dtype=np.float32, order="C")
    h = np.empty((v.shape[0], params.n_hidden), np.float32)
    sampler = GibbsSampler(params, v.shape[0])
    sampler.sweeps(v, h, k, rng)
    return v, h


def random_hidden(n_chains: int, n_hidden: int, rng: np.random.Generator) -> np.ndarray:
    """Hidden states with iid Bernoulli(1/2) units, float32 (B, M) (the Rdm start)."""
    out = np.empty((n_chains, n_hidden), np.float32)
    _kernels.bernoulli_from_probs(
        np.full((n_chains, n_hidden), 0.5, np.float32), _seeds(rng, n_chains), out
    )
    return out
