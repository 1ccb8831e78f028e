"""The replicas of one hidden size trained in one job (``training.batch_replicas``).

A :class:`ReplicaGroup` holds one trainer per replica, each with its own settings and its
own random stream (:func:`~rbm_reciprocal.core.streams.replica_rng`), so each replica gets
the initialisation, data order and chains it gets in a job of its own. The numpy/numba
group runs the replicas' epochs one after another (bit-for-bit the per-replica runs); the
torch group (:class:`~rbm_reciprocal.training.torch_replicas.TorchReplicaTrainer`) batches
their Gibbs sweeps.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.training.settings import TrainSettings
from rbm_reciprocal.training.trainer import Trainer


def check_replica_settings(settings: Sequence[TrainSettings]) -> None:
    """Check that ``settings`` are distinct replicas of one run: equal but for ``replica``.

    Raises
    ------
    ConfigError
        If there are none, two share a replica number, or another setting differs.
    """
    if not settings:
        raise ConfigError("training replicas in one job needs at least one replica")
    replicas = [s.replica for s in settings]
    if len(set(replicas)) != len(replicas):
        raise ConfigError(f"replicas of one job must be distinct, got {replicas}")
    ref = {k: v for k, v in settings[0].to_dict().items() if k != "replica"}
    for s in settings[1:]:
        d = {k: v for k, v in s.to_dict().items() if k != "replica"}
        diff = sorted(k for k in ref if ref[k] != d[k])
        if diff:
            raise ConfigError(
                f"replicas {settings[0].replica} and {s.replica} differ in {diff}; "
                "one job trains replicas of one method and hidden size only"
            )


class ReplicaGroup:
    """Trainers of the replicas of one job; :meth:`run_epoch` advances some of them.

    Parameters
    ----------
    trainers : sequence of Trainer
        One per replica, in the job's replica order.
    """

    #: Whether an epoch of every replica runs as one batched computation.
    batched = False

    def __init__(self, trainers: Sequence[Trainer]) -> None:
        self.trainers = list(trainers)

    def run_epoch(self, indices: Sequence[int]) -> list[float]:
        """One epoch of the trainers at ``indices``; returns each one's wall seconds."""
        seconds = []
        for i in indices:
            t0 = time.perf_counter()
            self.trainers[i].run_epoch()
            seconds.append(time.perf_counter() - t0)
        return seconds
