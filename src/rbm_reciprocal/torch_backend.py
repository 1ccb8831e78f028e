"""PyTorch backend of the hot loops: block Gibbs sweeps, the training update, AIS/RAIS.

Selected by the config key ``backend: {name: torch, device: cuda | cpu, dtype: float32}``
(:class:`BackendSettings`); the default ``cpu`` backend (numpy/BLAS + numba,
:mod:`rbm_reciprocal.gibbs`, :mod:`rbm_reciprocal.ais`) needs no torch. Everything outside
the hot loops (analysis, exact partition functions, free energies, I/O) stays numpy.

The maths is that of the numpy path, term by term:

* :class:`TorchGibbsSampler` -- one sweep ``v -> h -> v`` is
  ``h ~ Bernoulli(sigmoid(v W + b))`` then ``v ~ Bernoulli(sigmoid(h W^T + a))`` (Sec. 2),
  as two float32 matrix products (``addmm``), an in-place sigmoid and a comparison with
  uniform numbers from ``torch.rand``.
* :class:`TorchTrainer` -- :class:`rbm_reciprocal.train.Trainer` with parameters, optimizer
  moments and chains kept as device tensors: the gradient is data statistics minus model
  statistics (Eq. 13a-c) and Adam/SGD are the same float32 formulas as
  :class:`~rbm_reciprocal.train.Adam`/:class:`~rbm_reciprocal.train.SGD`. Parameters are
  copied to numpy only at epoch ends (metrics, checkpoints, resume files), so checkpoints
  are the same ``.npz`` format as the CPU backend's and load with
  :func:`rbm_reciprocal.train.load_checkpoint`.
* :func:`torch_ais`, :func:`torch_reverse_ais` -- the estimators of
  :mod:`rbm_reciprocal.ais` (same annealing path, same log-weight split
  ``log p*_beta(v) = a0.v + beta [(a - a0).v + sum_j max(x_j, 0)] + sum_j g(beta x_j)``,
  ``g(z) = log1p(exp(-|z|))``, float32 samples, float64 log-weights, float64 ``g`` at
  ``beta = 0`` and ``1``).

Randomness: every public function takes a ``numpy.random.Generator``, as in the numpy path.
A ``torch.Generator`` on the device is seeded from it (one 63-bit integer per call of
``sample_hidden``/``sample_visible``/``sweeps``/an AIS run), so for a fixed numpy
generator state the results are identical from run to run *on one device and torch
version*; they differ from the numpy backend's samples (another random stream) and between
devices, but have the same distribution. CUDA matrix products may use non-deterministic
reduction orders for some shapes; set ``CUBLAS_WORKSPACE_CONFIG=:4096:8`` and
``torch.use_deterministic_algorithms(True)`` if bit-for-bit GPU reruns matter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .backend import BackendSettings, require_torch
from .errors import ConfigError
from .rbm import RBMParams

try:  # torch is an optional extra: `pip install -e .[gpu]`
    import torch
except ImportError as exc:  # pragma: no cover - exercised where torch is absent
    from .backend import TORCH_MISSING
    from .errors import RBMError

    raise RBMError(TORCH_MISSING) from exc

if TYPE_CHECKING:
    from .ais import AISResult
    from .train import TrainSettings

_SEED_HIGH = np.iinfo(np.int64).max


def _torch_seed(rng: np.random.Generator) -> int:
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


# -- Gibbs sampling ------------------------------------------------------------------


class TorchGibbsSampler:
    """Block Gibbs sampler on torch tensors, as :class:`rbm_reciprocal.gibbs.GibbsSampler`.

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
        self.gen.manual_seed(_torch_seed(rng))
        self._hidden(v, out)

    def sample_visible(self, h: torch.Tensor, rng: np.random.Generator, out: torch.Tensor) -> None:
        """``out ~ p(v | h)`` in place; ``h`` (B, M), ``out`` (B, N) float32 tensors."""
        self.gen.manual_seed(_torch_seed(rng))
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
        self.gen.manual_seed(_torch_seed(rng))
        for _ in range(int(k)):
            self._hidden(v, h)
            self._visible(h, v)


def torch_sample_chains(
    params: RBMParams,
    v0: np.ndarray,
    k: int,
    rng: np.random.Generator,
    device: str | torch.device = "cpu",
) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`rbm_reciprocal.gibbs.sample_chains` on ``device``: ``k`` sweeps from ``v0``
    (B, N); returns numpy ``(v, h)`` float32."""
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
    """As :func:`rbm_reciprocal.ais.model_samples`: final ``v`` (B, N) float32 and the
    Rao-Blackwellised visible marginals ``mean_b p(v = 1 | h_b)`` (N,) float64."""
    from .rbm import prob_v_given_h

    if int(sweeps) < 1:
        raise ConfigError(f"model sampling needs at least one Gibbs sweep, got {sweeps}")
    v, h = torch_sample_chains(params, v0, int(sweeps), rng, device)
    return v, prob_v_given_h(h, params).astype(np.float64).mean(axis=0)


# -- training ------------------------------------------------------------------------


def _make_trainer_class() -> type:
    from .train import Trainer

    class TorchTrainer(Trainer):
        """:class:`~rbm_reciprocal.train.Trainer` with device tensors for the hot loop.

        Initialisation, mini-batch order and the PCD start use the numpy generator exactly
        as the CPU trainer does (same initial parameters for the same settings); the
        Gibbs chains draw from a torch generator seeded from it. ``params`` is a numpy
        copy made on access (epoch ends), ``state()``/``load_state()`` use the CPU
        trainer's keys, so checkpoints and resume files have the same format.
        """

        def __init__(
            self,
            data: np.ndarray,
            settings: TrainSettings,
            rng: np.random.Generator | None = None,
        ) -> None:
            self.device = require_torch(settings.backend)
            self._host: RBMParams | None = None
            self._tensors: tuple[torch.Tensor, ...] | None = None
            super().__init__(data, settings, rng)
            dev = self.device
            self.W, self.a, self.b = to_tensors(self._host, dev)
            self._tensors = (self.W, self.a, self.b)
            self.opt_t = 0
            self.m = [torch.zeros_like(x) for x in self._tensors]
            self.v2 = [torch.zeros_like(x) for x in self._tensors]
            n_chains = self.v_chain.shape[0]
            self.sampler = TorchGibbsSampler(self.W, self.a, self.b, n_chains)
            self.v_t = torch.zeros(self.v_chain.shape, device=dev)
            self.h_t = torch.zeros(self.h_chain.shape, device=dev)
            self.data_t = torch.tensor(self.data, device=dev)

        # ``params`` is read by run_training/metrics at epoch ends: a numpy copy.
        @property
        def params(self) -> RBMParams:  # type: ignore[override]
            if self._tensors is not None:
                return to_params(*self._tensors)
            return self._host

        @params.setter
        def params(self, value: RBMParams) -> None:
            self._host = value

        def _batch(self, batch: np.ndarray) -> torch.Tensor:
            return torch.as_tensor(np.ascontiguousarray(batch, np.float32)).to(self.device)

        def _stats(self, v: torch.Tensor) -> tuple[torch.Tensor, ...]:
            ph = torch.sigmoid(torch.addmm(self.b, v, self.W))
            inv = 1.0 / v.shape[0]
            return (v.T @ ph) * inv, v.mean(dim=0), ph.mean(dim=0)

        def negative_samples(self, batch: np.ndarray) -> torch.Tensor:  # type: ignore[override]
            """Advance the chains (Rdm / CD / PCD); return the visible chain states."""
            s, smp, v, h = self.s, self.sampler, self.v_t, self.h_t
            if s.method == "CD":
                v.copy_(self._batch(batch))
                smp.sweeps(v, h, s.gibbs_steps, self.rng)
            elif s.method == "PCD":
                if not self.chains_started:
                    if v.shape[0] <= batch.shape[0]:
                        v.copy_(self._batch(batch[: v.shape[0]]))
                    else:
                        idx = self.rng.integers(0, self.data.shape[0], v.shape[0])
                        v.copy_(self.data_t[torch.as_tensor(idx, device=self.device)])
                    self.chains_started = True
                smp.sweeps(v, h, s.gibbs_steps, self.rng)
            else:  # Rdm: random hidden start, then gibbs_steps - 1 full sweeps
                smp.gen.manual_seed(_torch_seed(self.rng))
                torch.rand(h.shape, generator=smp.gen, device=self.device, out=h)
                h.copy_(h < 0.5)
                smp._visible(h, v)
                smp.sweeps(v, h, s.gibbs_steps - 1, self.rng)
            return v

        def update(self, batch: np.ndarray) -> None:
            """One parameter update from a mini-batch (B, N) (Eq. 13a-c)."""
            pos = self._stats(self._batch(batch))
            neg = self._stats(self.negative_samples(batch))
            grads = [p - q for p, q in zip(pos, neg, strict=True)]
            self._opt_step(grads)
            self.updates += 1

        def _opt_step(self, grads: Sequence[torch.Tensor]) -> None:
            o = self.s.optimizer
            self.opt_t += 1
            t = self.opt_t
            if o.name == "adam":
                b1, b2 = np.float32(o.beta1), np.float32(o.beta2)
                step = float(np.float32(o.lr * np.sqrt(1 - o.beta2**t) / (1 - o.beta1**t)))
                eps = float(np.float32(o.eps * np.sqrt(1 - o.beta2**t)))
                for p, g, m, v in zip(self._tensors, grads, self.m, self.v2, strict=True):
                    m.mul_(float(b1)).add_(g, alpha=float(1 - b1))
                    v.mul_(float(b2)).addcmul_(g, g, value=float(1 - b2))
                    p.addcdiv_(m, v.sqrt().add_(eps), value=step)
            else:
                for p, g, m in zip(self._tensors, grads, self.m, strict=True):
                    m.mul_(o.momentum).add_(g)
                    p.add_(m, alpha=o.lr)

        def recon_error(self) -> float:
            """Mean squared error of the mean-field reconstruction of the monitor batch."""
            mon = self.data_t[: self.monitor.shape[0]]
            ph = torch.sigmoid(torch.addmm(self.b, mon, self.W))
            pv = torch.sigmoid(torch.addmm(self.a, ph, self.W.T))
            return float(((pv - mon) ** 2).mean())

        def state(self) -> dict[str, np.ndarray]:
            """The CPU trainer's resume state (numpy arrays, same keys)."""
            self.v_chain[...] = self.v_t.cpu().numpy()
            self.h_chain[...] = self.h_t.cpu().numpy()
            st = super().state()
            st["opt_t"] = np.array(self.opt_t)
            for i, m in enumerate(self.m):
                st[f"opt_m{i}"] = m.cpu().numpy()
                if self.s.optimizer.name == "adam":
                    st[f"opt_v{i}"] = self.v2[i].cpu().numpy()
            return st

        def load_state(self, st: dict[str, np.ndarray]) -> None:
            """Restore :meth:`state` (from a resume file)."""
            for x, key in zip(self._tensors, ("W", "a", "b"), strict=True):
                x.copy_(torch.as_tensor(np.asarray(st[key], np.float32)))
            self.v_t.copy_(torch.as_tensor(np.asarray(st["v_chain"], np.float32)))
            self.h_t.copy_(torch.as_tensor(np.asarray(st["h_chain"], np.float32)))
            self.chains_started = bool(st["chains_started"])
            self.epoch = int(st["epoch"])
            self.updates = int(st["updates"])
            import json

            self.rng.bit_generator.state = json.loads(str(st["rng_state"]))
            self.opt_t = int(st["opt_t"])
            for i in range(3):
                self.m[i].copy_(torch.as_tensor(st[f"opt_m{i}"]))
                if self.s.optimizer.name == "adam":
                    self.v2[i].copy_(torch.as_tensor(st[f"opt_v{i}"]))

    return TorchTrainer


_TRAINER_CLASS: type | None = None


def torch_trainer_class() -> type:
    """The :class:`~rbm_reciprocal.train.Trainer` subclass of this backend (built lazily,
    so that importing this module does not import :mod:`rbm_reciprocal.train`)."""
    global _TRAINER_CLASS
    if _TRAINER_CLASS is None:
        _TRAINER_CLASS = _make_trainer_class()
    return _TRAINER_CLASS


# -- AIS -----------------------------------------------------------------------------


def _g32(z: torch.Tensor) -> torch.Tensor:
    """``log1p(exp(-|z|))`` elementwise (the bounded part of softplus)."""
    return torch.log1p(torch.exp(-z.abs()))


class _TorchAnnealer:
    """State and one fused step of an annealing run on a device (see :mod:`.ais`)."""

    def __init__(
        self, params: RBMParams, base_bias: np.ndarray, n_chains: int, device: torch.device
    ) -> None:
        from .ais import checked_base_bias

        n, m = params.W.shape
        base = checked_base_bias(base_bias, n)
        self.device = device
        self.W, self.a, self.b = to_tensors(params, device)
        self.a_base_np = base
        self.a_base = torch.tensor(base, device=device)
        self.adiff = torch.tensor(
            params.a.astype(np.float64) - base.astype(np.float64), device=device
        )
        self.n_chains = int(n_chains)
        self.v = torch.zeros((n_chains, n), device=device)
        self.h = torch.zeros((n_chains, m), device=device)
        self.lin = torch.zeros(n_chains, dtype=torch.float64, device=device)
        self.logw = torch.zeros(n_chains, dtype=torch.float64, device=device)
        self.gen = torch.Generator(device=device)

    def set_visible(self, v: np.ndarray) -> None:
        self.v.copy_(torch.as_tensor(np.asarray(v, np.float32)))
        self.lin = self.v.double() @ self.adiff

    def sample_visible(self, beta: float, d: torch.Tensor | None) -> None:
        """``v ~ p_beta(v | h)`` with ``d = h W^T`` (``None``: the base, beta = 0)."""
        if d is None:
            field = self.a_base.expand_as(self.v).clone()
        else:
            field = (d + self.a) * beta + self.a_base * (1.0 - beta)
        p = torch.sigmoid(field)
        u = torch.rand(p.shape, generator=self.gen, device=self.device)
        self.v.copy_(u < p)
        self.lin = self.v.double() @ self.adiff

    def step(self, beta_new: np.float32, beta_old: np.float32, sample_visible: bool) -> None:
        """``logw += log p*_new(v) - log p*_old(v)``; ``h ~ p_new(h|v)``; ``v ~ p_new(v|h)``."""
        bn, bo = float(beta_new), float(beta_old)
        dbeta = float(np.float64(beta_new) - np.float64(beta_old))
        x = torch.addmm(self.b, self.v, self.W)
        yn = x * bn
        pos = x.clamp(min=0).sum(dim=1, dtype=torch.float64)
        g_new = _g32(x.double() * bn) if bn in (0.0, 1.0) else _g32(yn).double()
        g_old = _g32(x.double() * bo) if bo in (0.0, 1.0) else _g32(x * bo).double()
        self.logw += dbeta * (pos + self.lin) + (g_new - g_old).sum(dim=1)
        u = torch.rand(yn.shape, generator=self.gen, device=self.device)
        self.h.copy_(u < torch.sigmoid(yn))
        if sample_visible:
            self.sample_visible(bn, self.h @ self.W.T)


def _finish(run: _TorchAnnealer, n_hidden: int, n_betas: int, reverse: bool) -> AISResult:
    from .ais import AISResult, base_log_partition, weight_statistics

    logw = run.logw.cpu().numpy().astype(np.float64)
    log_z0 = base_log_partition(run.a_base_np, n_hidden)
    log_mean, se, ess = weight_statistics(logw)
    log_z = log_z0 - log_mean if reverse else log_z0 + log_mean
    return AISResult(log_z, se, ess, logw, log_z0, reverse, int(n_betas))


def torch_ais(
    params: RBMParams,
    betas: np.ndarray,
    n_chains: int,
    rng: np.random.Generator,
    base_bias: np.ndarray,
    device: str | torch.device = "cpu",
) -> AISResult:
    """Forward AIS on ``device``; same arguments and estimator as :func:`rbm_reciprocal.ais.ais`
    (``log Z_hat = log Z_0 + log mean w``)."""
    from .ais import _check_betas

    b32 = _check_betas(betas).astype(np.float32)
    if int(n_chains) < 1:
        raise ConfigError(f"AIS needs at least one chain, got {n_chains}")
    run = _TorchAnnealer(params, base_bias, int(n_chains), torch.device(device))
    run.gen.manual_seed(_torch_seed(rng))
    with torch.no_grad():
        run.sample_visible(0.0, None)
        k_last = b32.size - 1
        for k in range(1, k_last + 1):
            run.step(b32[k], b32[k - 1], sample_visible=k < k_last)
    return _finish(run, params.n_hidden, b32.size, reverse=False)


def torch_reverse_ais(
    params: RBMParams,
    betas: np.ndarray,
    v_start: np.ndarray,
    rng: np.random.Generator,
    base_bias: np.ndarray,
    device: str | torch.device = "cpu",
) -> AISResult:
    """Reverse AIS on ``device``; same arguments and estimator as
    :func:`rbm_reciprocal.ais.reverse_ais` (``log Z_hat = log Z_0 - log mean w_rev``)."""
    from .ais import _check_betas

    b32 = _check_betas(betas).astype(np.float32)
    v_start = np.asarray(v_start)
    if v_start.ndim != 2 or v_start.shape[1] != params.n_visible or v_start.shape[0] < 1:
        raise ConfigError(
            f"reverse AIS start states must have shape (n_chains, {params.n_visible}), "
            f"got {v_start.shape}"
        )
    run = _TorchAnnealer(params, base_bias, v_start.shape[0], torch.device(device))
    run.gen.manual_seed(_torch_seed(rng))
    with torch.no_grad():
        run.set_visible(v_start)
        for k in range(b32.size - 1, 0, -1):
            run.step(b32[k - 1], b32[k], sample_visible=k > 1)
    return _finish(run, params.n_hidden, b32.size, reverse=True)


def loglik_kernels(
    backend: BackendSettings,
) -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
    """``(model_samples, ais, reverse_ais)`` of ``backend``, with the numpy signatures."""
    import functools

    from . import ais as np_ais

    if not backend.is_torch:
        return np_ais.model_samples, np_ais.ais, np_ais.reverse_ais
    dev = require_torch(backend)
    return (
        functools.partial(torch_model_samples, device=dev),
        functools.partial(torch_ais, device=dev),
        functools.partial(torch_reverse_ais, device=dev),
    )
