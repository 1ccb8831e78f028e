"""PyTorch port of the block Gibbs sampler (backend: torch)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.rbm import RBMParams, prob_v_given_h
from rbm_reciprocal.sampling.backend import import_torch

torch = import_torch()  # optional extra: `pip install -e .[gpu]`


_SEED_HIGH = np.iinfo(np.int64).max


def torch_seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, _SEED_HIGH))


def to_tensors(params: RBMParams, device: torch.device) -> tuple[torch.Tensor, ...]:
    """``(W, a, b)`` as float32 tensors on ``device`` (copies)."""
    return tuple(
        torch.tensor(np.asarray(x, np.float32), device=device)
        for x in (params.W, params.a, params.b)
    )


def to_params(W: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> RBMParams:
    """Numpy :class:`RBMParams` (float32 copies) of device tensors."""
    return RBMParams(*(x.detach().to("cpu").numpy().copy() for x in (W, a, b)))


class TorchGibbsSampler:
    """Block Gibbs sampler on torch tensors, as :class:`rbm_reciprocal.sampling.gibbs.GibbsSampler`.

    Parameters
    ----------
    W, a, b : torch.Tensor
        Weights (N, M), visible bias (N,), hidden bias (M,), float32, one device. Read at
        every call, so in-place updates (training) are seen without a new sampler.
    n_chains : int
        Number of chains B (rows of ``v`` (B, N) and ``h`` (B, M)).
    """

    def __init__(self, W: torch.Tensor, a: torch.Tensor, b: torch.Tensor, n_chains: int) -> None:
        self.W, self.a, self.b = W, a, b
        self.n_chains = int(n_chains)
        self.device = W.device
        n, m = W.shape
        self.gen = torch.Generator(device=self.device)
        self._field_h = torch.empty((self.n_chains, m), device=self.device)
        self._field_v = torch.empty((self.n_chains, n), device=self.device)
        self._u_h = torch.empty_like(self._field_h)
        self._u_v = torch.empty_like(self._field_v)

    @classmethod
    def from_params(
        cls, params: RBMParams, n_chains: int, device: str | torch.device = "cpu"
    ) -> TorchGibbsSampler:
        """A sampler on copies of numpy parameters."""
        return cls(*to_tensors(params, torch.device(device)), n_chains)

    def _bernoulli(self, field: torch.Tensor, u: torch.Tensor, out: torch.Tensor) -> None:
        field.sigmoid_()
        torch.rand(u.shape, generator=self.gen, device=self.device, out=u)
        out.copy_(u < field)

    def sample_hidden(self, v: torch.Tensor, rng: np.random.Generator, out: torch.Tensor) -> None:
        """``out ~ p(h | v)`` in place; ``v`` (B, N), ``out`` (B, M) float32 tensors."""
        self.gen.manual_seed(torch_seed(rng))
        self._hidden(v, out)

    def sample_visible(self, h: torch.Tensor, rng: np.random.Generator, out: torch.Tensor) -> None:
        """``out ~ p(v | h)`` in place; ``h`` (B, M), ``out`` (B, N) float32 tensors."""
        self.gen.manual_seed(torch_seed(rng))
        self._visible(h, out)

    def _hidden(self, v: torch.Tensor, out: torch.Tensor) -> None:
        torch.addmm(self.b, v, self.W, out=self._field_h)
        self._bernoulli(self._field_h, self._u_h, out)

    def _visible(self, h: torch.Tensor, out: torch.Tensor) -> None:
        torch.addmm(self.a, h, self.W.T, out=self._field_v)
        self._bernoulli(self._field_v, self._u_v, out)

    def hidden_probs(self, v: torch.Tensor, out: torch.Tensor) -> None:
        """``out = p(h = 1 | v) = sigmoid(v W + b)`` (mean field), in place."""
        torch.addmm(self.b, v, self.W, out=out)
        out.sigmoid_()

    def visible_probs(self, h: torch.Tensor, out: torch.Tensor) -> None:
        """``out = p(v = 1 | h) = sigmoid(h W^T + a)`` (mean field), in place."""
        torch.addmm(self.a, h, self.W.T, out=out)
        out.sigmoid_()

    def sweeps(self, v: torch.Tensor, h: torch.Tensor, k: int, rng: np.random.Generator) -> None:
        """Run ``k`` sweeps ``v -> h -> v`` in place (one seed drawn from ``rng``); on
        return ``h`` is the last hidden sample and ``v`` the sample drawn from it."""
        if int(k) < 1:
            return
        self.gen.manual_seed(torch_seed(rng))
        for _ in range(int(k)):
            self._hidden(v, h)
            self._visible(h, v)


class TorchReplicaGibbsSampler:
    """Block Gibbs sweeps of ``R`` replicas of one shape at once (batched products).

    One ``baddbmm`` per half-sweep multiplies the ``R`` chain blocks by the ``R`` weight
    matrices, so a device that one replica cannot fill (a GPU at N = 784, M = 500, B = 500)
    runs all of them in one kernel launch. On CPUs the per-replica samplers are as fast, and
    the workflow keeps one job per replica there (``bench/gpu.py --replicas R`` measures both).

    Parameters
    ----------
    W, a, b : torch.Tensor
        Weights (R, N, M), visible biases (R, N), hidden biases (R, M), float32, one device;
        read at every call (in-place updates are seen).
    n_chains : int
        Chains per replica B: ``v`` is (R, B, N), ``h`` (R, B, M).
    """

    def __init__(self, W: torch.Tensor, a: torch.Tensor, b: torch.Tensor, n_chains: int) -> None:
        if W.dim() != 3 or a.shape != W.shape[:2] or b.shape != (W.shape[0], W.shape[2]):
            raise ValueError(
                f"need W (R, N, M), a (R, N), b (R, M); got {tuple(W.shape)}, "
                f"{tuple(a.shape)}, {tuple(b.shape)}"
            )
        self.W, self.a, self.b = W, a, b
        self.n_chains = int(n_chains)
        self.device = W.device
        r, n, m = W.shape
        self.gen = torch.Generator(device=self.device)
        self.gens: list[torch.Generator] = []  # one per replica, made by seed_each
        self._field_h = torch.empty((r, self.n_chains, m), device=self.device)
        self._field_v = torch.empty((r, self.n_chains, n), device=self.device)
        self._u_h = torch.empty_like(self._field_h)
        self._u_v = torch.empty_like(self._field_v)

    @classmethod
    def from_params(
        cls, replicas: list[RBMParams], n_chains: int, device: str | torch.device = "cpu"
    ) -> TorchReplicaGibbsSampler:
        """A sampler on stacked copies of the replicas' numpy parameters (one shape)."""
        dev = torch.device(device)
        stacked = (
            torch.tensor(np.stack([getattr(p, x) for p in replicas]).astype(np.float32), device=dev)
            for x in ("W", "a", "b")
        )
        return cls(*stacked, n_chains)

    def _bernoulli(self, field: torch.Tensor, u: torch.Tensor, out: torch.Tensor) -> None:
        field.sigmoid_()
        torch.rand(u.shape, generator=self.gen, device=self.device, out=u)
        out.copy_(u < field)

    def sweeps(self, v: torch.Tensor, h: torch.Tensor, k: int, rng: np.random.Generator) -> None:
        """``k`` sweeps of every replica in place (one seed drawn from ``rng`` for all)."""
        if int(k) < 1:
            return
        self.gen.manual_seed(torch_seed(rng))
        for _ in range(int(k)):
            torch.baddbmm(self.b[:, None, :], v, self.W, out=self._field_h)
            self._bernoulli(self._field_h, self._u_h, h)
            torch.baddbmm(self.a[:, None, :], h, self.W.transpose(1, 2), out=self._field_v)
            self._bernoulli(self._field_v, self._u_v, v)

    # -- one random stream per replica (training: the draws of R TorchGibbsSamplers) ----
    def seed_each(self, rngs: Sequence[np.random.Generator]) -> None:
        """Seed replica ``r``'s own torch generator with one seed drawn from ``rngs[r]``
        (as :meth:`TorchGibbsSampler.sweeps` seeds its generator)."""
        if len(rngs) != self.W.shape[0]:
            raise ValueError(f"need one generator per replica ({self.W.shape[0]}), got {len(rngs)}")
        if len(self.gens) != len(rngs):
            self.gens = [torch.Generator(device=self.device) for _ in rngs]
        for g, rng in zip(self.gens, rngs, strict=True):
            g.manual_seed(torch_seed(rng))

    def _bernoulli_each(self, field: torch.Tensor, u: torch.Tensor, out: torch.Tensor) -> None:
        field.sigmoid_()
        for r, g in enumerate(self.gens):
            torch.rand(u.shape[1:], generator=g, device=self.device, out=u[r])
        out.copy_(u < field)

    def hidden_each(self, v: torch.Tensor, out: torch.Tensor) -> None:
        """``out ~ p(h | v)`` of every replica, uniforms from the replicas' own generators."""
        torch.baddbmm(self.b[:, None, :], v, self.W, out=self._field_h)
        self._bernoulli_each(self._field_h, self._u_h, out)

    def visible_each(self, h: torch.Tensor, out: torch.Tensor) -> None:
        """``out ~ p(v | h)`` of every replica, uniforms from the replicas' own generators."""
        torch.baddbmm(self.a[:, None, :], h, self.W.transpose(1, 2), out=self._field_v)
        self._bernoulli_each(self._field_v, self._u_v, out)

    def sweeps_each(
        self, v: torch.Tensor, h: torch.Tensor, k: int, rngs: Sequence[np.random.Generator]
    ) -> None:
        """``k`` sweeps of every replica in place, replica ``r`` drawing one seed from
        ``rngs[r]``: the same uniforms as ``R`` :class:`TorchGibbsSampler` run one after
        another (the products are batched; they may round differently from ``addmm``)."""
        if int(k) < 1:
            return
        self.seed_each(rngs)
        for _ in range(int(k)):
            self.hidden_each(v, h)
            self.visible_each(h, v)


def torch_sample_chains(
    params: RBMParams,
    v0: np.ndarray,
    k: int,
    rng: np.random.Generator,
    device: str | torch.device = "cpu",
) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`rbm_reciprocal.sampling.gibbs.sample_chains` on ``device``: ``k`` sweeps from
    ``v0`` (B, N); returns numpy ``(v, h)`` float32."""
    smp = TorchGibbsSampler.from_params(params, len(v0), device)
    v = torch.tensor(np.asarray(v0, np.float32), device=smp.device)
    h = torch.empty((v.shape[0], params.n_hidden), device=smp.device)
    smp.sweeps(v, h, k, rng)
    return v.cpu().numpy(), h.cpu().numpy()


def torch_model_samples(
    params: RBMParams,
    v0: np.ndarray,
    sweeps: int,
    rng: np.random.Generator,
    device: str | torch.device = "cpu",
) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`rbm_reciprocal.sampling.ais.model_samples`: final ``v`` (B, N) float32 and the
    Rao-Blackwellised visible marginals ``mean_b p(v = 1 | h_b)`` (N,) float64."""

    if int(sweeps) < 1:
        raise ConfigError(f"model sampling needs at least one Gibbs sweep, got {sweeps}")
    v, h = torch_sample_chains(params, v0, int(sweeps), rng, device)
    return v, prob_v_given_h(h, params).astype(np.float64).mean(axis=0)
