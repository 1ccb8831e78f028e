"""Where the workflow puts its files: the folders of ``results/`` and ``figures/``, a training
run's files, and the templates each step declares (:class:`~.step.Step` ``outputs``,
``log``, ``figure``) under the config's folders."""

from __future__ import annotations

from rbm_reciprocal.core.checkpoint import checkpoint_name
from rbm_reciprocal.pipeline.config import checkpoint_epochs_from_config


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


def under(config: dict, template: str) -> str:
    """``template`` (``results/...`` or ``figures/...``) under the config's folders."""
    top, _, rest = template.partition("/")
    root = {"results": config["results_dir"], "figures": config["figures_dir"]}[top]
    return f"{root}/{rest}"


def run_outputs(config: dict, method: str, hidden: int | str, replica: int | str) -> dict[str, str]:
    """The files of one trained model, named: its checkpoints (``epoch_EEEE``, every epoch of
    the config's checkpoint schedule), then its metrics table (``metrics``)."""
    results = config["results_dir"]
    out = {
        f"epoch_{e:04d}": checkpoint_file(results, method, hidden, replica, e)
        for e in checkpoint_epochs_from_config(config)
    }
    out["metrics"] = f"{run_dir(results, method, hidden, replica)}/metrics.parquet"
    return out


def replica_output(replica: int | str, name: str) -> str:
    """The name of output ``name`` of :func:`run_outputs` of ``replica`` among the outputs of
    a train_rbm_batched job (``r{replica}_{name}``)."""
    return f"r{replica}_{name}"


def train_outputs(config: dict) -> dict[str, str]:
    """train_rbm: the files of the model of the job's ``{method}``, ``{hidden}``, ``{replica}``."""
    return run_outputs(config, "{method}", "{hidden}", "{replica}")


def batched_train_outputs(config: dict) -> dict[str, str]:
    """train_rbm_batched: the files of every replica of the job's ``{method}`` and
    ``{hidden}`` (:func:`replica_output` names), the files of train_rbm's jobs."""
    return {
        replica_output(r, name): path
        for r in range(int(config["model"]["replicas"]))
        for name, path in run_outputs(config, "{method}", "{hidden}", r).items()
    }


def imported_model_outputs(config: dict) -> dict[str, str | list[str]]:
    """import_models: the archive's manifest and the files of every model of the config (in
    the order of ``rule all``: hidden size, method, replica)."""
    files = [
        path
        for m in config["model"]["hidden"]
        for meth in config["training"]["methods"]
        for r in range(int(config["model"]["replicas"]))
        for path in run_outputs(config, meth, m, r).values()
    ]
    return {"manifest": under(config, "results/models/manifest.json"), "files": files}
