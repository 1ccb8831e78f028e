"""The settings of each step's jobs, built once from the validated config.

One module per stage. Each holds one frozen dataclass per step (or family of steps) and a
function ``<step>(config, wildcards)`` that builds it; :data:`~rbm_reciprocal.stages.registry.STEPS`
names the function, the rule writes its result into the job file
(:mod:`rbm_reciprocal.pipeline.job`), and the stage rebuilds the dataclass with
``Settings(**job.settings)``. Every value comes from the config, whose defaults are the
schema's (``workflow/schemas/config.schema.yaml``): no default lives here.
"""

from __future__ import annotations

from rbm_reciprocal.pipeline.config import checkpoint_epochs_from_config


def final_models(config: dict) -> list[tuple[int, str, int]]:
    """(hidden, method, replica) of every trained model, in the order of the tables."""
    return [
        (int(m), str(meth), r)
        for m in config["model"]["hidden"]
        for meth in config["training"]["methods"]
        for r in range(int(config["model"]["replicas"]))
    ]


def last_epoch(config: dict) -> int:
    """The last training checkpoint (the "trained" model of the analyses)."""
    return int(checkpoint_epochs_from_config(config)[-1])
