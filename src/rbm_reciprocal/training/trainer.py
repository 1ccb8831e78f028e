"""Training of Bernoulli RBMs with Rdm-K, CD-K and PCD-K (Sec. 2, Eq. 13a-c).

The gradient of the mean log-likelihood is the data statistics minus the model
statistics (:func:`rbm_reciprocal.core.rbm.sufficient_statistics`): the positive phase uses
exact hidden means on the mini-batch, the negative phase the visible states of Gibbs
chains after ``K`` block sweeps, with hidden means ``p(h|v)``. The chains start

* ``Rdm``: from random hidden states (Bernoulli 1/2) at every update;
* ``CD``:  at the mini-batch's data points;
* ``PCD``: at data for the first update, then persist across updates.

Output layout of one run (``out_dir``)::

    epoch_0000.npz ... epoch_EEEE.npz   W (N, M) float32, a (N,), b (M,), epoch, updates
    metrics.parquet                     one row per epoch (see :data:`METRIC_COLUMNS`)

While a run is in progress everything lives in ``out_dir/.partial/``: the epoch
checkpoints written so far, ``metrics.parquet`` and ``resume.npz`` (parameters,
optimizer moments, chains, generator state, settings). A rerun with the same settings
continues from ``resume.npz`` and produces bit-for-bit the same final parameters as
an uninterrupted run. The final files are moved into ``out_dir`` only at the end, so
a killed run never leaves files that look complete.
"""

from __future__ import annotations

import json

import numpy as np

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.rbm import (
    init_params,
    prob_h_given_v,
    prob_v_given_h,
    sufficient_statistics,
)
from rbm_reciprocal.core.streams import replica_rng
from rbm_reciprocal.sampling.gibbs import GibbsSampler, random_hidden
from rbm_reciprocal.training.optimizers import make_optimizer
from rbm_reciprocal.training.settings import TrainSettings


class Trainer:
    """One training run held in memory: parameters, optimizer, chains and generator.

    The update logic is here; file I/O is in :func:`run_training`.
    """

    def __init__(
        self, data: np.ndarray, settings: TrainSettings, rng: np.random.Generator | None = None
    ) -> None:
        s = settings
        if data.ndim != 2 or data.shape[0] < s.batch_size:
            raise ConfigError(
                f"training data has shape {data.shape}; "
                f"need at least batch_size={s.batch_size} rows"
            )
        self.s = s
        self.data = np.ascontiguousarray(data, dtype=np.float32)
        self.rng = rng if rng is not None else replica_rng(s.seed, s.method, s.hidden, s.replica)
        n = self.data.shape[1]
        i = s.init
        self.params = init_params(
            n,
            s.hidden,
            self.rng,
            weight_std=i.weight_std,
            visible_bias=i.visible_bias,
            hidden_bias=i.hidden_bias,
            bias_std=i.bias_std,
            data_mean=self.data.mean(axis=0),
            logit_clip=i.logit_clip,
        )
        self.opt = make_optimizer(self.params, s.optimizer)
        n_chains = s.batch_size if s.method == "CD" else s.n_chains
        self.sampler = GibbsSampler(self.params, n_chains, s.backend.sparse_density)
        self.v_chain = np.zeros((n_chains, n), np.float32)
        self.h_chain = np.zeros((n_chains, s.hidden), np.float32)
        self.chains_started = False
        self.epoch = 0
        self.updates = 0
        self.monitor = self.data[: min(s.monitor_size, self.data.shape[0])]
        full = self.data.shape[0] // s.batch_size
        if s.updates_per_epoch is not None and not 1 <= s.updates_per_epoch <= full:
            raise ConfigError(
                f"updates_per_epoch={s.updates_per_epoch} needs 1..{full} "
                f"({self.data.shape[0]} images / batch_size {s.batch_size})"
            )
        self.batches_per_epoch = full if s.updates_per_epoch is None else s.updates_per_epoch

    # -- one update -----------------------------------------------------------------
    def negative_samples(self, batch: np.ndarray) -> np.ndarray:
        """Advance the chains per the training scheme; return the visible chain states."""
        s, smp, v, h = self.s, self.sampler, self.v_chain, self.h_chain
        if s.method == "CD":
            v[...] = batch
            smp.sweeps(v, h, s.gibbs_steps, self.rng)
        elif s.method == "PCD":
            if not self.chains_started:
                if v.shape[0] <= batch.shape[0]:
                    v[...] = batch[: v.shape[0]]
                else:
                    v[...] = self.data[self.rng.integers(0, self.data.shape[0], v.shape[0])]
                self.chains_started = True
            smp.sweeps(v, h, s.gibbs_steps, self.rng)
        else:  # Rdm
            h[...] = random_hidden(h.shape[0], h.shape[1], self.rng)
            smp.sample_visible(h, self.rng, v)
            smp.sweeps(v, h, s.gibbs_steps - 1, self.rng)
        return v

    def update(self, batch: np.ndarray) -> None:
        """One parameter update from a mini-batch (B, N) float32 (Eq. 13a-c)."""
        pos = sufficient_statistics(batch, self.params)
        neg = sufficient_statistics(self.negative_samples(batch), self.params)
        grads = [p - q for p, q in zip(pos, neg, strict=True)]
        self.opt.step(self.params, grads)
        self.updates += 1

    def run_epoch(self) -> None:
        """One epoch: ``batches_per_epoch`` mini-batches of a (reshuffled) pass over the data.

        The last partial batch is dropped; ``updates_per_epoch`` may drop more (the authors
        used 119 batches of 500, i.e. 59,500 of the 60,000 images).
        """
        s = self.s
        order = self.rng.permutation(self.data.shape[0]) if s.shuffle else None
        for k in range(self.batches_per_epoch):
            sl = slice(k * s.batch_size, (k + 1) * s.batch_size)
            batch = self.data[order[sl]] if order is not None else self.data[sl]
            self.update(batch)
        self.epoch += 1

    def recon_error(self) -> float:
        """Mean squared error of the mean-field reconstruction of the monitor batch."""

        ph = prob_h_given_v(self.monitor, self.params)
        return float(np.mean((prob_v_given_h(ph, self.params) - self.monitor) ** 2))

    # -- state ----------------------------------------------------------------------
    def state(self) -> dict[str, np.ndarray]:
        """Everything needed to continue bit-for-bit."""
        return {
            "W": self.params.W,
            "a": self.params.a,
            "b": self.params.b,
            "v_chain": self.v_chain,
            "h_chain": self.h_chain,
            "chains_started": np.array(self.chains_started),
            "epoch": np.array(self.epoch),
            "updates": np.array(self.updates),
            "rng_state": np.array(json.dumps(self.rng.bit_generator.state)),
            "fingerprint": np.array(self.s.fingerprint()),
            **self.opt.state(),
        }

    def load_state(self, st: dict[str, np.ndarray]) -> None:
        self.params.W[...] = st["W"]
        self.params.a[...] = st["a"]
        self.params.b[...] = st["b"]
        self.v_chain[...] = st["v_chain"]
        self.h_chain[...] = st["h_chain"]
        self.chains_started = bool(st["chains_started"])
        self.epoch = int(st["epoch"])
        self.updates = int(st["updates"])
        self.rng.bit_generator.state = json.loads(str(st["rng_state"]))
        self.opt.load(st)
