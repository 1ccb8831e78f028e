# Config validation, paths and input functions shared by every rule file.
import json
import shlex
import sys
from pathlib import Path

import yaml
from snakemake.exceptions import WorkflowError
from snakemake.sourcecache import LocalSourceFile


# This workflow's checkout: the folder above workflow/rules (this file's folder). Not
# workflow.basedir, the folder of the *main* Snakefile: when another workflow imports this one
# as a module (`module rbm: snakefile: ...`, docs/deploy.md), that is the user's folder.
# None when the module comes from a URL (github(...)): the package rbm_reciprocal must then be
# installed where Snakemake runs (pip install git+https://...).
def workflow_checkout():
    here = workflow.current_basedir
    if isinstance(here, LocalSourceFile):
        return Path(here.path).resolve().parents[1]
    return None


CHECKOUT = workflow_checkout()
# Run as a module: the main Snakefile is another workflow's (neither this checkout's Snakefile
# nor workflow/Snakefile), whose config this one receives.
AS_MODULE = CHECKOUT is None or Path(workflow.basedir).resolve() not in (
    CHECKOUT,
    CHECKOUT / "workflow",
)
if CHECKOUT is not None:
    sys.path.insert(0, str(CHECKOUT / "src"))
try:
    import rbm_reciprocal  # noqa: F401
except ImportError:
    if CHECKOUT is not None:
        raise
    raise WorkflowError(
        "the workflow's package rbm_reciprocal is not importable: this workflow runs as a "
        "module from a URL, so install it where Snakemake runs "
        "(pip install git+https://github.com/<owner>/<repo>@<tag>)"
    ) from None
# Only rbm_reciprocal.pipeline and the steps' declarations (rbm_reciprocal.stages.registry,
# whose stage modules load their science lazily) are imported here: parsing the workflow never
# imports numba, scipy, pandas or matplotlib (tests/test_architecture.py).
from rbm_reciprocal.pipeline.config import (  # noqa: E402
    ConfigError,
    checkpoint_epochs_from_config,
    coerce_to_schema,
    deep_merge,
    load_schema,
    prepare_job_environment,
    select_model,
    validate_config,
)
from rbm_reciprocal.pipeline.fingerprint import (  # noqa: E402
    config_changes,
    fingerprint,
    mismatch_message,
    read_fingerprint,
    write_fingerprint,
)
from rbm_reciprocal.pipeline.runtime import job_runtime_minutes  # noqa: E402
from rbm_reciprocal.pipeline.paths import checkpoint_file, untrained_reference_file  # noqa: E402
from rbm_reciprocal.pipeline.config import final_models  # noqa: E402
from rbm_reciprocal.stages import claims as claims_settings  # noqa: E402
from rbm_reciprocal.stages import landau as landau_settings  # noqa: E402
from rbm_reciprocal.stages import symmetry as symmetry_settings  # noqa: E402
from rbm_reciprocal.stages.registry import (  # noqa: E402
    job_json,
    step_log,
    step_outputs,
)
from rbm_reciprocal.stages.registry import step as declared  # noqa: E402
from rbm_reciprocal.pipeline.resources import job_mem_mb, job_threads  # noqa: E402
from rbm_reciprocal.pipeline.loglik_epochs import (  # noqa: E402
    crosscheck_epochs_from_config,
    loglik_epochs_from_config,
    loglik_method,
    trajectory_epochs_from_config,
)


def checkout_file(path):
    """``path`` (relative to the checkout) as a local file: in this checkout, or fetched from
    the module's URL into Snakemake's source cache."""
    if CHECKOUT is not None:
        return CHECKOUT / path
    return workflow.source_path(f"../../{path}")


# The paper's settings and the config schema.
PAPER_CONFIG = checkout_file("config.yaml")
SCHEMA_FILE = checkout_file("workflow/schemas/config.schema.yaml")
# As a module, this Snakefile's `configfile: "config.yaml"` is skipped (Snakemake gives the
# module the user's config): the user's config is read over the paper's settings, as
# `--configfile config.yaml --configfile theirs.yaml` would be, so it needs only the keys it
# changes (e.g. results_dir). In place: the importing workflow sees the same config.
if AS_MODULE:
    with open(PAPER_CONFIG) as fh:
        config.update(deep_merge(yaml.safe_load(fh), config))

# The schema's validator with defaults (as snakemake.utils.validate; see validate_config).
# Nested --config values arrive as strings (YAML BaseLoader): read them as the schema's types.
try:
    config.update(coerce_to_schema(config, load_schema(SCHEMA_FILE)))
    validate_config(config, SCHEMA_FILE)
except ConfigError as exc:  # one readable line instead of the whole schema
    raise WorkflowError(str(exc)) from None

# Rules run `python -m rbm_reciprocal` from this checkout (see job_environment's docstring).
prepare_job_environment(CHECKOUT)
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


def rerun_command():
    """This run's command without targets: the user's config files and overrides, so that a
    job's hint (a damaged file: `... --force <file>`) reruns with the same settings."""
    cs = workflow.config_settings
    words = ["snakemake", "--cores", "1"]
    for path in cs.configfiles:
        words += ["--configfile", shlex.quote(os.path.relpath(path))]
    overrides = cs.config_args if isinstance(cs.config_args, list | tuple) else []
    if overrides:
        words += ["--config", *(shlex.quote(str(a)) for a in overrides)]
    return " ".join(words)


RERUN = rerun_command()


# A results folder holds the outputs of one config (rbm_reciprocal.pipeline.fingerprint): a
# run, dry run or report with another stops here, unless told to rerun what changed.
def check_fingerprint():
    recorded = read_fingerprint(RES)
    if recorded is None:
        return
    changes = config_changes(recorded, fingerprint(config))
    # the triggers are not known while parsing (dag_settings comes later): read the command
    args = (
        sys.argv[sys.argv.index("--rerun-triggers") + 1 :] if "--rerun-triggers" in sys.argv else []
    )
    told = "params" in args[: next((i for i, a in enumerate(args) if a.startswith("-")), None)]
    if changes and not told:
        raise WorkflowError(mismatch_message(config, changes, RERUN))


check_fingerprint()


onstart:
    write_fingerprint(RES, config)


# What every rule of a step takes from its one declaration (rbm_reciprocal.stages.registry
# and .paths): outputs, log and job file, threads, resources, and the job itself. Every job's
# log ends with its time and peak RSS (python -m rbm_reciprocal run), so rules need no benchmark.
CONDA = "../../envs/rbm.yaml"
# The rule writes its job file beside its log, then runs it (see rbm_reciprocal.pipeline.job);
# a damaged-file hint names this run's command (RBM_RERUN), and when the job fails its
# one-line error is shown in the terminal too, not only in its log.
RUN = (
    "cat > {log.job:q} <<'JOB'\n{params.job}\nJOB\n"
    + f"RBM_RERUN={shlex.quote(RERUN)} ".replace("{", "{{").replace("}", "}}")
    + "python -m rbm_reciprocal run --job {log.job:q} > {log.log:q} 2>&1 "
    "|| {{ grep -h '^error: ' {log.log:q} >&2 || true; exit 1; }}"
)
# Resumable jobs append to their log: each attempt's lines stay.
RUN_APPEND = RUN.replace("> {log.log:q}", ">> {log.log:q}")


def outputs(step):
    """Named outputs of ``step``; a figure's PNG (and the output its Step's ``report`` names)
    goes into the report with its caption (workflow/report/<step>.rst), category and labels.
    A figure's label is its file name (with the step's wildcards: fig3_{panel}, fig{n})."""
    out = step_outputs(config, step)
    caption = f"../report/{step}.rst"
    if declared(step).kind == "figure":
        name = Path(out["png"]).stem
        out["png"] = report(
            out["png"], caption=caption, category="Figures", labels={"figure": name}
        )
    elif declared(step).report:
        name, category, labels = declared(step).report
        out[name] = report(out[name], caption=caption, category=category, labels=labels)
    return out


def logs(step):
    return step_log(config, step)


def threads_of(step):
    return job_threads(config, declared(step))


def resources_of(step):
    return {
        "mem_mb": lambda w, attempt: job_mem_mb(config, declared(step), w, attempt),
        "runtime": lambda w, threads, attempt: job_runtime_minutes(
            config, declared(step), w, threads, attempt
        ),
    }


def job(step, **extra):
    """``params.job`` of a rule: the job file's JSON (rbm_reciprocal.pipeline.job); ``extra``:
    what the step's settings take besides the config (e.g. run_parameters' checkout)."""
    return lambda w, input, output: job_json(config, step, w, input, output, **extra)


def config_files():
    """The config files of this run, inputs of the run_parameters job (editing one redoes it);
    as a module, this checkout's config.yaml (read under the user's config) too."""
    files = [os.path.abspath(f) for f in workflow.configfiles]
    if AS_MODULE and CHECKOUT is not None:
        files.insert(0, str(CHECKOUT / "config.yaml"))
    return files


def checkpoint_files(method, hidden, replica, epochs=EPOCHS):
    return [checkpoint_file(RES, method, hidden, replica, e) for e in epochs]


def model_selection(section):
    """(method, hidden, replica) of ``config[section].model`` (single-model figures)."""
    try:
        return select_model(config, section)
    except ConfigError as exc:
        raise WorkflowError(str(exc)) from None


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


# --- symmetry ---
# Fig. 4: the {model} wildcards of rotation_js, and the hidden sizes of its untrained baselines.
JS_MODELS = symmetry_settings.rotation_js_models(config)
UNTRAINED_SIZES = symmetry_settings.untrained_sizes(config)


def rotation_js_checkpoint(w):
    """The checkpoint of rotation_js's {model}: an untrained reference or a last checkpoint."""
    s = symmetry_settings.rotation_js(config, w)
    if s.kind == "untrained":
        return untrained_reference_file(RES, s.hidden)
    return checkpoint_files(s.method, s.hidden, s.replica, [s.epoch])[0]


def symmetry_model_checkpoint():
    method, hidden, replica = model_selection("symmetry")
    return checkpoint_files(method, hidden, replica, [EPOCHS[-1]])[0]


# --- Landau picture (issue 5) ---
def landau_epochs():
    """Checkpoint epochs of Figs. 7-8 (landau.epochs, default every training checkpoint)."""
    try:
        return landau_settings.landau_epochs(config)
    except ConfigError as exc:
        raise WorkflowError(str(exc)) from None


def landau_epoch_names():
    """The {epoch} wildcards of Figs. 7-8's mode_trajectory jobs."""
    return [f"{e:04d}" for e in landau_epochs()]


def landau_checkpoint(w, epoch=None):
    """The checkpoint of landau.method and landau.replica with w.hidden units at w.epoch."""
    method, replica = landau_settings.landau_method(config), config["landau"]["replica"]
    return checkpoint_file(RES, method, w.hidden, replica, int(w.epoch if epoch is None else epoch))


def landau_previous_checkpoint(w):
    """The checkpoint of the epoch before ``w.epoch`` in landau_epochs() (none for the first):
    its mode 1 orients this one's (Figs. 7-8 signs)."""
    epochs = landau_epochs()
    k = epochs.index(int(w.epoch))
    return [] if k == 0 else [landau_checkpoint(w, epochs[k - 1])]


# --- reciprocal space ---
def reciprocal_checkpoint(state):
    """The "trained" (last) checkpoint of reciprocal.model, or its "untrained" counterpart:
    the Normal(0, std^2) reference of the same shape or the epoch-0 checkpoint
    (reciprocal.untrained)."""
    method, hidden, replica = model_selection("reciprocal")
    if state == "untrained" and config["reciprocal"]["untrained"] == "reference":
        return untrained_reference_file(RES, hidden)
    epoch = EPOCHS[0] if state == "untrained" else EPOCHS[-1]
    return checkpoint_files(method, hidden, replica, [epoch])[0]


# --- log-likelihood (issue 3) ---
def loglik_config(fn, *args):
    """``fn(config, *args)`` of rbm_reciprocal.stages.loglik, its error as a
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
        method=METHODS,
        hidden=HIDDEN,
        replica=REPLICAS,
        epoch=[f"{e:04d}" for e in epochs],
    )


# --- claims and diffusion (issue 7) ---
def diffusion_checkpoint(state):
    """Epoch-0 ("untrained") or last ("trained") checkpoint of diffusion.model."""
    method, hidden, replica = model_selection("diffusion")
    epoch = EPOCHS[0] if state == "untrained" else EPOCHS[-1]
    return checkpoint_files(method, hidden, replica, [epoch])[0]


def alignment_checkpoint_files():
    """Every checkpoint of every model (claim 7), in the order of the pc_alignment settings."""
    return [
        checkpoint_file(RES, meth, m, r, e)
        for m, meth, r, e in claims_settings.alignment_checkpoints(config)
    ]
