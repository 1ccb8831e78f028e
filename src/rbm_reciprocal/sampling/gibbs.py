"""Block Gibbs sampling of a Bernoulli RBM: BLAS matrix products + numba kernels.

One *sweep* is ``v -> h -> v``: ``h ~ p(h|v) = sigmoid(v W + b)`` then
``v ~ p(v|h) = sigmoid(h W^T + a)`` (Sec. 2). Each half-sweep multiplies a binary state
matrix by ``W`` (or ``W^T``) in one of two ways, chosen from the measured fraction of ones
of its input states:

- *dense*: a float32 GEMM in BLAS, then one numba kernel for bias add, sigmoid and
  Bernoulli draw (:mod:`rbm_reciprocal.sampling._kernels`);
- *gather* (fraction of ones below ``sparse_density``): a numba kernel that sums, per
  chain, the rows of ``W`` (or of a contiguous copy of ``W^T``) where the state is 1 and
  draws from that field in the same pass. MNIST-like states have ~13 % ones, so this does
  several times fewer additions than the GEMM's multiply-adds.

Both draw with the same counter-based uniforms keyed by per-chain seeds from the caller's
``numpy.random.Generator``, so they give the same samples except where a uniform lies
within float rounding of the probability (the two products sum in different orders). For a
fixed generator state the samples are bit-for-bit identical whatever the number of numba
threads; BLAS results are deterministic for a fixed BLAS thread count. ``sparse_density=0``
always takes the dense path.
"""

from __future__ import annotations

import numpy as np

from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.sampling import _kernels

#: The gather threshold of the analyses' samplers (:func:`sample_chains`, the landscapes of
#: :mod:`rbm_reciprocal.analysis.landscape`): fixed, not a config key. Training reads its own
#: from the config (``backend.sparse_density``; the schema's description says so).
ANALYSIS_SPARSE_DENSITY = 0.25

_SEED_HIGH = np.iinfo(np.int64).max


def chain_seeds(rng: np.random.Generator, n: int) -> np.ndarray:
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
    sparse_density : float
        A half-sweep whose input states are binary with a fraction of ones below this uses
        the gather product; 0 always uses the dense GEMM (see the module docstring).

    Attributes
    ----------
    paths : dict
        ``{"hidden": ..., "visible": ...}``: the product ("dense" or "gather") of the last
        ``v -> h`` and ``h -> v`` half-sweep.
    """

    def __init__(
        self, params: RBMParams, n_chains: int, sparse_density: float = ANALYSIS_SPARSE_DENSITY
    ) -> None:
        self.params = params
        self.n_chains = int(n_chains)
        self.sparse_density = float(sparse_density)
        n, m = params.W.shape
        self._field_h = np.empty((n_chains, m), np.float32)
        self._field_v = np.empty((n_chains, n), np.float32)
        self._idx: np.ndarray | None = None
        self._wt: np.ndarray | None = None
        self._wt_fresh = False
        self._hold_wt = False
        self.paths = {"hidden": "", "visible": ""}

    def _check(self, x: np.ndarray, width: int, name: str) -> None:
        if x.shape != (self.n_chains, width) or x.dtype != np.float32:
            raise ValueError(
                f"{name} must be float32 of shape {(self.n_chains, width)}, got {x.dtype} {x.shape}"
            )

    # -- the two products -------------------------------------------------------------
    def _ones(self, x: np.ndarray) -> int:
        """Ones of caller-given states; -1 (dense) when not binary or the gather is off."""
        if self.sparse_density <= 0.0:
            return -1
        return int(_kernels.count_binary(x))

    def _gather(self, ones: int, x: np.ndarray) -> bool:
        return 0 <= ones < self.sparse_density * x.size

    def _index(self) -> np.ndarray:
        if self._idx is None:
            self._idx = np.empty((self.n_chains, max(self.params.W.shape)), np.int32)
        return self._idx

    def _transposed(self) -> np.ndarray:
        """Contiguous ``W^T`` for the visible gather; copied once per :meth:`sweeps` call."""
        if self._wt is None:
            self._wt = np.empty(self.params.W.shape[::-1], np.float32)
        if not self._wt_fresh:
            np.copyto(self._wt, self.params.W.T)
            self._wt_fresh = self._hold_wt
        return self._wt

    def _hidden(self, v: np.ndarray, ones: int, rng: np.random.Generator, out: np.ndarray) -> int:
        """``out ~ p(h | v)``; returns the ones of ``out`` (-1 when not counted)."""
        p = self.params
        seeds = chain_seeds(rng, self.n_chains)
        if self._gather(ones, v):
            self.paths["hidden"] = "gather"
            return int(
                _kernels.bernoulli_gather(v, p.W, p.b, seeds, self._index(), self._field_h, out)
            )
        self.paths["hidden"] = "dense"
        np.matmul(v, p.W, out=self._field_h)
        if self.sparse_density <= 0.0:
            _kernels.bernoulli_from_logits(self._field_h, p.b, seeds, out)
            return -1
        return int(_kernels.bernoulli_from_logits_count(self._field_h, p.b, seeds, out))

    def _visible(self, h: np.ndarray, ones: int, rng: np.random.Generator, out: np.ndarray) -> int:
        """``out ~ p(v | h)``; returns the ones of ``out`` (-1 when not counted)."""
        p = self.params
        seeds = chain_seeds(rng, self.n_chains)
        if self._gather(ones, h):
            self.paths["visible"] = "gather"
            wt = self._transposed()
            return int(
                _kernels.bernoulli_gather(h, wt, p.a, seeds, self._index(), self._field_v, out)
            )
        self.paths["visible"] = "dense"
        np.matmul(h, p.W.T, out=self._field_v)
        if self.sparse_density <= 0.0:
            _kernels.bernoulli_from_logits(self._field_v, p.a, seeds, out)
            return -1
        return int(_kernels.bernoulli_from_logits_count(self._field_v, p.a, seeds, out))

    # -- public API -------------------------------------------------------------------
    def sample_hidden(self, v: np.ndarray, rng: np.random.Generator, out: np.ndarray) -> None:
        """``out ~ p(h | v)``, written in place; ``v`` (B, N), ``out`` (B, M) float32."""
        self._check(out, self.params.n_hidden, "h")
        self._check(v, self.params.n_visible, "v")
        self._hidden(v, self._ones(v), rng, out)

    def sample_visible(self, h: np.ndarray, rng: np.random.Generator, out: np.ndarray) -> None:
        """``out ~ p(v | h)``, written in place; ``h`` (B, M), ``out`` (B, N) float32."""
        self._check(out, self.params.n_visible, "v")
        self._check(h, self.params.n_hidden, "h")
        self._visible(h, self._ones(h), rng, out)

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
        sample and ``v`` the sample drawn from it.

        The density of ``v`` is counted once; every later state's is counted as it is
        drawn. ``W`` must not change during the call (its transpose is copied once).
        """
        self._check(v, self.params.n_visible, "v")
        self._check(h, self.params.n_hidden, "h")
        if int(k) < 1:
            return
        ones_v = self._ones(v)
        self._hold_wt, self._wt_fresh = True, False
        try:
            for _ in range(int(k)):
                ones_h = self._hidden(v, ones_v, rng, h)
                ones_v = self._visible(h, ones_h, rng, v)
        finally:
            self._hold_wt, self._wt_fresh = False, False


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
        np.full((n_chains, n_hidden), 0.5, np.float32), chain_seeds(rng, n_chains), out
    )
    return out
