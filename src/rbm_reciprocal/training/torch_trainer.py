"""The trainer on PyTorch tensors (backend: torch)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from rbm_reciprocal.core.rbm import RBMParams
from rbm_reciprocal.sampling.backend import import_torch, require_torch
from rbm_reciprocal.sampling.torch_gibbs import (
    TorchGibbsSampler,
    to_params,
    to_tensors,
    torch_seed,
)
from rbm_reciprocal.training.settings import TrainSettings
from rbm_reciprocal.training.trainer import Trainer

torch = import_torch()  # optional extra: `pip install -e .[gpu]`


class TorchTrainer(Trainer):
    """:class:`~rbm_reciprocal.training.trainer.Trainer` with device tensors for the hot loop.

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

    def bind(
        self,
        tensors: Sequence[torch.Tensor],
        moments: Sequence[Sequence[torch.Tensor]],
        chains: Sequence[torch.Tensor],
        data_t: torch.Tensor,
    ) -> None:
        """Move the state into the given tensors (views of the stacks of a
        :class:`~rbm_reciprocal.training.torch_replicas.TorchReplicaTrainer`): ``tensors``
        ``(W, a, b)``, ``moments`` ``(m, v)`` (three each), ``chains`` ``(v, h)``, and the
        data on the device (shared). Values are copied; later in-place updates are shared."""
        for new, old in zip(
            (*tensors, *moments[0], *moments[1], *chains),
            (*self._tensors, *self.m, *self.v2, self.v_t, self.h_t),
            strict=True,
        ):
            new.copy_(old)
        self.W, self.a, self.b = tensors
        self._tensors = tuple(tensors)
        self.m, self.v2 = list(moments[0]), list(moments[1])
        self.v_t, self.h_t = chains
        self.data_t = data_t
        self.sampler = TorchGibbsSampler(self.W, self.a, self.b, self.v_t.shape[0])

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
            self.start_chains(batch)
            smp.sweeps(v, h, s.gibbs_steps, self.rng)
        else:  # Rdm: random hidden start, then gibbs_steps - 1 full sweeps
            smp.gen.manual_seed(torch_seed(self.rng))
            torch.rand(h.shape, generator=smp.gen, device=self.device, out=h)
            h.copy_(h < 0.5)
            smp._visible(h, v)
            smp.sweeps(v, h, s.gibbs_steps - 1, self.rng)
        return v

    def start_chains(self, batch: np.ndarray) -> None:
        """PCD's first update: start the chains at the batch (or at random data points when
        there are more chains than batch rows); later calls do nothing."""
        if self.chains_started:
            return
        v = self.v_t
        if v.shape[0] <= batch.shape[0]:
            v.copy_(self._batch(batch[: v.shape[0]]))
        else:
            idx = self.rng.integers(0, self.data.shape[0], v.shape[0])
            v.copy_(self.data_t[torch.as_tensor(idx, device=self.device)])
        self.chains_started = True

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

        self.rng.bit_generator.state = json.loads(str(st["rng_state"]))
        self.opt_t = int(st["opt_t"])
        for i in range(3):
            self.m[i].copy_(torch.as_tensor(st[f"opt_m{i}"]))
            if self.s.optimizer.name == "adam":
                self.v2[i].copy_(torch.as_tensor(st[f"opt_v{i}"]))
