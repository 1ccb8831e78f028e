"""The documentation's generated parts match their sources (issue 26).

- docs/configuration.md is what docs/gen_config_reference.py writes from the config schema;
- every measurement block of README.md and docs/ names a file that exists and carries a
  stamp (date, machine, command), and shows what that file gives (docs/measurements.py);
- the checker fails on a missing file and on a file without its stamp.
"""

from __future__ import annotations

import importlib.util
import json

import pytest
from conftest import ROOT


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"docs_{name}", ROOT / "docs" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_configuration_page_is_generated_from_the_schema():
    gen = load("gen_config_reference")
    assert (ROOT / "docs" / "configuration.md").read_text() == gen.generate(), (
        "docs/configuration.md is stale: run python docs/gen_config_reference.py"
    )


def test_configuration_page_lists_every_schema_key():
    import yaml

    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    page = (ROOT / "docs" / "configuration.md").read_text()

    def keys(node, prefix=""):
        for k, sub in (node.get("properties") or {}).items():
            yield prefix + k
            yield from keys(sub, prefix + k + ".")

    missing = [k for k in keys(schema) if f"`{k}`" not in page]
    assert not missing, missing


def test_every_measurement_block_is_stamped_and_current():
    m = load("measurements")
    found = [inc for page in m.pages() for inc in m.includes(page.read_text())]
    assert len(found) >= 5, "the README and the docs show measurements through blocks"
    assert m.problems() == []


def test_readme_is_the_front_door():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 250
    assert (ROOT / "LICENSE").is_file() and (ROOT / "CITATION.cff").is_file()
    assert "source .venv/bin/activate" in readme


def test_checker_fails_on_missing_and_unstamped_files(tmp_path, monkeypatch):
    m = load("measurements")
    monkeypatch.setattr(m, "ROOT", tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "nostamp.json").write_text(json.dumps({"rows": []}))
    (tmp_path / "docs" / "nocommand.md").write_text(
        "<!-- stamp\ndate: 2026-01-01\nmachine: x\n-->\n| a |\n"
    )
    with pytest.raises(m.MeasurementError, match="missing"):
        m.render("docs/absent.json", None)
    with pytest.raises(m.MeasurementError, match="no stamp"):
        m.render("docs/nostamp.json", "pcd_jl")
    with pytest.raises(m.MeasurementError, match="lacks command"):
        m.render("docs/nocommand.md", None)
    page = "<!-- measurement: docs/absent.json view=pcd_jl -->\n<!-- /measurement -->\n"
    (tmp_path / "README.md").write_text(page)
    assert any("missing" in p for p in m.problems())


def test_fidelity_page_names_every_config_key():
    """docs/fidelity.md names every key (or its whole section, `section.*`) of the schema."""
    import re

    import yaml

    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    page = (ROOT / "docs" / "fidelity.md").read_text()
    missing = []
    for key, node in schema["properties"].items():
        subs = list((node.get("properties") or {}).keys())
        if not subs:
            missing += [] if f"`{key}`" in page else [key]
        elif f"`{key}.*`" not in page:
            missing += [f"{key}.{s}" for s in subs if not re.search(rf"{key}\.{s}[.`]", page)]
    assert not missing, f"docs/fidelity.md does not name {missing}"
