# Config validation, paths and input functions shared by every rule file.
import json
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

sys.path.insert(0, str(Path(workflow.basedir) / "src"))
from rbm_reciprocal.workflow_config import (  # noqa: E402
    config_error_message,
    checkpoint_epochs_from_config,
    prepare_job_environment,
    train_mem_mb,
    train_settings_from_config,
)

try:
    validate(config, schema="../schemas/config.schema.yaml")
except WorkflowError as exc:  # one readable line instead of the whole schema
    raise WorkflowError(config_error_message(exc)) from None

# Rules run `python -m rbm_reciprocal` from this checkout (see job_environment's docstring).
prepare_job_environment(workflow.basedir)
MNIST_FILES = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
]
RES = config["results_dir"]
FIG = config["figures_dir"]
HIDDEN = [int(m) for m in config["model"]["hidden"]]
METHODS = list(config["training"]["methods"])
REPLICAS = list(range(int(config["model"]["replicas"])))
EPOCHS = checkpoint_epochs_from_config(config)
RANDOM_HIDDEN = [int(m) for m in config["spectra"]["random"]["hidden"]]
PANELS = "abcd"


wildcard_constraints:
    method="|".join(METHODS),
    hidden=r"\d+",
    replica=r"\d+",
    panel="[abcd]",



def checkpoint_files(method, hidden, replica, epochs=EPOCHS):
    return [
        f"{RES}/train/{method}/M{hidden}/replica{replica}/epoch_{e:04d}.npz" for e in epochs
    ]


def final_checkpoints():
    """Every (hidden, method, replica) at its last epoch, as CLI specs and paths."""
    return [
        (m, meth, r, checkpoint_files(meth, m, r, [EPOCHS[-1]])[0])
        for m in HIDDEN
        for meth in METHODS
        for r in REPLICAS
    ]


def train_settings_json(w):
    return json.dumps(
        train_settings_from_config(config, w.method, int(w.hidden), int(w.replica))
    )


def random_spectrum_tables(w):
    m = RANDOM_HIDDEN[PANELS.index(w.panel)]
    n = config["spectra"]["random"]["visible"]
    return [
        f"{RES}/spectra/random_N{n}_M{m}.parquet",
        f"{RES}/spectra/random_N{n}_M{m}_mp.parquet",
    ]


# Each rule file appends the stems (figures/<name>) of the figures it renders.
FIGURE_STEMS = []


def all_targets():
    """Every figure, as PDF and PNG."""
    return [f"{stem}.{ext}" for stem in FIGURE_STEMS for ext in ("pdf", "png")]


# --- symmetry (issue 5) ---
def rotation_js_models():
    """Model ids of Fig. 4: every trained model's last checkpoint, then the untrained one."""
    ids = [f"{meth}_M{m}_replica{r}" for m in HIDDEN for meth in METHODS for r in REPLICAS]
    return ids + ["untrained"]


def rotation_js_checkpoint(w):
    if w.model == "untrained":
        return f"{RES}/symmetry/untrained_reference.npz"
    meth, m, r = w.model.split("_")
    return checkpoint_files(meth, m[1:], r.removeprefix("replica"), [EPOCHS[-1]])[0]


def rotation_js_labels(w):
    if w.model == "untrained":
        ref = config["symmetry"]["reference"]
        return json.dumps({"kind": "untrained", "hidden": ref["hidden"], "method": "none",
                           "replica": 0, "epoch": 0})
    meth, m, r = w.model.split("_")
    return json.dumps({"kind": "trained", "hidden": int(m[1:]), "method": meth,
                       "replica": int(r.removeprefix("replica")), "epoch": EPOCHS[-1]})
