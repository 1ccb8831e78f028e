"""PyTorch port of trajectory AIS (backend: torch); the estimator of :mod:`.trajectory`."""

from __future__ import annotations

import numpy as np

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.sampling.backend import import_torch
from rbm_reciprocal.sampling.resample import GroupResampler
from rbm_reciprocal.sampling.torch_ais import torch_forward_run
from rbm_reciprocal.sampling.torch_gibbs import to_tensors, torch_seed

torch = import_torch()  # optional extra: `pip install -e .[gpu]`


def torch_forward_temperature_leg(
    params: RBMParams,
    betas: np.ndarray,
    n_chains: int,
    rng: np.random.Generator,
    base_bias: np.ndarray,
    device: str | torch.device = "cpu",
) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`rbm_reciprocal.sampling.trajectory.forward_temperature_leg` on ``device``."""
    run, _ = torch_forward_run(params, betas, n_chains, rng, base_bias, device, end_with_sweep=True)
    return run.v.cpu().numpy(), run.logw.cpu().numpy().astype(np.float64)


def softplus64(x: torch.Tensor) -> torch.Tensor:
    return x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))


def torch_trajectory_interval(
    p_from: RBMParams,
    p_to: RBMParams,
    steps: int,
    v: np.ndarray,
    logw: np.ndarray,
    rng: np.random.Generator,
    resampler: GroupResampler | None = None,
    device: str | torch.device = "cpu",
) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`rbm_reciprocal.sampling.trajectory.trajectory_interval` on ``device``:
    ``steps`` steps of ``theta(t) = (1 - t) p_from + t p_to``, one Gibbs sweep each; the
    weight increments are evaluated in float64 from ``v [W_from | W_to]`` (float32).

    With a ``resampler`` the log-weights are checked on the host after every step (the same
    :class:`~rbm_reciprocal.sampling.resample.GroupResampler` and uniforms from ``rng``);
    resampling is an index gather of the chains on ``device``."""
    dev = torch.device(device)
    if p_from.W.shape != p_to.W.shape:
        raise ConfigError(
            f"trajectory checkpoints must have one shape, got {p_from.W.shape}, {p_to.W.shape}"
        )
    if int(steps) < 1:
        raise ConfigError(f"trajectory AIS needs at least one step per interval, got {steps}")
    w0, a0, b0 = to_tensors(p_from, dev)
    w1, a1, b1 = to_tensors(p_to, dev)
    m = w0.shape[1]
    w01 = torch.cat([w0, w1], dim=1)
    gen = torch.Generator(device=dev)
    gen.manual_seed(torch_seed(rng))
    with torch.no_grad():
        x = torch.tensor(np.asarray(v, np.float32), device=dev)
        lw = torch.tensor(np.asarray(logw, np.float64), device=dev)
        k = int(steps)
        for i in range(1, k + 1):
            t_old, t_new = (i - 1) / k, i / k
            c = x @ w01
            x0 = c[:, :m].double() + b0.double()
            x1 = c[:, m:].double() + b1.double()
            xn = (1.0 - t_new) * x0 + t_new * x1
            xo = (1.0 - t_old) * x0 + t_old * x1
            la = x.double() @ (a1.double() - a0.double())
            lw += (t_new - t_old) * la + (softplus64(xn) - softplus64(xo)).sum(dim=1)
            u = torch.rand(xn.shape, generator=gen, device=dev)
            h = (u < torch.sigmoid(xn.float())).float()
            wt = w0 * (1.0 - t_new) + w1 * t_new
            a_t = a0 * (1.0 - t_new) + a1 * t_new
            p = torch.sigmoid(h @ wt.T + a_t)
            u = torch.rand(p.shape, generator=gen, device=dev)
            x = (u < p).float()
            if resampler is not None:
                lw_host = lw.cpu().numpy().copy()
                idx = resampler.step(lw_host, rng)
                if idx is not None:
                    x = x[torch.from_numpy(idx).to(dev)]
                    lw = torch.from_numpy(lw_host).to(dev)
        return x.cpu().numpy(), lw.cpu().numpy().astype(np.float64)
