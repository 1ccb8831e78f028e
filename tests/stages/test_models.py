"""Model archives: `models export`, then rule import_models (fetch, sha256, settings) from a
folder, a file:// URL or a local HTTP server on 127.0.0.1 (end to end through Snakemake:
``tests/workflow/test_workflow_models.py``)."""

import copy
import hashlib
import http.server
import json
import re
import socket
import threading

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import SMOKE_CONFIGS

from rbm_reciprocal.cli import main
from rbm_reciprocal.core.checkpoint import save_checkpoint
from rbm_reciprocal.core.errors import ConfigError, DataError, DownloadError
from rbm_reciprocal.core.tables import save_parquet
from rbm_reciprocal.pipeline.config import load_config
from rbm_reciprocal.stages.models import import_models, trained_models, training_fingerprint

CONFIG = load_config(SMOKE_CONFIGS)
CONFIG["model"] |= {"hidden": [8], "replicas": 2}
CONFIG["training"]["epochs"] = 2
FILES = [
    f"train/PCD/M8/replica{r}/{name}"
    for r in (0, 1)
    for name in ("epoch_0000.npz", "epoch_0001.npz", "epoch_0002.npz", "metrics.parquet")
]


@pytest.fixture
def run(tmp_path):
    """A results folder as a smoke-like run leaves it: 2 models, 3 checkpoints each."""
    results = tmp_path / "results"
    for model in trained_models(CONFIG):
        rng = np.random.default_rng(model["replica"])
        for e in range(3):
            W = rng.normal(0, 0.01, (784, 8)).astype(np.float32)
            save_checkpoint(
                results / model["run"] / f"epoch_{e:04d}.npz",
                W,
                np.zeros(784, np.float32),
                np.zeros(8, np.float32),
                epoch=e,
                updates=10 * e,
            )
        save_parquet(
            results / model["run"] / "metrics.parquet",
            pd.DataFrame({"epoch": [0, 1, 2], "updates": [0, 10, 20]}),
        )
    params = {"config": CONFIG, "code": {"package": "rbm_reciprocal 0.1", "git_commit": "abc"}}
    (results / "run_parameters.yaml").write_text(yaml.safe_dump(params))
    return results


@pytest.fixture
def archive(run, tmp_path):
    out = tmp_path / "archive"
    assert main(["models", "export", "--results", str(run), "--out", str(out)]) == 0
    return out


def test_export_writes_files_and_a_manifest(run, archive):
    manifest = json.loads((archive / "manifest.json").read_text())
    assert sorted(manifest["files"]) == sorted(FILES)
    for f, entry in manifest["files"].items():
        data = (archive / f).read_bytes()
        assert data == (run / f).read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    assert [(m["hidden"], m["replica"], len(m["files"])) for m in manifest["models"]] == [
        (8, 0, 4),
        (8, 1, 4),
    ]
    assert manifest["training"] == training_fingerprint(CONFIG)
    assert manifest["training"]["training"]["PCD"]["epochs"] == 2
    assert manifest["config"]["training"]["gibbs_steps"] == CONFIG["training"]["gibbs_steps"]
    assert manifest["code"]["git_commit"] == "abc" and "exported_by" in manifest["code"]


def test_export_refuses_a_damaged_checkpoint(run, tmp_path, capsys):
    path = run / "train/PCD/M8/replica1/epoch_0001.npz"
    path.write_bytes(path.read_bytes()[:500])
    assert main(["models", "export", "--results", str(run), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{path} is damaged" in err[0] and "rule train_rbm" in err[0]


def _import(source, tmp_path, training=None, files=FILES, retries=2):
    dest = tmp_path / "fresh" / "results"
    log = []
    import_models(
        str(source),
        dest,
        files,
        training or training_fingerprint(CONFIG),
        dest / "models/manifest.json",
        retries,
        2.0,
        0.0,
        log.append,
    )
    return dest, log


def _serve(root):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return httpd


@pytest.fixture
def server(archive):
    httpd = _serve(archive.parent)
    yield f"http://127.0.0.1:{httpd.server_address[1]}/archive"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("kind", ["http", "folder", "file_url"])
def test_import_gives_the_same_bytes(run, archive, server, tmp_path, kind):
    source = {"http": server, "folder": archive, "file_url": archive.as_uri()}[kind]
    dest, log = _import(source, tmp_path)
    for f in FILES:
        assert (dest / f).read_bytes() == (run / f).read_bytes()
    assert json.loads((dest / "models/manifest.json").read_text())["files"].keys() == set(FILES)
    assert sum("sha256 OK" in ln for ln in log) == len(FILES)


def test_dead_mirror_is_one_line_after_retries(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DownloadError) as exc:
        _import(f"http://127.0.0.1:{port}/archive", tmp_path, retries=2)
    msg = str(exc.value)
    assert "\n" not in msg and "manifest.json" in msg and "after 2 attempts" in msg
    assert not (tmp_path / "fresh/results/models/manifest.json").exists()


def test_corrupt_file_is_refused(archive, server, tmp_path):
    bad = archive / FILES[5]
    data = bytearray(bad.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bad.write_bytes(bytes(data))
    with pytest.raises(DownloadError) as exc:
        _import(server, tmp_path)
    msg = str(exc.value)
    assert "\n" not in msg and FILES[5] in msg and "sha256 mismatch" in msg
    dest = tmp_path / "fresh/results"
    assert not (dest / FILES[5]).exists() and not (dest / "models/manifest.json").exists()


def test_other_training_settings_are_refused_naming_the_keys(archive, server, tmp_path):
    other = copy.deepcopy(CONFIG)
    other["training"]["epochs"] = 3
    other["training"]["optimizer"]["lr"] = 0.02
    other["training"]["checkpoints"]["every"] = 2  # not a model setting: no difference
    with pytest.raises(ConfigError) as exc:
        _import(server, tmp_path, training=training_fingerprint(other))
    msg = str(exc.value)
    assert "\n" not in msg and "models.source" in msg
    diffs = re.findall(r"training\.PCD\.[\w.]+ \(archive [^)]*\)", msg)
    lr = CONFIG["training"]["optimizer"]["lr"]  # the preset's
    assert diffs == [
        "training.PCD.epochs (archive 2, config 3)",
        f"training.PCD.optimizer.lr (archive {lr}, config 0.02)",
    ]
    assert not (tmp_path / "fresh/results/train").exists()  # nothing fetched


def test_missing_models_are_one_line(archive, tmp_path):
    with pytest.raises(DataError, match=r"lacks 1 file\(s\) .*replica2/metrics.parquet"):
        _import(archive, tmp_path, files=[*FILES, "train/PCD/M8/replica2/metrics.parquet"])
