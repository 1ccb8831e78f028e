# Config validation, paths and input functions shared by every rule file.
import json
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError

sys.path.insert(0, str(Path(workflow.basedir) / "src"))
# Only rbm_reciprocal.pipeline is imported here: parsing the workflow never imports numba.
from rbm_reciprocal.pipeline.config import (  # noqa: E402
    ConfigError,
    checkpoint_epochs_from_config,
    coerce_to_schema,
    load_schema,
    prepare_job_environment,
    select_model,
    validate_config,
)
from rbm_reciprocal.pipeline.runtime import job_runtime_minutes  # noqa: E402
from rbm_reciprocal.pipeline.paths import (  # noqa: E402
    checkpoint_file,
    step_benchmark,
    step_log,
    step_outputs,
    untrained_noise_file,
    untrained_reference_file,
)
from rbm_reciprocal.pipeline.step_settings import final_models  # noqa: E402
from rbm_reciprocal.pipeline.steps import STEPS, job_json  # noqa: E402
from rbm_reciprocal.pipeline.resources import job_mem_mb, job_threads  # noqa: E402
from rbm_reciprocal.pipeline.settings import (  # noqa: E402
    train_settings_from_config,
    training_fingerprint,
)
from rbm_reciprocal.pipeline.step_settings.loglik import (  # noqa: E402
    crosscheck_epochs_from_config,
    loglik_epochs_from_config,
    loglik_method,
    trajectory_epochs_from_config,
)

# The schema's validator with defaults (as snakemake.utils.validate; see validate_config).
# Nested --config values arrive as strings (YAML BaseLoader): read them as the schema's types.
try:
    SCHEMA_FILE = Path(workflow.basedir) / "workflow/schemas/config.schema.yaml"
    config.update(coerce_to_schema(config, load_schema(SCHEMA_FILE)))
    validate_config(config, SCHEMA_FILE)
except ConfigError as exc:  # one readable line instead of the whole schema
    raise WorkflowError(str(exc)) from None

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



# Threads and resources of every job, computed from the config by rbm_reciprocal.pipeline.resources
# (SLURM's --cpus-per-task, --mem and --time; a local run schedules by them).
def rule_threads(rule):
    return job_threads(config, rule)


def rule_mem_mb(rule):
    return lambda w, attempt: job_mem_mb(config, rule, w, attempt)


def rule_runtime(rule):
    return lambda w, threads, attempt: job_runtime_minutes(config, rule, w, threads, attempt)


# What every rule of a step takes from its one declaration (rbm_reciprocal.pipeline.steps
# and .paths): outputs, log and job file, benchmark, threads, resources, and the job itself.
CONDA = "../../envs/rbm.yaml"
# The rule writes its job file beside its log, then runs it (see rbm_reciprocal.pipeline.job).
RUN = (
    "cat > {log.job:q} <<'JOB'\n{params.job}\nJOB\n"
    "python -m rbm_reciprocal run --job {log.job:q} > {log.log:q} 2>&1"
)
# Resumable jobs append to their log: each attempt's lines stay.
RUN_APPEND = RUN.replace("> {log.log:q}", ">> {log.log:q}")


def outputs(step):
    """Named outputs of ``step``; a figure's PNG goes into the report with its caption."""
    out = step_outputs(config, step)
    if STEPS[step].kind == "figure":
        caption = f"../report/{step}.rst"
        out["png"] = report(out["png"], caption=caption, category="Figures", labels={"figure": step})
    return out


def logs(step):
    return step_log(config, step)


def bench(step):
    return step_benchmark(config, step)


def threads_of(step):
    return job_threads(config, step)


def resources_of(step):
    return {
        "mem_mb": lambda w, attempt: job_mem_mb(config, step, w, attempt),
        "runtime": lambda w, threads, attempt: job_runtime_minutes(config, step, w, threads, attempt),
    }


def job(step):
    """``params.job`` of a rule: the job file's JSON (rbm_reciprocal.pipeline.job)."""
    return lambda w, input, output, threads: job_json(config, step, w, input, output, threads)


def config_files():
    """The config files of this run, inputs of the run_parameters job (editing one redoes it)."""
    return [os.path.abspath(f) for f in workflow.configfiles]


def checkpoint_files(method, hidden, replica, epochs=EPOCHS):
    return [checkpoint_file(RES, method, hidden, replica, e) for e in epochs]


def model_selection(section):
    """(method, hidden, replica) of ``config[section].model`` (single-model figures)."""
    try:
        return select_model(config, section)
    except ConfigError as exc:
        raise WorkflowError(str(exc)) from None


def fig4_untrained_sizes():
    """Hidden sizes of Fig. 4's untrained baselines: every model size (each M is compared
    with an untrained init of its own shape) and symmetry.reference.hidden (the paper's
    784 x 500 line)."""
    return sorted(set(HIDDEN) | {int(config["symmetry"]["reference"]["hidden"])})


def named_checkpoint_files(method, hidden, replica):
    """Checkpoints of one run as named outputs (epoch_EEEE: path), as caching requires."""
    return {f"epoch_{e:04d}": checkpoint_file(RES, method, hidden, replica, e) for e in EPOCHS}


def model_files():
    """Checkpoints and metrics table of every trained model, one list per model."""
    return [
        checkpoint_files(meth, m, r) + [f"{RES}/train/{meth}/M{m}/replica{r}/metrics.parquet"]
        for m in HIDDEN
        for meth in METHODS
        for r in REPLICAS
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


def train_replicas_settings_json(w):
    """Settings of every replica of one train_rbm_batched job (a JSON list)."""
    return json.dumps(
        [train_settings_from_config(config, w.method, int(w.hidden), r) for r in REPLICAS]
    )


def batched_train_outputs(method, hidden):
    """Named outputs of one train_rbm_batched job: every replica's checkpoints
    (r{R}_epoch_EEEE) and metrics table (r{R}_metrics), the files of train_rbm's jobs."""
    out = {}
    for r in REPLICAS:
        for name, path in named_checkpoint_files(method, hidden, r).items():
            out[f"r{r}_{name}"] = path
        out[f"r{r}_metrics"] = f"{RES}/train/{method}/M{hidden}/replica{r}/metrics.parquet"
    return out


def random_spectrum_output(name, panel):
    """Output ``name`` of the random_spectrum job of Fig. 3's ``panel`` (a-d)."""
    m = RANDOM_HIDDEN[PANELS.index(panel)]
    n = config["spectra"]["random"]["visible"]
    return expand(rules.random_spectrum.output[name], visible=n, hidden=m)[0]


def last_checkpoints():
    """The last checkpoint of every model, in the order of final_models (Fig. 3f)."""
    return [checkpoint_files(meth, m, r, [EPOCHS[-1]])[0] for m, meth, r in final_models(config)]


# Each rule file appends the stems (figures/<name>) of the figures it renders.
FIGURE_STEMS = []


# Tables that no figure reads but `rule all` should build (appended by rule files).
TABLE_TARGETS = []


def all_targets():
    """Every figure, as PDF and PNG, and the tables of TABLE_TARGETS."""
    figures = [f"{stem}.{ext}" for stem in FIGURE_STEMS for ext in ("pdf", "png")]
    return figures + TABLE_TARGETS


# --- symmetry (issue 5) ---
def rotation_js_models():
    """Model ids of Fig. 4: every trained model's last checkpoint, then the untrained
    reference of every size of fig4_untrained_sizes() (untrained_M{M})."""
    ids = [f"{meth}_M{m}_replica{r}" for m in HIDDEN for meth in METHODS for r in REPLICAS]
    return ids + [f"untrained_M{m}" for m in fig4_untrained_sizes()]


def rotation_js_checkpoint(w):
    if w.model.startswith("untrained_M"):
        return untrained_reference_file(RES, w.model.removeprefix("untrained_M"))
    meth, m, r = w.model.split("_")
    return checkpoint_files(meth, m[1:], r.removeprefix("replica"), [EPOCHS[-1]])[0]


def rotation_js_labels(w):
    if w.model.startswith("untrained_M"):
        return json.dumps({"kind": "untrained", "hidden": int(w.model.removeprefix("untrained_M")),
                           "method": "none", "replica": 0, "epoch": 0})
    meth, m, r = w.model.split("_")
    return json.dumps({"kind": "trained", "hidden": int(m[1:]), "method": meth,
                       "replica": int(r.removeprefix("replica")), "epoch": EPOCHS[-1]})


def symmetry_model_checkpoint():
    method, hidden, replica = model_selection("symmetry")
    return checkpoint_files(method, hidden, replica, [EPOCHS[-1]])[0]


# --- Landau picture (issue 5) ---
def landau_method():
    return config["landau"]["method"] or METHODS[0]


def landau_epochs():
    """Checkpoint epochs of Figs. 7-8 (landau.epochs, default every training checkpoint)."""
    wanted = config["landau"]["epochs"]
    if wanted is None:
        return EPOCHS
    missing = sorted(set(wanted) - set(EPOCHS))
    if missing:
        raise WorkflowError(
            f"landau.epochs {missing} are not training checkpoints; add them to "
            "training.checkpoints.at or change landau.epochs"
        )
    return sorted(wanted)


def landau_previous_checkpoint(w):
    """The checkpoint of the epoch before ``w.epoch`` in landau_epochs() (none for the first):
    its mode 1 orients this one's (Figs. 7-8 signs)."""
    epochs = landau_epochs()
    k = epochs.index(int(w.epoch))
    if k == 0:
        return []
    return checkpoint_files(landau_method(), w.hidden, config["landau"]["replica"], [epochs[k - 1]])


# --- reciprocal space (issue 4) ---
def reciprocal_checkpoint(state):
    """The "trained" (last) checkpoint of reciprocal.model, or its "untrained" counterpart:
    the Normal(0, std^2) reference of the same shape or the epoch-0 checkpoint
    (reciprocal.untrained)."""
    method, hidden, replica = model_selection("reciprocal")
    if state == "untrained" and config["reciprocal"]["untrained"] == "reference":
        return untrained_reference_file(RES, hidden)
    epoch = EPOCHS[0] if state == "untrained" else EPOCHS[-1]
    return checkpoint_files(method, hidden, replica, [epoch])[0]


def kurtosis_tables():
    """Summary and fit tables of every configured Fig. 3e variant."""
    return [
        f"{RES}/spectra/kurtosis_{v}{suffix}.parquet"
        for v in config["spectra"]["kurtosis"]["variants"]
        for suffix in ("", "_fit")
    ]


# --- log-likelihood (issue 3) ---
def loglik_config(fn, *args):
    """``fn(config, *args)`` of rbm_reciprocal.pipeline.step_settings.loglik, its error as a
    workflow error."""
    try:
        return fn(config, *args)
    except ConfigError as exc:
        raise WorkflowError(str(exc)) from None


def loglik_checkpoint(w):
    return checkpoint_files(w.method, w.hidden, w.replica, [int(w.epoch)])[0]


def loglik_trajectory_checkpoints(w):
    path, _ = loglik_config(trajectory_epochs_from_config, EPOCHS)
    return checkpoint_files(w.method, w.hidden, w.replica, path)


def loglik_rows():
    """The job tables of Fig. 1 (left): one per replica (trajectory) or one per
    (method, hidden, replica, loglik epoch) (standard)."""
    models = dict(method=METHODS, hidden=HIDDEN, replica=REPLICAS)
    if loglik_config(loglik_method) == "trajectory":
        return expand(rules.loglik_trajectory.output.table, **models)
    epochs = loglik_config(loglik_epochs_from_config, EPOCHS)
    return expand(rules.loglik.output.table, **models, epoch=[f"{e:04d}" for e in epochs])


def loglik_checks():
    """Crosscheck tables (standard AIS at loglik.crosscheck.epochs) of a trajectory run."""
    epochs = loglik_config(crosscheck_epochs_from_config, EPOCHS)
    return expand(
        rules.loglik_crosscheck.output.table,
        method=METHODS, hidden=HIDDEN, replica=REPLICAS, epoch=[f"{e:04d}" for e in epochs],
    )


# --- claims and diffusion (issue 7) ---
def diffusion_checkpoint(state):
    """Epoch-0 ("untrained") or last ("trained") checkpoint of diffusion.model."""
    method, hidden, replica = model_selection("diffusion")
    epoch = EPOCHS[0] if state == "untrained" else EPOCHS[-1]
    return checkpoint_files(method, hidden, replica, [epoch])[0]


def diffusion_settings_json():
    return json.dumps({k: v for k, v in config["diffusion"].items() if k != "model"})


def alignment_checkpoints():
    """(CLI spec, path) of every checkpoint of every model (claim 7: the trajectory)."""
    items = []
    for m in HIDDEN:
        for meth in METHODS:
            for r in REPLICAS:
                for e in EPOCHS:
                    path = checkpoint_files(meth, m, r, [e])[0]
                    items.append((f"{m}:{meth}:{r}:{e}:{path}", path))
    return items


def claims_inputs(wildcards=None):
    """Named input tables of rule claims (see rbm_reciprocal.claims.table.claims_table)."""
    n = config["spectra"]["random"]["visible"]
    variants = config["spectra"]["kurtosis"]["variants"]
    return {
        "random": [f"{RES}/spectra/random_N{n}_M{m}_values.parquet" for m in RANDOM_HIDDEN],
        "kurtosis": [f"{RES}/spectra/kurtosis_{v}.parquet" for v in variants],
        "kurtosis_fit": [f"{RES}/spectra/kurtosis_{v}_fit.parquet" for v in variants],
        "moments": f"{RES}/claims/uniform_moments.parquet",
        "loglik": f"{RES}/loglik/loglik.parquet",
        "js": f"{RES}/symmetry/fig4_js.parquet",
        "alignment": f"{RES}/claims/pc_alignment.parquet",
        "rotated": f"{RES}/symmetry/rotated_samples.parquet",
        "trajectories": f"{RES}/landau/mode_trajectories.parquet",
        "gap": f"{RES}/spectra/gap.parquet",
        "diffusion_spectrum": f"{RES}/diffusion/spectrum.parquet",
        "diffusion_summary": f"{RES}/diffusion/summary.parquet",
    }
