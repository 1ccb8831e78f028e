"""The workflow config: loading, merging, schema validation and the layout of its sections.

The schema ``workflow/schemas/config.schema.yaml`` holds every key's type and default; a config
is only used after :func:`load_config` (or Snakemake's ``validate``) has filled them, so no
module repeats a default. Translations of a validated config into the settings of one job are
declared with each step, in its stage module (:mod:`rbm_reciprocal.stages`).
"""

from __future__ import annotations

import copy
import importlib.util
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.training.settings import checkpoint_epochs

#: The JSON schema of the config (types, descriptions and every default).
SCHEMA = Path(__file__).resolve().parents[3] / "workflow" / "schemas" / "config.schema.yaml"


def deep_merge(base: dict, override: dict) -> dict:
    """``override`` merged into a copy of ``base``: dicts recursively, other values replaced."""
    out = copy.deepcopy(base)
    for k, v in override.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def load_config(paths: Sequence[str | Path], schema: str | Path = SCHEMA) -> dict:
    """Merge YAML config files as Snakemake does and fill the schema's defaults.

    Later files override earlier ones, nested dicts are merged key by key. With a
    ``schema``, the result is validated by :func:`snakemake.utils.validate`, which also
    fills every missing key with its default, exactly as in the workflow.

    Raises
    ------
    ConfigError
        A file or the schema is missing, a file is not a mapping, or the merged config
        fails the schema.
    """
    config: dict = {}
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"config file {path} not found")
        loaded = yaml.safe_load(path.read_text()) or {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"config file {path} is not a mapping of keys to values")
        config = deep_merge(config, loaded)
    return validate_config(config, schema)


def load_schema(schema: str | Path = SCHEMA) -> dict:
    """The config schema as a dict.

    Raises
    ------
    ConfigError
        If the schema file is missing.
    """
    if not Path(schema).is_file():
        raise ConfigError(f"config schema {schema} not found: cannot validate the config")
    with open(schema) as fh:
        return yaml.safe_load(fh)


_NULL = {"null", "~", "none", ""}
_BOOL = {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}
_INT = re.compile(r"[-+]?\d+\Z")
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\Z")


def _types(schema: Mapping) -> list[str]:
    t = schema.get("type", [])
    return [t] if isinstance(t, str) else list(t)


def _coerce_scalar(value: Any, types: list[str]) -> Any:
    """``value`` as the first of ``types`` it can be read as, else unchanged."""
    if isinstance(value, str):
        text = value.strip()
        if "null" in types and text in ("null", "~"):
            return None  # YAML's null, also where a string is allowed
        if not types or "string" in types:
            return value  # a genuine string stays a string
        if "null" in types and text.lower() in _NULL:
            return None
        if "boolean" in types and text.lower() in _BOOL:
            return _BOOL[text.lower()]
        if "integer" in types and _INT.match(text):
            return int(text)
        if "number" in types and _NUMBER.match(text):
            number = float(text)
            return int(number) if "integer" in types and number.is_integer() else number
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and types == ["string"]:
        return str(value)  # a top-level --config key=2024 where a name is expected
    return value


def coerce_to_schema(config: Any, schema: Mapping) -> Any:
    """A copy of ``config`` with strings read as the types the schema declares.

    Snakemake parses nested ``--config`` values with YAML's ``BaseLoader``, so
    ``--config 'training={"epochs":3}'`` gives the string ``'3'``. Walking the schema
    (``properties``, ``additionalProperties``, ``items``), a string where the schema
    declares no ``string`` type is read as ``null``, a boolean, an integer or a number, the
    first of the declared types it matches; a value that matches none is left for the
    validator to report. A string where ``string`` is allowed is never changed (but for
    YAML's ``null`` and ``~`` where ``null`` is allowed too), and a
    number where only ``string`` is allowed becomes its text (``--config figures_dir=2024``).

    Parameters
    ----------
    config : Any
        The merged config (or a part of it).
    schema : Mapping
        The JSON schema (or the sub-schema of that part).

    Returns
    -------
    Any
        The coerced copy; ``config`` itself is not modified.
    """
    types = _types(schema)
    if isinstance(config, dict):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        out = {}
        for key, value in config.items():
            sub = props.get(key, extra if isinstance(extra, Mapping) else {})
            out[key] = coerce_to_schema(value, sub)
        return out
    if isinstance(config, list):
        items = schema.get("items", {})
        return [coerce_to_schema(v, items if isinstance(items, Mapping) else {}) for v in config]
    return _coerce_scalar(config, types)


def _validator_with_defaults(schema: dict) -> jsonschema.protocols.Validator:
    """Draft 2020-12 validator that fills ``default`` values, as ``snakemake.utils.validate``
    with ``set_default=True`` (the recipe of the jsonschema FAQ)."""
    base = jsonschema.Draft202012Validator
    check_properties = base.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, subschema):  # noqa: ANN001
        for name, sub in properties.items():
            if "default" in sub and isinstance(instance, dict):
                instance.setdefault(name, copy.deepcopy(sub["default"]))
        yield from check_properties(validator, properties, instance, subschema)

    return jsonschema.validators.extend(base, {"properties": set_defaults})(schema)


def validate_config(config: dict, schema: str | Path = SCHEMA) -> dict:
    """Validate ``config`` in place against the JSON schema and fill every default.

    The same validator and defaults as ``snakemake.utils.validate(config, schema)`` (which
    the tests check), without its import of pandas, so that parsing the workflow stays light.
    ``workflow/rules/common.smk`` and :func:`load_config` both call it.

    Raises
    ------
    ConfigError
        If the schema is missing, or one line naming the first key that fails it.
    """
    schema_doc = load_schema(schema)
    errors = _validator_with_defaults(schema_doc).iter_errors(config)
    error = jsonschema.exceptions.best_match(errors)
    if error is not None:
        raise ConfigError(config_error_message(error))
    check_consistency(config)
    return config


def check_consistency(config: dict) -> None:
    """Checks across keys that the schema cannot state, so that a config that would fail
    in a job (or silently misbehave) stops at planning, with one line.

    Raises
    ------
    ConfigError
        If ``data.n_train`` is smaller than a method's ``batch_size`` (no full batch per
        epoch), or ``backend.name`` is ``torch`` and PyTorch is not importable.
    """
    n_train = config["data"]["n_train"]
    for method in config["training"]["methods"]:
        batch = int(method_training_config(config, method)["batch_size"])
        if n_train is not None and int(n_train) < batch:
            raise ConfigError(
                f"data.n_train {n_train} is smaller than the batch size {batch} of {method}: "
                "every epoch needs at least one full batch; raise data.n_train or lower "
                "training.batch_size"
            )
    if config["backend"]["name"] == "torch" and importlib.util.find_spec("torch") is None:
        raise ConfigError(
            "backend.name is torch but PyTorch is not installed in this environment; "
            "install it (make torch-cpu, or the build for your GPU from pytorch.org) or set "
            "backend: {name: cpu}"
        )


def config_error_message(exc: BaseException) -> str:
    """Short message for a config that fails the JSON schema: where, and what is wrong.

    ``snakemake.utils.validate`` wraps a ``jsonschema.ValidationError`` whose ``str`` dumps
    the whole schema; this keeps the key path and the one-line reason.
    """
    chain = [exc, *getattr(exc, "args", ()), exc.__cause__, exc.__context__]
    errors = [a for a in chain if hasattr(a, "absolute_path") and hasattr(a, "message")]
    if not errors:
        return f"invalid configuration: {exc}"
    err = errors[0]
    where = ".".join(str(p) for p in err.absolute_path) or "<top level>"
    return (
        f"invalid configuration at '{where}': {err.message}. "
        "See workflow/schemas/config.schema.yaml for every key, its type and its default."
    )


def method_training_config(config: dict[str, Any], method: str) -> dict[str, Any]:
    """``config['training']`` with ``training.overrides[method]`` merged in."""
    tr = config["training"]
    overrides = tr["overrides"].get(method, {})
    bad = sorted(set(overrides) - set(tr))
    if bad:
        raise ConfigError(f"training.overrides.{method} has unknown keys {bad}")
    return deep_merge({k: v for k, v in tr.items() if k != "overrides"}, overrides)


def checkpoint_epochs_from_config(config: dict[str, Any], method: str | None = None) -> list[int]:
    """Checkpoint epochs of ``training.checkpoints`` (``every``, ``at``, ``geometric``)."""
    methods = [method] if method else list(config["training"]["methods"])
    schedules = set()
    for m in methods:
        tr = method_training_config(config, m)
        c = tr["checkpoints"]
        schedules.add(
            tuple(
                checkpoint_epochs(
                    int(tr["epochs"]),
                    every=c["every"],
                    at=c["at"],
                    geometric=c["geometric"],
                )
            )
        )
    if len(schedules) != 1:
        raise ConfigError(
            "all training methods must share one checkpoint schedule (epochs and checkpoints)"
        )
    return list(schedules.pop())


def last_epoch(config: dict) -> int:
    """The last training checkpoint (the "trained" model of the analyses)."""
    return int(checkpoint_epochs_from_config(config)[-1])


def final_models(config: dict) -> list[tuple[int, str, int]]:
    """(hidden, method, replica) of every trained model, in the order of the tables."""
    return [
        (int(m), str(meth), r)
        for m in config["model"]["hidden"]
        for meth in config["training"]["methods"]
        for r in range(int(config["model"]["replicas"]))
    ]


def select_model(config: Mapping, section: str) -> tuple[str, int, int]:
    """The (method, hidden, replica) of ``config[section]["model"]`` (single-model figures).

    Used for ``reciprocal`` (Figs. 1 right, 2, 5), ``symmetry`` (Fig. 6) and ``diffusion``.
    ``method`` / ``hidden`` null mean the first entry of ``training.methods`` /
    ``model.hidden``.

    Raises
    ------
    ConfigError
        If the choice is not among the trained models.
    """
    sel = config[section]["model"]
    methods = list(config["training"]["methods"])
    hiddens = [int(h) for h in config["model"]["hidden"]]
    replicas = int(config["model"]["replicas"])
    method = sel["method"] or methods[0]
    hidden = int(sel["hidden"] or hiddens[0])
    replica = int(sel["replica"])
    if method not in methods:
        raise ConfigError(
            f"{section}.model.method {method!r} is not trained (training.methods {methods})"
        )
    if hidden not in hiddens:
        raise ConfigError(f"{section}.model.hidden {hidden} not trained (model.hidden {hiddens})")
    if not 0 <= replica < replicas:
        raise ConfigError(f"{section}.model.replica {replica} outside 0..{replicas - 1}")
    return method, hidden, replica


def prepare_job_environment(basedir: str | os.PathLike | None) -> None:
    """Let jobs run ``python -m rbm_reciprocal`` from the checkout at ``basedir``.

    Prepends ``basedir/src`` to ``PYTHONPATH`` (no install step needed, also under
    ``--sdm conda``, whose environment puts its own python first on ``PATH``) and the
    directory of the interpreter running Snakemake to ``PATH`` (a venv works without being
    activated). Jobs inherit this environment; Snakemake sets ``OMP_NUM_THREADS`` and the
    BLAS thread variables to the job's threads, and the CLI gives numba the same number.
    ``basedir`` None (the workflow imported as a module from a URL): no checkout, the jobs
    run the package installed beside Snakemake, so only ``PATH`` is set.
    """
    if basedir is not None:
        src = str(Path(basedir) / "src")
        paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        if src not in paths:
            os.environ["PYTHONPATH"] = os.pathsep.join([src, *paths])
    bindir = str(Path(sys.executable).parent)
    if not os.environ.get("PATH", "").startswith(bindir + os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bindir, os.environ.get("PATH", "")])
