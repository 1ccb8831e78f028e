"""The replicas of one job on PyTorch with batched Gibbs sweeps (backend: torch).

Parameters, optimizer moments and chains of the ``R`` replicas are stacked on the device
(``W`` is (R, N, M)); every replica's :class:`~rbm_reciprocal.training.torch_trainer.TorchTrainer`
keeps working on its slice (views), so its statistics, optimizer step, checkpoints and
resume state are the per-replica ones. Only the ``K`` sweeps of an update run batched:
one :class:`~rbm_reciprocal.sampling.torch_gibbs.TorchReplicaGibbsSampler` ``baddbmm`` per
half-sweep for all replicas, each replica drawing its uniforms from its own torch
generator seeded from its own stream, as in a job of its own. Results equal the
per-replica runs up to the rounding of ``baddbmm`` vs ``addmm`` (a Bernoulli draw flips
only where a uniform lies within that rounding of its probability).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from rbm_reciprocal.sampling.backend import import_torch
from rbm_reciprocal.sampling.torch_gibbs import TorchReplicaGibbsSampler
from rbm_reciprocal.training.replicas import ReplicaGroup, check_replica_settings
from rbm_reciprocal.training.settings import TrainSettings
from rbm_reciprocal.training.torch_trainer import TorchTrainer

torch = import_torch()  # optional extra: `pip install -e .[gpu]`


class TorchReplicaTrainer(ReplicaGroup):
    """The replicas of one job on one torch device, their sweeps batched.

    Parameters
    ----------
    data : ndarray, shape (n, N)
        Training images (one float32 copy, shared by the replicas, also on the device).
    settings : sequence of TrainSettings
        One per replica, equal but for ``replica`` (see
        :func:`~rbm_reciprocal.training.replicas.check_replica_settings`).
    """

    batched = True

    def __init__(self, data: np.ndarray, settings: Sequence[TrainSettings]) -> None:
        check_replica_settings(settings)
        data = np.ascontiguousarray(data, np.float32)
        trainers = [TorchTrainer(data, s) for s in settings]
        super().__init__(trainers)
        first = trainers[0]

        def empty_stack(get: str, i: int | None = None) -> torch.Tensor:
            xs = [getattr(t, get) if i is None else getattr(t, get)[i] for t in trainers]
            return torch.empty((len(xs), *xs[0].shape), device=first.device)

        self.W, self.a, self.b = (empty_stack("_tensors", i) for i in range(3))
        m = [empty_stack("m", i) for i in range(3)]
        v2 = [empty_stack("v2", i) for i in range(3)]
        self.V, self.H = empty_stack("v_t"), empty_stack("h_t")
        for r, t in enumerate(trainers):
            t.bind(
                (self.W[r], self.a[r], self.b[r]),
                ([x[r] for x in m], [x[r] for x in v2]),
                (self.V[r], self.H[r]),
                first.data_t,
            )
        self.sampler = TorchReplicaGibbsSampler(self.W, self.a, self.b, self.V.shape[1])

    def run_epoch(self, indices: Sequence[int]) -> list[float]:
        """One epoch of the replicas at ``indices``: batched when that is all of them (each
        gets the shared wall seconds), else one after another (a resumed job whose replicas
        stopped at different epochs catches up so)."""
        if sorted(indices) != list(range(len(self.trainers))):
            return super().run_epoch(indices)
        start = time.perf_counter()
        self._batched_epoch()
        if self.W.device.type == "cuda":
            torch.cuda.synchronize(self.W.device)
        return [time.perf_counter() - start] * len(self.trainers)

    def _batched_epoch(self) -> None:
        """As :meth:`Trainer.run_epoch` for every replica, each drawing its data order from
        its own stream."""
        ts = self.trainers
        s = ts[0].s
        orders = [t.rng.permutation(t.data.shape[0]) if s.shuffle else None for t in ts]
        for k in range(ts[0].batches_per_epoch):
            sl = slice(k * s.batch_size, (k + 1) * s.batch_size)
            batches = [
                t.data[o[sl]] if o is not None else t.data[sl]
                for t, o in zip(ts, orders, strict=True)
            ]
            self.update(batches)
        for t in ts:
            t.epoch += 1

    def update(self, batches: Sequence[np.ndarray]) -> None:
        """One parameter update of every replica (:meth:`TorchTrainer.update`, sweeps batched)."""
        ts = self.trainers
        pos = [t._stats(t._batch(b)) for t, b in zip(ts, batches, strict=True)]
        self._negative_samples(batches)
        for t, p in zip(ts, pos, strict=True):
            neg = t._stats(t.v_t)
            t._opt_step([x - y for x, y in zip(p, neg, strict=True)])
            t.updates += 1

    def _negative_samples(self, batches: Sequence[np.ndarray]) -> None:
        """:meth:`TorchTrainer.negative_samples` of every replica into the stacked chains."""
        ts, smp, V, H = self.trainers, self.sampler, self.V, self.H
        s = ts[0].s
        rngs = [t.rng for t in ts]
        if s.method == "CD":
            for t, b in zip(ts, batches, strict=True):
                t.v_t.copy_(t._batch(b))
            smp.sweeps_each(V, H, s.gibbs_steps, rngs)
        elif s.method == "PCD":
            for t, b in zip(ts, batches, strict=True):
                t.start_chains(b)
            smp.sweeps_each(V, H, s.gibbs_steps, rngs)
        else:  # Rdm: random hidden start, then gibbs_steps - 1 full sweeps
            smp.seed_each(rngs)
            for r, g in enumerate(smp.gens):
                torch.rand(H.shape[1:], generator=g, device=H.device, out=H[r])
            H.copy_(H < 0.5)
            smp.visible_each(H, V)
            smp.sweeps_each(V, H, s.gibbs_steps - 1, rngs)
