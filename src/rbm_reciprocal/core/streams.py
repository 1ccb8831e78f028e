"""Every random stream of the workflow: one recipe, owned here.

A stream is ``default_rng(SeedSequence([seed, *tags]))`` where the master ``seed`` is the
config's ``seed`` and each tag is an int, or a string entered as its ``zlib.crc32`` (so
``stream(seed, "loglik", "PCD", 500, 0, 10)`` is ``[seed, crc32(b"loglik"), crc32(b"PCD"),
500, 0, 10]``). Every job derives its own streams from its own tags, so each job is
reproducible on its own and independent of the others, whatever runs before or beside it.

The integer tags below (``ROTATION_JS`` ...) are the trailing entropy words that the first
releases of the workflow used for these streams; they are kept so results stay bit-identical.
"""

from __future__ import annotations

import zlib

import numpy as np

#: Trailing tag of the Fig. 4 random rotations of one model (after ``*W.shape``).
ROTATION_JS = 4
#: Trailing tag of the Fig. 6 rotated-sample chains (after ``*W.shape``).
ROTATED_SAMPLES = 6
#: Trailing tag of the Figs. 7-8 Monte-Carlo states of one checkpoint (after shape, epoch).
LANDAU = 7
#: Trailing tag of the untrained Normal(0, std^2) reference model (after N, M).
UNTRAINED_REFERENCE = 40

Tag = int | str


def entropy(seed: int, *tags: Tag) -> list[int]:
    """The entropy words ``[seed, *tags]`` of a stream (strings as their crc32)."""
    return [int(seed), *(zlib.crc32(t.encode()) if isinstance(t, str) else int(t) for t in tags)]


def seed_sequence(seed: int, *tags: Tag) -> np.random.SeedSequence:
    """The :class:`numpy.random.SeedSequence` of ``(seed, *tags)``."""
    return np.random.SeedSequence(entropy(seed, *tags))


def stream(seed: int, *tags: Tag) -> np.random.Generator:
    """The generator of ``(seed, *tags)`` (PCG64)."""
    return np.random.default_rng(seed_sequence(seed, *tags))


def spawn(seed: int, *tags: Tag, n: int) -> list[np.random.Generator]:
    """``n`` independent generators spawned from the stream of ``(seed, *tags)``."""
    return [np.random.default_rng(s) for s in seed_sequence(seed, *tags).spawn(n)]


def seed_int(seed: int, *tags: Tag) -> int:
    """One 32-bit integer seed drawn from ``(seed, *tags)`` (for code that takes an int)."""
    return int(seed_sequence(seed, *tags).generate_state(1)[0])


def replica_rng(seed: int, method: str, hidden: int, replica: int) -> np.random.Generator:
    """Stream of one training run: ``(seed, method, hidden, replica)``."""
    return stream(seed, method, int(hidden), int(replica))


def loglik_rng(
    seed: int, method: str, hidden: int, replica: int, epoch: int
) -> list[np.random.Generator]:
    """Three independent streams (model samples, AIS, reverse AIS) of one log-likelihood job:
    spawned from ``(seed, "loglik", method, hidden, replica, epoch)``."""
    return spawn(seed, "loglik", method, int(hidden), int(replica), int(epoch), n=3)


def trajectory_rng(seed: int, method: str, hidden: int, replica: int) -> list[np.random.Generator]:
    """Three independent streams (model samples, forward pass, reverse pass) of one
    trajectory-AIS job: spawned from ``(seed, "loglik-trajectory", method, hidden, replica)``."""
    return spawn(seed, "loglik-trajectory", method, int(hidden), int(replica), n=3)
