"""mkdocs hook: refuse to build from a stale configuration page or measurement block.

Runs ``docs/gen_config_reference.py --check`` and ``docs/measurements.py --check`` before
every build, so ``mkdocs build --strict`` fails when an included measurement file is
missing, lacks its stamp (date, machine, command), or a page no longer shows what its file
or the config schema says.
"""

from __future__ import annotations

import importlib.util
import io
from contextlib import redirect_stdout
from pathlib import Path

from mkdocs.exceptions import PluginError

HERE = Path(__file__).resolve().parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_docs_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def on_pre_build(config, **kwargs) -> None:
    for name in ("gen_config_reference", "measurements"):
        out = io.StringIO()
        with redirect_stdout(out):
            rc = _load(name).main(["--check"])
        if rc:
            raise PluginError(f"docs/{name}.py --check:\n{out.getvalue()}")
