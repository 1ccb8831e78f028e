"""Where the workflow puts its files: the layout of ``results/`` that rules and README share."""

from __future__ import annotations

from collections.abc import Callable

from rbm_reciprocal.core.checkpoint import checkpoint_name
from rbm_reciprocal.data.idx import MNIST_FILES
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


_RUN = "{method}/M{hidden}/replica{replica}"

#: The named outputs of every step with fixed names: templates under ``results/`` or
#: ``figures/`` (replaced by ``results_dir`` and ``figures_dir``), with Snakemake wildcards.
#: Steps whose files depend on the config (training checkpoints, imported models) have
#: functions instead (:data:`CONFIG_OUTPUTS`).
OUTPUTS: dict[str, dict[str, str]] = {
    "download_mnist": {n.replace("-", "_"): f"results/data/raw/{n}.gz" for n in MNIST_FILES},
    "prepare_mnist": {"data": "results/data/mnist.npz"},
    "loglik": {"table": f"results/loglik/{_RUN}/epoch_{{epoch}}.parquet"},
    "loglik_trajectory": {"table": f"results/loglik/trajectory/{_RUN}.parquet"},
    "loglik_crosscheck": {"table": f"results/loglik/crosscheck/{_RUN}/epoch_{{epoch}}.parquet"},
    "loglik_table": {"table": "results/loglik/loglik.parquet"},
    "random_spectrum": {
        "table": "results/spectra/random_N{visible}_M{hidden}.parquet",
        "curve": "results/spectra/random_N{visible}_M{hidden}_mp.parquet",
        "values": "results/spectra/random_N{visible}_M{hidden}_values.parquet",
    },
    "trained_spectra": {
        "table": "results/spectra/trained.parquet",
        "values": "results/spectra/trained_values.parquet",
    },
    "kurtosis": {
        "summary": "results/spectra/kurtosis_{variant}.parquet",
        "fit": "results/spectra/kurtosis_{variant}_fit.parquet",
        "components": "results/spectra/kurtosis_{variant}_components.parquet",
    },
    "spectral_gap": {"table": "results/spectra/gap.parquet"},
    "landscape_sample": {
        "table": "results/reciprocal/fig1_right.parquet",
        "image": "results/reciprocal/fig1_right_image.parquet",
    },
    "landscape_points": {
        "landscapes": "results/reciprocal/fig2_landscapes.parquet",
        "points": "results/reciprocal/fig2_points.parquet",
    },
    "uniform_projections": {"table": "results/reciprocal/fig5.parquet"},
    "untrained_reference": {
        "checkpoint": "results/reference/untrained_M{hidden}.npz",
        "noise": "results/reference/untrained_M{hidden}_js_noise.parquet",
    },
    "rotation_js": {
        "table": "results/symmetry/js/{model}.parquet",
        "pdfs": "results/symmetry/js/{model}_pdfs.parquet",
    },
    "rotation_js_table": {"table": "results/symmetry/fig4_js.parquet"},
    "rotated_samples": {
        "npz": "results/symmetry/rotated_samples.npz",
        "table": "results/symmetry/rotated_samples.parquet",
    },
    "mode_trajectory": {"table": "results/landau/M{hidden}/epoch_{epoch}.parquet"},
    "mode_trajectory_table": {"table": "results/landau/mode_trajectories.parquet"},
    "uniform_moments": {"table": "results/claims/uniform_moments.parquet"},
    "pc_alignment": {"table": "results/claims/pc_alignment.parquet"},
    "diffusion": {
        "spectrum": "results/diffusion/spectrum.parquet",
        "series": "results/diffusion/series.parquet",
        "summary": "results/diffusion/summary.parquet",
        "final": "results/diffusion/final.parquet",
    },
    "claims": {
        "table": "results/claims.parquet",
        "markdown": "results/claims.md",
        "html": "results/claims.html",
    },
    "run_parameters": {
        "yaml": "results/run_parameters.yaml",
        "html": "results/run_parameters.html",
    },
}

#: The figure of each figure step, a stem under ``figures/`` (``.pdf`` and ``.png``).
FIGURES: dict[str, str] = {
    "fig1_left": "fig1_left",
    "fig1_right": "fig1_right",
    "fig2": "fig2",
    "fig3_mp": "fig3_{panel}",
    "fig3_f": "fig3_f",
    "fig3_e": "fig3_e",
    "fig4": "fig4",
    "fig5": "fig5",
    "fig6": "fig6",
    "fig7_8": "fig{n}",
    "fig_diffusion": "fig_diffusion",
}

#: The log of each step's job, under ``results/logs/`` without ``.log``; the job's file is
#: ``<log>.job.json`` beside it and its benchmark ``results/benchmarks/<step>/<name>.tsv``.
LOGS: dict[str, str] = {
    "download_mnist": "download_mnist",
    "prepare_mnist": "prepare_mnist",
    "train_rbm": "train/{method}_M{hidden}_replica{replica}",
    "train_rbm_batched": "train/{method}_M{hidden}_replicas",
    "import_models": "import_models",
    "loglik": "loglik/{method}_M{hidden}_replica{replica}_epoch{epoch}",
    "loglik_trajectory": "loglik/trajectory_{method}_M{hidden}_replica{replica}",
    "loglik_crosscheck": "loglik/crosscheck_{method}_M{hidden}_replica{replica}_epoch{epoch}",
    "loglik_table": "loglik/loglik_table",
    "random_spectrum": "spectra/random_N{visible}_M{hidden}",
    "trained_spectra": "spectra/trained",
    "kurtosis": "spectra/kurtosis_{variant}",
    "spectral_gap": "spectra/gap",
    "landscape_sample": "reciprocal/fig1_right",
    "landscape_points": "reciprocal/fig2",
    "uniform_projections": "reciprocal/fig5",
    "untrained_reference": "reference/untrained_M{hidden}",
    "rotation_js": "symmetry/js_{model}",
    "rotation_js_table": "symmetry/fig4_js",
    "rotated_samples": "symmetry/rotated_samples",
    "mode_trajectory": "landau/M{hidden}_epoch_{epoch}",
    "mode_trajectory_table": "landau/mode_trajectories",
    "uniform_moments": "claims/uniform_moments",
    "pc_alignment": "claims/pc_alignment",
    "diffusion": "diffusion/diffusion",
    "claims": "claims/claims",
    "run_parameters": "run_parameters",
    **{step: f"figures/{stem}" for step, stem in FIGURES.items()},
}


def under(config: dict, template: str) -> str:
    """``template`` (``results/...`` or ``figures/...``) under the config's folders."""
    top, _, rest = template.partition("/")
    root = {"results": config["results_dir"], "figures": config["figures_dir"]}[top]
    return f"{root}/{rest}"


def step_outputs(config: dict, step: str) -> dict[str, str | list[str]]:
    """Named output patterns of ``step`` (figure steps: ``pdf`` and ``png``)."""
    if step in CONFIG_OUTPUTS:
        return CONFIG_OUTPUTS[step](config)
    if step in FIGURES:
        stem = under(config, f"figures/{FIGURES[step]}")
        return {"pdf": f"{stem}.pdf", "png": f"{stem}.png"}
    return {name: under(config, t) for name, t in OUTPUTS[step].items()}


def step_log(config: dict, step: str) -> dict[str, str]:
    """The log (``log``) and job file (``job``) patterns of ``step``'s jobs."""
    stem = under(config, f"results/logs/{LOGS[step]}")
    return {"log": f"{stem}.log", "job": f"{stem}.job.json"}


def step_benchmark(config: dict, step: str) -> str:
    """Snakemake's benchmark pattern of ``step``'s jobs."""
    name = LOGS[step].rsplit("/", 1)[-1]
    return under(config, f"results/benchmarks/{step}/{name}.tsv")


def run_outputs(
    config: dict, method: str, hidden: int | str, replica: int | str
) -> dict[str, str]:
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


#: Named outputs of the steps whose files depend on the config, by step.
CONFIG_OUTPUTS: dict[str, Callable[[dict], dict]] = {
    "train_rbm": train_outputs,
    "train_rbm_batched": batched_train_outputs,
    "import_models": imported_model_outputs,
}
