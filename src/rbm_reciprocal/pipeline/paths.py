"""Where the workflow puts its files: the layout of ``results/`` that rules and README share."""

from __future__ import annotations

from rbm_reciprocal.core.checkpoint import checkpoint_name


def run_dir(results: str, method: str, hidden: int | str, replica: int | str) -> str:
    """Folder of one training run: ``{results}/train/{method}/M{hidden}/replica{replica}``."""
    return f"{results}/train/{method}/M{hidden}/replica{replica}"


def checkpoint_file(
    results: str, method: str, hidden: int | str, replica: int | str, epoch: int
) -> str:
    """Checkpoint of one run at ``epoch`` (file name from :mod:`rbm_reciprocal.core.checkpoint`)."""
    return f"{run_dir(results, method, hidden, replica)}/{checkpoint_name(epoch)}"


def untrained_reference_file(results: str, hidden: int | str) -> str:
    """The untrained Normal(0, std^2) reference model with ``hidden`` hidden units."""
    return f"{results}/reference/untrained_M{hidden}.npz"


def untrained_noise_file(results: str, hidden: int | str) -> str:
    """JS divergence of two independent untrained references of that shape (noise level)."""
    return f"{results}/reference/untrained_M{hidden}_js_noise.parquet"
