"""Modules loaded on first use, so that a stage module stays light to import.

Each stage module declares its steps (read by Snakemake when it parses the workflow, which
must not import numba, scipy, pandas or matplotlib) beside the jobs that run them (which need
all of these). The stage modules therefore bind their heavy imports with :func:`lazy_module`:
the module object exists at once, and runs its code on its first attribute access, i.e. when a
job calls into it. This is the standard library's :class:`importlib.util.LazyLoader`, the
mechanism of Scientific Python's SPEC 1 (lazy loading of submodules).

Python 3.11's loader is not safe when two threads use a lazy module for the first time at
once (CPython gh-114763, fixed in later releases); the jobs call into these modules from one
Python thread (numba's and BLAS's threads never import).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """The module ``name``, executed on its first attribute access.

    A module already imported is returned as it is. Parent packages are imported at once
    (``rbm_reciprocal.analysis`` for ``rbm_reciprocal.analysis.spectra``): keep package
    ``__init__`` files light.

    Parameters
    ----------
    name : str
        Absolute module name, e.g. ``"pandas"`` or ``"rbm_reciprocal.analysis.spectra"``.

    Raises
    ------
    ModuleNotFoundError
        If no module of that name can be found (at once, not on first use).
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"no module named {name!r}", name=name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    return module
