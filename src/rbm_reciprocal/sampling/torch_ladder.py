"""PyTorch port of the PTT ladder sweep (backend: torch) of :mod:`.ladder`.

:func:`torch_ladder_sweep` is :func:`rbm_reciprocal.sampling.ladder.ladder_sweep` with the
Gibbs sweeps, the GEMMs (float32) and the free energies of the exchanges (float64) on a torch
device, and its random numbers from a ``torch.Generator`` on that device. The samples follow
the same law as the numpy sweep, not the same stream. :class:`TorchLadderRunner` keeps the
chains and their hidden fields on the device between sweeps and exports them (and the
generator state) as numpy arrays for a saved state.
"""

from __future__ import annotations

import numpy as np

from rbm_reciprocal.sampling.backend import import_torch
from rbm_reciprocal.sampling.ladder import TrajectoryLadder
from rbm_reciprocal.sampling.torch_gibbs import to_tensors
from rbm_reciprocal.sampling.torch_trajectory import softplus64

torch = import_torch()  # optional extra: `pip install -e .[gpu]`


class TorchTrajectoryLadder:
    """The models of a :class:`~rbm_reciprocal.sampling.ladder.TrajectoryLadder` on ``device``.

    All checkpoints are copied to the device once (float32); a rung's weights are formed on
    demand, as on the host.
    """

    def __init__(self, ladder: TrajectoryLadder, device: str | torch.device = "cpu") -> None:
        self.device = torch.device(device)
        self.k, self.s, self.n_rungs = ladder.k, ladder.s, ladder.n_rungs
        self.blocked = ladder.blocked
        self.params = [to_tensors(p, self.device) for p in ladder.params]

    def model(self, i: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(W, a, b)`` of rung ``i`` (float32 tensors; the checkpoint's own at s = 0, 1)."""
        k, s = int(self.k[i]), float(self.s[i])
        if s == 0.0:
            return self.params[k]
        if s == 1.0:
            return self.params[k + 1]
        s32, t32 = np.float32(s).item(), np.float32(1.0 - s).item()
        return tuple(t32 * p + s32 * q for p, q in zip(*self.params[k : k + 2], strict=True))


def _free(v: torch.Tensor, field: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """Free energy ``-a.v - sum_j softplus(field_j)`` of each row (float64)."""
    return -(v.double() @ a.double()) - softplus64(field.double()).sum(1)


def torch_ladder_sweep(
    ladder: TrajectoryLadder | TorchTrajectoryLadder,
    v: torch.Tensor,
    field: torch.Tensor,
    parity: int,
    generator: torch.Generator,
    device: str | torch.device = "cpu",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One PTT sweep on ``device``, as :func:`rbm_reciprocal.sampling.ladder.ladder_sweep`.

    Parameters
    ----------
    ladder : TrajectoryLadder or TorchTrajectoryLadder
        The ladder; a host ladder is copied to ``device`` at every call (use a
        :class:`TorchTrajectoryLadder` or :class:`TorchLadderRunner` for many sweeps).
    v, field : torch.Tensor
        Chains (L, C, N) and their hidden fields (L, C, M), float32 on ``device``, updated in
        place (``field`` holds each rung's fields of its current chains on entry and exit).
    parity : int
        Exchanges are attempted between rungs ``(i, i + 1)`` with ``i % 2 == parity``.
    generator : torch.Generator
        Source of the uniforms, on ``device``.
    device : str or torch.device
        Device of the computation.

    Returns
    -------
    wf, wr : numpy.ndarray
        Works ``w_F``, ``w_R`` (P_pairs, C) float64 of the attempted pairs (in order of
        ``i``), measured before the exchange.
    accepted : numpy.ndarray
        Accepted mask (P_pairs, C), bool.
    """
    dev = torch.device(device)
    if not isinstance(ladder, TorchTrajectoryLadder):
        ladder = TorchTrajectoryLadder(ladder, dev)
    n_rungs, n_chains, n_vis = v.shape
    n_hid = field.shape[2]
    wf, wr, acc = [], [], []

    def rand(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        return torch.rand(shape, generator=generator, device=dev, dtype=dtype)

    def gibbs(i: int, W: torch.Tensor, a: torch.Tensor) -> None:
        h = (rand(n_chains, n_hid) < torch.sigmoid(field[i])).float()
        v[i] = (rand(n_chains, n_vis) < torch.sigmoid(h @ W.T + a)).float()

    with torch.no_grad():
        W0, a0, b0 = ladder.model(0)
        gibbs(0, W0, a0)
        for i in range(n_rungs):
            if i + 1 < n_rungs:
                W1, a1, b1 = ladder.model(i + 1)
                gibbs(i + 1, W1, a1)
            if i + 1 < n_rungs and i % 2 == parity:
                vi, vj = v[i].clone(), v[i + 1].clone()
                own_i, cross_i = vi @ W0 + b0, vi @ W1 + b1
                own_j, cross_j = vj @ W1 + b1, vj @ W0 + b0
                w_f = _free(vi, cross_i, a1) - _free(vi, own_i, a0)
                w_r = _free(vj, cross_j, a0) - _free(vj, own_j, a1)
                swap = torch.log(rand(n_chains, dtype=torch.float64)) < -(w_f + w_r)
                if ladder.blocked[i]:  # a segment cut: the same model twice
                    swap[:] = False
                col = swap[:, None]
                v[i] = torch.where(col, vj, vi)
                v[i + 1] = torch.where(col, vi, vj)
                field[i] = torch.where(col, cross_j, own_i)
                field[i + 1] = torch.where(col, cross_i, own_j)
                wf.append(w_f)
                wr.append(w_r)
                acc.append(swap)
            elif i % 2 != parity and i >= 1:
                pass  # rung i was the upper member of pair (i - 1, i)
            else:  # an end rung without a partner this sweep
                field[i] = v[i] @ W0 + b0
            if i + 1 < n_rungs:
                W0, a0, b0 = W1, a1, b1
    if not wf:
        shape = (0, n_chains)
        return np.empty(shape), np.empty(shape), np.empty(shape, bool)
    host = [torch.stack(x).cpu().numpy() for x in (wf, wr, acc)]
    return host[0], host[1], host[2]


class TorchLadderRunner:
    """The ladder, its chains and its generator held on ``device`` between sweeps.

    Parameters
    ----------
    ladder : TrajectoryLadder
        The host ladder (its checkpoints are copied to ``device``).
    v, field : numpy.ndarray
        Initial chains (L, C, N) and their hidden fields (L, C, M) (copied as float32).
    device : str or torch.device
        Torch device.
    """

    def __init__(
        self,
        ladder: TrajectoryLadder,
        v: np.ndarray,
        field: np.ndarray,
        device: str | torch.device = "cpu",
    ) -> None:
        self.device = torch.device(device)
        self.ladder = TorchTrajectoryLadder(ladder, self.device)
        self.v = torch.tensor(np.asarray(v, np.float32), device=self.device)
        self.field = torch.tensor(np.asarray(field, np.float32), device=self.device)
        self.generator = torch.Generator(device=self.device)

    def seed(self, seed: int) -> None:
        """Seed the device generator."""
        self.generator.manual_seed(int(seed))

    def sweep(self, parity: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One sweep (:func:`torch_ladder_sweep`) of the held chains; ``(wf, wr, accepted)``."""
        return torch_ladder_sweep(
            self.ladder, self.v, self.field, parity, self.generator, self.device
        )

    def export(self) -> tuple[np.ndarray, np.ndarray]:
        """Host copies ``(v, field)`` of the chains and their fields (float32)."""
        return self.v.cpu().numpy().copy(), self.field.cpu().numpy().copy()

    def generator_state(self) -> np.ndarray:
        """The generator's state as a uint8 array (for a saved state)."""
        return self.generator.get_state().cpu().numpy().copy()

    def set_generator_state(self, state: np.ndarray) -> None:
        """Restore the generator from :meth:`generator_state`."""
        self.generator.set_state(torch.from_numpy(np.asarray(state, np.uint8).copy()))
