"""core.lazy: a module bound with lazy_module runs on its first attribute access, once."""

import sys

import pytest

from rbm_reciprocal.core.lazy import lazy_module


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package ``lazypkg`` whose submodule ``heavy`` counts its executions in
    ``lazypkg.RUNS``."""
    pkg = tmp_path / "lazypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("RUNS = []\n")
    (pkg / "heavy.py").write_text(
        "import lazypkg\nlazypkg.RUNS.append('heavy')\n\ndef answer():\n    return 42\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "lazypkg"
    for name in [n for n in sys.modules if n.split(".")[0] == "lazypkg"]:
        del sys.modules[name]


def test_the_module_runs_on_first_use_only(package):
    heavy = lazy_module(f"{package}.heavy")
    runs = sys.modules[package].RUNS
    assert runs == []  # bound, not executed
    assert heavy.answer() == 42
    assert heavy.answer() == 42
    assert runs == ["heavy"]  # executed once


def test_imports_after_binding_get_the_same_module(package):
    heavy = lazy_module(f"{package}.heavy")
    from lazypkg import heavy as again

    assert again is heavy and lazy_module(f"{package}.heavy") is heavy
    assert again.answer() == 42 and sys.modules[package].RUNS == ["heavy"]


def test_a_module_already_imported_is_returned_as_is():
    import json

    assert lazy_module("json") is json


def test_a_missing_module_fails_at_once(package):
    with pytest.raises(ModuleNotFoundError, match="lazypkg.nothing"):
        lazy_module(f"{package}.nothing")
