"""PyTorch port of AIS and reverse AIS (backend: torch)."""

from __future__ import annotations

import numpy as np

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.sampling.ais import (
    AISResult,
    base_log_partition,
    checked_base_bias,
    weight_statistics,
)
from rbm_reciprocal.sampling.backend import import_torch
from rbm_reciprocal.sampling.schedules import check_betas
from rbm_reciprocal.sampling.torch_gibbs import to_tensors, torch_seed

torch = import_torch()  # optional extra: `pip install -e .[gpu]`


def _g32(z: torch.Tensor) -> torch.Tensor:
    """``log1p(exp(-|z|))`` elementwise (the bounded part of softplus)."""
    return torch.log1p(torch.exp(-z.abs()))


class _TorchAnnealer:
    """State and one fused step of an annealing run on a device (see :mod:`.ais`)."""

    def __init__(
        self, params: RBMParams, base_bias: np.ndarray, n_chains: int, device: torch.device
    ) -> None:

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
    logw = run.logw.cpu().numpy().astype(np.float64)
    log_z0 = base_log_partition(run.a_base_np, n_hidden)
    log_mean, se, ess = weight_statistics(logw)
    log_z = log_z0 - log_mean if reverse else log_z0 + log_mean
    return AISResult(log_z, se, ess, logw, log_z0, reverse, int(n_betas))


def torch_forward_run(
    params: RBMParams,
    betas: np.ndarray,
    n_chains: int,
    rng: np.random.Generator,
    base_bias: np.ndarray,
    device: str | torch.device,
    end_with_sweep: bool,
) -> tuple[_TorchAnnealer, np.ndarray]:
    """The forward pass of :func:`torch_ais` on ``device``, as
    :func:`rbm_reciprocal.sampling.ais.forward_run` (``end_with_sweep``: also draw the last
    visible states, for the temperature leg of trajectory AIS)."""
    b32 = check_betas(betas).astype(np.float32)
    if int(n_chains) < 1:
        raise ConfigError(f"AIS needs at least one chain, got {n_chains}")
    run = _TorchAnnealer(params, base_bias, int(n_chains), torch.device(device))
    run.gen.manual_seed(torch_seed(rng))
    with torch.no_grad():
        run.sample_visible(0.0, None)
        k_last = b32.size - 1
        for k in range(1, k_last + 1):
            run.step(b32[k], b32[k - 1], sample_visible=end_with_sweep or k < k_last)
    return run, b32


def torch_ais(
    params: RBMParams,
    betas: np.ndarray,
    n_chains: int,
    rng: np.random.Generator,
    base_bias: np.ndarray,
    device: str | torch.device = "cpu",
) -> AISResult:
    """Forward AIS on ``device``; same arguments and estimator as
    :func:`rbm_reciprocal.sampling.ais.ais` (``log Z_hat = log Z_0 + log mean w``)."""

    run, b32 = torch_forward_run(
        params, betas, n_chains, rng, base_bias, device, end_with_sweep=False
    )
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
    :func:`rbm_reciprocal.sampling.ais.reverse_ais` (``log Z_hat = log Z_0 - log mean w_rev``)."""

    b32 = check_betas(betas).astype(np.float32)
    v_start = np.asarray(v_start)
    if v_start.ndim != 2 or v_start.shape[1] != params.n_visible or v_start.shape[0] < 1:
        raise ConfigError(
            f"reverse AIS start states must have shape (n_chains, {params.n_visible}), "
            f"got {v_start.shape}"
        )
    run = _TorchAnnealer(params, base_bias, v_start.shape[0], torch.device(device))
    run.gen.manual_seed(torch_seed(rng))
    with torch.no_grad():
        run.set_visible(v_start)
        for k in range(b32.size - 1, 0, -1):
            run.step(b32[k - 1], b32[k], sample_visible=k > 1)
    return _finish(run, params.n_hidden, b32.size, reverse=True)
