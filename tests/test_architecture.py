"""The package's architecture, checked on its source (AST): layers, no import circles,
small modules, and a workflow that parses without numba, torch or matplotlib."""

from __future__ import annotations

import ast
import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

SRC = ROOT / "src"
PKG = SRC / "rbm_reciprocal"

#: Subpackages from data to figures; a module may import its own subpackage and the
#: subpackages of lower layers only (``cli`` may import everything).
LAYERS = {
    "core": 0,
    "data": 1,
    "sampling": 2,
    "training": 3,
    "analysis": 4,
    "claims": 5,
    "figures": 5,
    "pipeline": 6,
    "stages": 7,
    "cli_args": 8,
    "cli": 9,
    "__main__": 10,
}
#: Modules that common.smk imports: parsing the Snakefile must stay light.
WORKFLOW_IMPORTS = (
    "rbm_reciprocal.pipeline.config",
    "rbm_reciprocal.pipeline.paths",
    "rbm_reciprocal.pipeline.cost",
    "rbm_reciprocal.pipeline.runtime",
    "rbm_reciprocal.pipeline.resources",
    "rbm_reciprocal.stages.registry",
    "rbm_reciprocal.pipeline.memory",
    "rbm_reciprocal.pipeline.job",
    "rbm_reciprocal.pipeline.loglik_epochs",
    "rbm_reciprocal.pipeline.fingerprint",
)
MAX_LINES = 420  # "no module above ~400 lines"


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_imports(path: Path) -> list[tuple[str, bool, int]]:
    """(imported module, inside a function, line) of every import of the package in ``path``."""
    tree = ast.parse(path.read_text())
    me = module_name(path)
    is_pkg = path.name == "__init__.py"
    inner = {
        id(n)
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
        for n in ast.walk(f)
    }
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = me.split(".")[: len(me.split(".")) - node.level + (1 if is_pkg else 0)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [mod]
            if mod.startswith("rbm_reciprocal"):  # `from pkg import submodule`
                targets = [
                    f"{mod}.{a.name}"
                    if (SRC / f"{mod}.{a.name}".replace(".", "/")).with_suffix(".py").exists()
                    else mod
                    for a in node.names
                ]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        for t in targets:
            if t.startswith("rbm_reciprocal"):
                out.append((t, id(node) in inner, node.lineno))
    return out


def graph() -> dict[str, set[str]]:
    g: dict[str, set[str]] = {}
    for path in PKG.rglob("*.py"):
        g[module_name(path)] = {t for t, _, _ in package_imports(path)}
    return g


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    """One import circle of ``g`` (module names), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(g.get(n, ())):
            if m == n or m == "rbm_reciprocal":
                continue
            if state.get(m) == 1:
                return stack[stack.index(m) :] + [m]
            if m not in state and (found := visit(m)):
                return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(g):
        if n not in state and (found := visit(n)):
            return found
    return None


def layer(module: str) -> tuple[str, int]:
    parts = module.split(".")
    name = parts[1] if len(parts) > 1 else "__init__"
    return name, LAYERS.get(name, -1)


def test_find_cycle_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_circles():
    cycle = find_cycle(graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_imports_point_down_the_layers():
    bad = []
    for path in PKG.rglob("*.py"):
        me = module_name(path)
        if me == "rbm_reciprocal":
            continue
        sub, rank = layer(me)
        assert rank >= 0, f"{me}: subpackage {sub!r} is not in LAYERS"
        for target, _, line in package_imports(path):
            if target == "rbm_reciprocal":  # __version__
                continue
            tsub, trank = layer(target)
            if tsub != sub and (trank >= rank):
                bad.append(f"{me}:{line} imports {target}")
    assert not bad, "\n".join(bad)


def test_imports_inside_functions_only_for_torch():
    bad = [
        f"{module_name(path)}:{line} imports {target} inside a function"
        for path in PKG.rglob("*.py")
        for target, inner, line in package_imports(path)
        if inner and "torch" not in target
    ]
    assert not bad, "\n".join(bad)


def test_modules_are_small_and_subpackages_documented():
    big = {
        str(p.relative_to(PKG)): n
        for p in PKG.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not big, f"modules above {MAX_LINES} lines: {big}"
    for init in PKG.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert "May import" in doc, f"{init.parent.name}/__init__.py: say what it may import"


def test_workflow_imports_no_numba_torch_or_matplotlib():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in WORKFLOW_IMPORTS)
        # a module bound by rbm_reciprocal.core.lazy.lazy_module and not used yet is a
        # placeholder (importlib.util._LazyModule): its code has not run
        + "loaded = {n for n, m in sys.modules.items() if type(m).__name__ != '_LazyModule'}\n"
        + "print(sorted({n.split('.')[0] for n in loaded} & {'numba', 'torch', "
        "'matplotlib', 'scipy', 'pandas', 'pyarrow'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=SRC
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_parsing_the_snakefile_imports_no_numba(tmp_path):
    """The issue's check: ``python -X importtime -m snakemake -n`` names no numba module.

    Run in an empty folder, as on a fresh clone: where ``.snakemake/`` already records
    params, Snakemake itself imports pandas (whose modules are named ``*numba*``) to compare
    them, whatever the workflow imports."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "snakemake", "-n", "--cores", "1"]
        + ["--snakefile", str(ROOT / "Snakefile"), "--configfile", str(ROOT / "config.yaml")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "rbm_reciprocal.pipeline.config" in out.stderr  # the check saw our imports
    assert sum("numba" in line for line in out.stderr.splitlines()) == 0


def test_validate_config_matches_snakemake_validate():
    """The workflow validates with pipeline.config.validate_config (no pandas import); it must
    fill the same defaults and reject the same configs as ``snakemake.utils.validate``."""
    import copy

    import yaml
    from snakemake.exceptions import WorkflowError
    from snakemake.utils import validate

    from rbm_reciprocal.core.errors import ConfigError
    from rbm_reciprocal.pipeline.config import SCHEMA, validate_config

    for preset in ("smoke", "quick"):
        raw = yaml.safe_load((ROOT / f"workflow/presets/{preset}.yaml").read_text())
        ours, theirs = copy.deepcopy(raw), copy.deepcopy(raw)
        validate_config(ours, SCHEMA)
        validate(theirs, schema=str(SCHEMA))
        assert ours == theirs and len(ours) > len(raw)
    bad = {"model": {"hidden": [16, "many"]}}
    with pytest.raises(ConfigError, match=r"model\.hidden\.1"):
        validate_config(copy.deepcopy(bad), SCHEMA)
    with pytest.raises(WorkflowError):
        validate(copy.deepcopy(bad), schema=str(SCHEMA))


#: Receivers of ``.get`` in ``pipeline/`` that are not the config: the JSON schema walked by
#: ``coerce_to_schema`` and the process environment.
NOT_CONFIG = {"schema", "os.environ"}
LITERALS = (ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Set)


def config_defaults(path: Path) -> list[str]:
    """``x.get("key", default)`` and ``x.get("key") or <literal>`` calls in ``path``: defaults
    that repeat (or contradict) the schema's, which the config loader has already filled."""

    def lookup(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and bool(node.args)
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and ast.unparse(node.func.value) not in NOT_CONFIG
        )

    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if lookup(node) and (len(node.args) > 1 or node.keywords):
            out.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            for left, right in itertools.pairwise(node.values):
                if lookup(left) and isinstance(right, LITERALS):
                    out.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return out


def test_config_defaults_finds_fallbacks(tmp_path):
    code = tmp_path / "m.py"
    code.write_text(
        "a = c.get('k', 4)\nb = c.get('k') or {}\nd = c['k'] or 0\n"
        "e = schema.get('type', [])\nf = os.environ.get('PATH', '')\ng = c.get(key, 1)\n"
    )
    assert [line.split(":")[1] for line in config_defaults(code)] == ["1", "2"]


def test_pipeline_repeats_no_config_default():
    """The schema owns every default (``pipeline/__init__.py``): code in ``pipeline/`` and
    ``stages/`` reads a config (or job settings) that
    :func:`~rbm_reciprocal.pipeline.config.validate_config` has filled."""
    paths = sorted((PKG / "pipeline").rglob("*.py")) + sorted((PKG / "stages").glob("*.py"))
    bad = [hit for path in paths for hit in config_defaults(path)]
    assert not bad, "\n".join(bad)


#: The settings classes a job is built from, besides the stage modules' (stages/*.py).
SETTINGS_MODULES = ("training/settings.py", "sampling/backend.py", "analysis/loglik_settings.py")


def schema_keys() -> set[str]:
    """The name of every key of the config schema, at any depth."""
    import yaml

    keys: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                keys.add(name)
                walk(sub)
            walk(node.get("additionalProperties"))

    walk(yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text()))
    return keys


def test_no_config_key_has_a_fallback_anywhere():
    """Anywhere in the package, ``x.get("<a config key>", default)`` would be a second
    default of that key: none (other ``.get`` calls read tables, states and manifests)."""
    keys = schema_keys()
    assert {"hidden", "n_chains", "sparse_density", "min_epochs"} <= keys
    bad = [
        hit
        for path in sorted(PKG.rglob("*.py"))
        for hit in config_defaults(path)
        if re.search(r"\.get\(['\"](\w+)['\"]", hit).group(1) in keys
    ]
    assert not bad, "\n".join(bad)


def settings_builders(tree: ast.Module) -> set[str]:
    """Names of the functions a module's steps build their settings with
    (``Step(..., settings=<name>)``)."""
    return {
        kw.value.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "Step"
        for kw in node.keywords
        if kw.arg == "settings" and isinstance(kw.value, ast.Name)
    }


def test_step_settings_have_no_defaults():
    """A step's settings (the dataclasses of the stage modules, the training, backend and
    log-likelihood settings) take every value from the config, whose defaults are the
    schema's: no field default, no keyword default in a step's settings builder."""
    bad = []
    stages = sorted((PKG / "stages").glob("*.py"))
    builders = 0
    for path in stages + [PKG / m for m in SETTINGS_MODULES]:
        tree = ast.parse(path.read_text())
        names = settings_builders(tree)
        builders += len(names)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(d, ast.Name | ast.Call) and "dataclass" in ast.unparse(d)
                for d in node.decorator_list
            ):
                bad += [
                    f"{path.name}:{st.lineno}: {node.name}.{ast.unparse(st.target)}"
                    for st in node.body
                    if isinstance(st, ast.AnnAssign) and st.value is not None
                ]
            elif (
                isinstance(node, ast.FunctionDef)
                and node.name in names
                and (node.args.defaults or any(node.args.kw_defaults))
            ):
                bad.append(f"{path.name}:{node.lineno}: {node.name}")
    assert builders >= 25, builders  # the builders were found
    assert not bad, "\n".join(bad)


MAX_FUNCTION_LINES = 100


def long_functions(path: Path, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int]]:
    """(name, lines) of every function in ``path`` longer than ``limit`` lines."""
    return [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > limit
    ]


def test_long_functions_finds_them(tmp_path):
    code = tmp_path / "m.py"
    code.write_text("def short():\n    pass\n\n\ndef long():\n" + "    x = 1\n" * 5)
    assert long_functions(code, limit=4) == [("long", 6)]


def test_no_function_over_100_lines():
    found = {n: k for p in sorted(PKG.rglob("*.py")) for n, k in long_functions(p)}
    assert not found, f"functions over {MAX_FUNCTION_LINES} lines: {found}"


#: Private names imported across modules (none: a name another module needs is public).
PRIVATE_IMPORTS: set[str] = set()


def private_imports(path: Path) -> list[str]:
    """``from rbm_reciprocal.x import _name`` in ``path``: a private name used by another module.
    A private module (``sampling/_kernels.py``) imported inside its own subpackage is fine."""
    out = []
    me = module_name(path)
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.ImportFrom) and node.module and node.level == 0):
            continue
        if not node.module.startswith("rbm_reciprocal"):
            continue
        for alias in node.names:
            if not alias.name.startswith("_") or alias.name.startswith("__"):
                continue
            is_module = (
                (SRC / f"{node.module}.{alias.name}".replace(".", "/")).with_suffix(".py").exists()
            )
            same_package = node.module.split(".")[:2] == me.split(".")[:2]
            if not (is_module and same_package):
                out.append(alias.name)
    return out


def test_no_private_names_across_modules():
    found = {n for p in sorted(PKG.rglob("*.py")) for n in private_imports(p)}
    assert found <= PRIVATE_IMPORTS, sorted(found - PRIVATE_IMPORTS)


#: The rules every step's rule is made from (``workflow/rules/templates.smk``).
TEMPLATES = {"step_job", "resumable_step_job"}


def workflow_rules() -> dict[str, str]:
    """Every step's rule of ``workflow/rules/*.smk`` (``use rule <template> as <step> with:``;
    ``all`` is in the Snakefile) and its text."""
    rules = {}
    for smk in sorted((ROOT / "workflow" / "rules").glob("*.smk")):
        head = r"[ \t]*(?:rule \w+|use rule \w+ as \w+ with):"
        blocks = re.split(rf"^(?={head})", smk.read_text(), flags=re.M)
        for block in blocks:
            if m := re.match(r"\s*(?:rule (\w+)|use rule (\w+) as (\w+) with):", block):
                name = m.group(1) or m.group(3)
                if m.group(2):
                    assert m.group(2) in TEMPLATES, (name, m.group(2))
                if name not in TEMPLATES:
                    rules[name] = block
    return rules


def rule_switches(path: Path, rules: set[str]) -> list[str]:
    """Comparisons (``==``, ``!=``, ``in``, ``not in``) with a literal rule name in ``path``:
    knowledge about a rule that belongs to its step."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Compare):
            continue
        literals = []
        for operand in (node.left, *node.comparators):
            listed = isinstance(operand, ast.Tuple | ast.List | ast.Set)
            items = operand.elts if listed else [operand]
            literals += [i.value for i in items if isinstance(i, ast.Constant)]
        if any(isinstance(v, str) and v in rules for v in literals):
            out.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return out


def test_rule_switches_finds_comparisons(tmp_path):
    code = tmp_path / "m.py"
    code.write_text(
        "a = rule == 'fig2'\nb = name in ('x', 'train_rbm')\nc = s != 'pt'\nd = {'fig2': 1}\n"
    )
    assert [line.split(":")[1] for line in rule_switches(code, {"fig2", "train_rbm"})] == ["1", "2"]


def test_pipeline_switches_on_no_rule_name():
    """What a rule needs is its step's (``stages/registry.py``), not ``rule ==`` branches."""
    rules = set(workflow_rules())
    paths = sorted((PKG / "pipeline").glob("*.py"))
    bad = [hit for path in paths for hit in rule_switches(path, rules)]
    assert not bad, "\n".join(bad)


def test_every_rule_is_a_step_and_every_step_a_rule():
    """One :class:`~rbm_reciprocal.stages.registry.Step` per rule, of the same name; each rule
    asks its own step for its log, job, threads and resources, and each step's stage module
    has its job."""
    import importlib

    from rbm_reciprocal.stages.registry import STEPS

    rules = workflow_rules()
    assert set(rules) - set(STEPS) == set(), "rules without a step"
    assert set(STEPS) - set(rules) == set(), "steps without a rule"
    for name, block in rules.items():
        asked = re.findall(r"\b(logs|job|threads_of|resources_of)\(\"(\w+)\"[,)]", block)
        want = [(h, name) for h in ("job", "logs", "resources_of", "threads_of")]
        assert sorted(asked) == want, name
        stage = importlib.import_module(f"rbm_reciprocal.stages.{STEPS[name].stage}")
        assert callable(stage.JOBS[name]), name


#: Keyword defaults whose name is a schema key and whose value its default, but which are not
#: that setting (``module.function.parameter`` -> why).
NOT_SETTINGS = {
    "pipeline.runtime.runtime_minutes.threads": "a time estimate's thread count (1 = serial); "
    "resources.py passes the rule's threads",
    "pipeline.runtime.job_runtime_minutes.threads": "as runtime_minutes",
    "pipeline.runtime.train_runtime_minutes.threads": "as runtime_minutes",
    "pipeline.runtime.loglik_runtime_minutes.threads": "as runtime_minutes",
    "pipeline.cost.Cost.hidden": "a cost record's GEMM width, not a model's hidden size",
    "analysis.potentials.GaussianPotential.beta": "the potential's inverse temperature, the "
    "RBM's physical 1 (the diffusion stage passes diffusion.beta explicitly)",
    "analysis.potentials.LargeDeviationPotential.__init__.beta": "the RBM's physical inverse "
    "temperature 1, which the Landau analysis uses (diffusion.beta is passed explicitly)",
    "sampling.ladder.ladder_positions.segment": "0 = an unsegmented ladder, the neutral "
    "value; loglik_pt passes loglik.pt.segment explicitly",
    "sampling.ladder.node_rungs.segment": "as ladder_positions",
    "sampling.ladder.TrajectoryLadder.__init__.segment": "as ladder_positions",
}


def schema_defaults() -> dict[str, list]:
    """The scalar defaults of every key of the config schema, by key name (at any depth)."""
    import yaml

    out: dict[str, list] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if isinstance(sub, dict) and "default" in sub:
                    if not isinstance(sub["default"], dict | list) and sub["default"] is not None:
                        out.setdefault(name, []).append(sub["default"])
                walk(sub)
            walk(node.get("additionalProperties"))

    walk(yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text()))
    return out


def setting_defaults(path: Path, defaults: dict[str, list], prefix: str = "") -> list[str]:
    """``module.function.param`` of every keyword default (or dataclass field default) in
    ``path`` whose name is a schema key and whose literal value equals that key's default."""

    def same(name: str, node: ast.AST | None) -> bool:
        return (
            node is not None
            and name in defaults
            and isinstance(node, ast.Constant)
            and node.value is not None
            and any(node.value == d and type(node.value) is not bool or node.value is d
                    for d in defaults[name])
        )  # fmt: skip

    out = []

    def visit(node: ast.AST, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = f"{scope}.{child.name}" if hasattr(child, "name") else scope
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                a = child.args
                pos = a.posonlyargs + a.args
                pairs = list(zip(pos[len(pos) - len(a.defaults) :], a.defaults, strict=True))
                pairs += list(zip(a.kwonlyargs, a.kw_defaults, strict=True))
                out.extend(f"{name}.{p.arg}" for p, d in pairs if same(p.arg, d))
            elif isinstance(child, ast.ClassDef):
                out.extend(
                    f"{name}.{st.target.id}"
                    for st in child.body
                    if isinstance(st, ast.AnnAssign)
                    and isinstance(st.target, ast.Name)
                    and same(st.target.id, st.value)
                )
            visit(child, name)

    visit(ast.parse(path.read_text()), prefix or module_name(path).removeprefix("rbm_reciprocal."))
    return out


def test_setting_defaults_finds_them(tmp_path):
    code = tmp_path / "m.py"
    code.write_text(
        "def f(x, retries=3, timeout=2.0, *, bins=60, other=3):\n    pass\n"
        "class C:\n    beta: float = 1.0\n    def g(self, metropolis=True, min_epochs=1):\n"
        "        pass\n"
    )
    defaults = {"retries": [3], "timeout": [30], "bins": [60], "beta": [1.0],
                "metropolis": [True], "min_epochs": [10]}  # fmt: skip
    assert setting_defaults(code, defaults, "m") == ["m.f.retries", "m.f.bins", "m.C.beta",
                                                     "m.C.g.metropolis"]  # fmt: skip


def test_schema_is_the_only_source_of_defaults():
    """No function in the package repeats a config default as a keyword default (issue 24):
    a library function takes every config setting from its caller, which reads the job's
    settings (the schema fills the defaults), so a value cannot drift from the schema's.
    :data:`NOT_SETTINGS` lists the parameters that share a key's name and value only."""
    defaults = schema_defaults()
    assert defaults["min_epochs"] == [10] and 3 in defaults["retries"]
    found = [hit for path in sorted(PKG.rglob("*.py")) for hit in setting_defaults(path, defaults)]
    assert sorted(set(found) - set(NOT_SETTINGS)) == [], "repeat a schema default"
    assert sorted(set(NOT_SETTINGS) - set(found)) == [], "stale NOT_SETTINGS entries"
