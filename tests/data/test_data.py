"""Tests of rbm_reciprocal.data (idx, fetch, dataset) on the real MNIST sample in tests/data/mnist.

The sample holds the first 2,000 training and 500 test images of MNIST (see its README). The
download tests serve it over HTTP on 127.0.0.1 from a background thread; nothing here needs the
internet or the full data set.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import json
import shutil
import socket
import struct
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import BINARIZATION, SAMPLE

from rbm_reciprocal.core.errors import ConfigError, DataError, DownloadError
from rbm_reciprocal.data.dataset import (
    Dataset,
    binarize,
    load_dataset,
    load_meta,
    prepare_mnist,
    save_dataset,
)
from rbm_reciprocal.data.fetch import DEFAULT_MIRRORS, download_mnist, fetch_file
from rbm_reciprocal.data.idx import (
    MNIST_FILES,
    MNIST_SHA256,
    parse_idx,
    read_idx,
    sha256_decompressed,
)

# sha256 of the decompressed sample files (also in tests/data/mnist/SHA256SUMS).
SAMPLE_SHA256 = {
    "train-images-idx3-ubyte": "729d340c0177402770b27c04f817dfb40ed8844459b35a9f11ae21067b05cf19",
    "train-labels-idx1-ubyte": "90795ea2219655a7281c0d6756d0ae8a33bebac7ec84bac89bbdcc5e3baa9f8c",
    "t10k-images-idx3-ubyte": "de0a55d8eb2a23fce4f596c5234b08b9c8ee685583a2b0e52f3a78eca48f9d89",
    "t10k-labels-idx1-ubyte": "60e902e82445d902e245e1b039469f36936d63cb28e81527a7bbba247c240af3",
}
FIRST_TRAIN_LABELS = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
FIRST_TEST_LABELS = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
# Label histograms of the sample (digits 0..9).
TRAIN_COUNTS = [191, 220, 198, 191, 214, 180, 200, 224, 172, 210]
TEST_COUNTS = [42, 67, 55, 45, 55, 50, 43, 49, 40, 54]


def _idx(dims: tuple[int, ...], payload: bytes, type_code: int = 0x08) -> bytes:
    return bytes([0, 0, type_code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + payload


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _raw(name: str) -> bytes:
    with gzip.open(SAMPLE / f"{name}.gz", "rb") as fh:
        return fh.read()


@pytest.fixture(scope="module")
def sample() -> dict[str, np.ndarray]:
    return {name: read_idx(SAMPLE / f"{name}.gz") for name in MNIST_FILES}


# --------------------------------------------------------------------------------------------
# The sample itself, IDX parsing, checksums
# --------------------------------------------------------------------------------------------


def test_sample_checksums_match_sha256sums_file():
    listed = {}
    for line in (SAMPLE / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        listed[name] = digest
    assert listed == SAMPLE_SHA256
    for name in MNIST_FILES:
        assert sha256_decompressed(SAMPLE / f"{name}.gz") == SAMPLE_SHA256[name]
        assert hashlib.sha256(_raw(name)).hexdigest() == SAMPLE_SHA256[name]
    # The sample is not the full data set: the official checksums must differ.
    assert all(SAMPLE_SHA256[n] != MNIST_SHA256[n] for n in MNIST_FILES)
    assert sum(p.stat().st_size for p in SAMPLE.iterdir()) < 1_000_000


def test_parse_sample_shapes_and_labels(sample):
    train, train_labels = sample["train-images-idx3-ubyte"], sample["train-labels-idx1-ubyte"]
    test, test_labels = sample["t10k-images-idx3-ubyte"], sample["t10k-labels-idx1-ubyte"]
    assert train.shape == (2000, 28, 28) and train.dtype == np.uint8
    assert train_labels.shape == (2000,) and train_labels.dtype == np.uint8
    assert test.shape == (500, 28, 28) and test_labels.shape == (500,)
    assert train_labels[:10].tolist() == FIRST_TRAIN_LABELS
    assert test_labels[:10].tolist() == FIRST_TEST_LABELS
    assert np.bincount(train_labels, minlength=10).tolist() == TRAIN_COUNTS
    assert np.bincount(test_labels, minlength=10).tolist() == TEST_COUNTS
    assert int(train.min()) == 0 and int(train.max()) == 255
    assert int(train.sum()) == 52_050_445
    assert int(train[0].sum()) == 27_525
    assert train.flags.writeable


def test_read_idx_raw_equals_gz(tmp_path, sample):
    raw = tmp_path / "t10k-labels-idx1-ubyte"
    raw.write_bytes(_raw("t10k-labels-idx1-ubyte"))
    np.testing.assert_array_equal(read_idx(raw), sample["t10k-labels-idx1-ubyte"])
    assert sha256_decompressed(raw) == SAMPLE_SHA256["t10k-labels-idx1-ubyte"]


def test_parse_idx_small_exact():
    arr = parse_idx(_idx((2, 3), bytes(range(6))))
    assert arr.shape == (2, 3)
    assert arr.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert parse_idx(_idx((0,), b"")).shape == (0,)


@pytest.mark.parametrize(
    ("raw", "needles"),
    [
        (b"", ["not an IDX file", "0 bytes"]),
        (b"\x00\x00", ["not an IDX file", "2 bytes"]),
        (b"\x01\x02\x08\x01" + struct.pack(">I", 1) + b"x", ["magic bytes 01 02", "00 00"]),
        (_gz(_idx((1,), b"x")), ["not an IDX file", "gzip"]),
        (_idx((2,), b"\x00" * 8, type_code=0x0D), ["0x0d", "float", "only 0x08"]),
        (_idx((2,), b"\x00" * 2, type_code=0x42), ["0x42", "unknown"]),
        (b"\x00\x00\x08\x00", ["0 dimensions"]),
        (
            b"\x00\x00\x08\x03" + struct.pack(">I", 5),
            ["truncated IDX header", "need 16 bytes", "has 8"],
        ),
        (_idx((10, 28, 28), b"\x00" * 7839), ["truncated", "7840", "7839", "10 x 28 x 28"]),
        (_idx((4,), b"\x00" * 6), ["trailing bytes", "need 4", "found 6"]),
    ],
)
def test_parse_idx_rejects_bad_input(raw, needles):
    with pytest.raises(DataError) as info:
        parse_idx(raw, name="weird-file")
    message = str(info.value)
    assert message.startswith("weird-file: ")
    for needle in needles:
        assert needle in message


def test_read_idx_truncated_sample_names_sizes(tmp_path):
    raw = _raw("t10k-labels-idx1-ubyte")
    bad = tmp_path / "t10k-labels-idx1-ubyte.gz"
    bad.write_bytes(_gz(raw[:-100]))
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte\.gz.*truncated.*need 500.*400"):
        read_idx(bad)
    bad.write_bytes(_gz(raw + b"\x00\x00\x00"))
    with pytest.raises(DataError, match=r"trailing bytes.*need 500.*found 503"):
        read_idx(bad)


def test_corrupted_gzip_is_a_data_error(tmp_path):
    good = (SAMPLE / "train-labels-idx1-ubyte.gz").read_bytes()
    cut = tmp_path / "cut.gz"
    cut.write_bytes(good[: len(good) // 2])
    flipped = bytearray(good)
    for i in range(20, len(flipped) - 8, 37):
        flipped[i] ^= 0xFF
    mangled = tmp_path / "mangled.gz"
    mangled.write_bytes(bytes(flipped))
    not_gz = tmp_path / "plain.gz"
    not_gz.write_bytes(b"hello, this is not gzip")
    for path in (cut, mangled, not_gz):
        with pytest.raises(DataError, match=path.name):
            read_idx(path)
        with pytest.raises(DataError, match=path.name):
            sha256_decompressed(path)
    with pytest.raises(DataError, match="not found"):
        read_idx(tmp_path / "missing.gz")


# --------------------------------------------------------------------------------------------
# Binarization
# --------------------------------------------------------------------------------------------


def test_binarize_threshold_exact_on_sample(sample):
    images = sample["train-images-idx3-ubyte"]
    out = binarize(images, "threshold", 0.5)
    assert out.shape == (2000, 784) and out.dtype == np.uint8
    expected = (images.reshape(2000, 784) / 255.0 >= 0.5).astype(np.uint8)
    np.testing.assert_array_equal(out, expected)
    assert int(out.sum()) == 206_374
    assert int(out[0].sum()) == 111
    np.testing.assert_array_equal(binarize(images.reshape(2000, 784), "threshold", 0.5), out)
    # The sample has pixels on both sides of the boundary.
    assert (images == 127).sum() == 553 and (images == 128).sum() == 2373
    assert not out[images.reshape(2000, 784) == 127].any()
    assert out[images.reshape(2000, 784) == 128].all()


def test_binarize_boundary_and_thresholds():
    pixels = np.array([[0, 1, 126, 127, 128, 129, 254, 255]], dtype=np.uint8)
    assert binarize(pixels, "threshold", 0.5).tolist() == [[0, 0, 0, 0, 1, 1, 1, 1]]
    assert binarize(pixels, "threshold", threshold=0.0).tolist() == [[1] * 8]
    assert binarize(pixels, "threshold", threshold=1.0).tolist() == [[0, 0, 0, 0, 0, 0, 0, 1]]
    assert binarize(pixels, "threshold", threshold=0.25).tolist() == [[0, 0, 1, 1, 1, 1, 1, 1]]


def test_binarize_stochastic(sample):
    images = sample["train-images-idx3-ubyte"]
    a = binarize(images, "stochastic", 0.5, rng=np.random.default_rng(1))
    b = binarize(images, "stochastic", 0.5, rng=np.random.default_rng(1))
    c = binarize(images, "stochastic", 0.5, rng=np.random.default_rng(2))
    np.testing.assert_array_equal(a, b)
    assert (a != c).sum() > 10_000
    assert a.dtype == np.uint8 and set(np.unique(a).tolist()) == {0, 1}
    flat = images.reshape(2000, 784)
    # 1.57 million Bernoulli draws: the standard error of the mean is < 4e-4; allow 3e-3.
    assert abs(a.mean() - flat.mean() / 255.0) < 3e-3
    assert abs(a.mean() - 0.13018) < 3e-3
    assert not a[flat == 0].any()
    assert a[flat == 255].all()


def test_binarize_errors():
    pixels = np.zeros((2, 4), dtype=np.uint8)
    with pytest.raises(ConfigError, match="rng"):
        binarize(pixels, "stochastic", 0.5)
    with pytest.raises(ConfigError, match="unknown binarization method 'otsu'"):
        binarize(pixels, "otsu", 0.5)
    with pytest.raises(ConfigError, match=r"\[0, 1\]"):
        binarize(pixels, "threshold", threshold=1.5)
    with pytest.raises(DataError, match="uint8"):
        binarize(pixels.astype(np.float32), "threshold", 0.5)
    with pytest.raises(DataError, match="shape"):
        binarize(np.zeros(4, dtype=np.uint8), "threshold", 0.5)


# --------------------------------------------------------------------------------------------
# prepare_mnist, save / load
# --------------------------------------------------------------------------------------------


def test_prepare_full_sample(sample):
    ds = prepare_mnist(SAMPLE, **BINARIZATION)
    assert ds.train.shape == (2000, 784) and ds.test.shape == (500, 784)
    assert ds.n_visible == 784
    assert ds.train_labels[:10].tolist() == FIRST_TRAIN_LABELS
    np.testing.assert_array_equal(
        ds.train, binarize(sample["train-images-idx3-ubyte"], "threshold", 0.5)
    )
    np.testing.assert_array_equal(
        ds.test, binarize(sample["t10k-images-idx3-ubyte"], "threshold", 0.5)
    )


def test_prepare_subset_and_digits(sample):
    ds = prepare_mnist(SAMPLE, n_train=100, n_test=50, **BINARIZATION)
    assert ds.train.shape == (100, 784) and ds.test.shape == (50, 784)
    assert ds.test_labels[:10].tolist() == FIRST_TEST_LABELS

    ds = prepare_mnist(SAMPLE, digits=[1, 0], **BINARIZATION)
    assert ds.train.shape == (411, 784) and ds.test.shape == (109, 784)
    assert set(ds.train_labels.tolist()) == {0, 1}
    assert ds.train_labels[:5].tolist() == [0, 1, 1, 1, 1]
    # First kept training images are sample indices 1, 3, 6, 8, 14.
    images = sample["train-images-idx3-ubyte"]
    np.testing.assert_array_equal(
        ds.train[:5], binarize(images[[1, 3, 6, 8, 14]], "threshold", 0.5)
    )

    ds = prepare_mnist(SAMPLE, digits=[0, 1], n_train=400, n_test=109, **BINARIZATION)
    assert ds.train.shape == (400, 784) and ds.test.shape == (109, 784)
    with pytest.raises(ConfigError, match="n_train=412 exceeds the 411"):
        prepare_mnist(SAMPLE, digits=[0, 1], n_train=412, **BINARIZATION)
    with pytest.raises(ConfigError, match="n_test=501 exceeds the 500"):
        prepare_mnist(SAMPLE, n_test=501, **BINARIZATION)
    with pytest.raises(ConfigError, match="n_train"):
        prepare_mnist(SAMPLE, n_train=0, **BINARIZATION)
    with pytest.raises(ConfigError, match="digits"):
        prepare_mnist(SAMPLE, digits=[10], **BINARIZATION)
    with pytest.raises(ConfigError, match="digits"):
        prepare_mnist(SAMPLE, digits=[], **BINARIZATION)


def test_prepare_stochastic_seeded():
    a = prepare_mnist(SAMPLE, "stochastic", 0.5, seed=3, n_train=200, n_test=50)
    b = prepare_mnist(SAMPLE, "stochastic", 0.5, seed=3, n_train=200, n_test=50)
    c = prepare_mnist(SAMPLE, "stochastic", 0.5, seed=4, n_train=200, n_test=50)
    np.testing.assert_array_equal(a.train, b.train)
    np.testing.assert_array_equal(a.test, b.test)
    assert not np.array_equal(a.train, c.train)


def test_prepare_bad_raw_dir(tmp_path):
    with pytest.raises(DataError, match="train-images-idx3-ubyte.gz not found"):
        prepare_mnist(tmp_path, **BINARIZATION)
    for name in MNIST_FILES:
        shutil.copy(SAMPLE / f"{name}.gz", tmp_path)
    # Labels of the test split (500) paired with the 2000 training images.
    shutil.copy(SAMPLE / "t10k-labels-idx1-ubyte.gz", tmp_path / "train-labels-idx1-ubyte.gz")
    with pytest.raises(DataError, match="2000 images but train-labels-idx1-ubyte has 500"):
        prepare_mnist(tmp_path, **BINARIZATION)
    # Images that are not 28 x 28.
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(_gz(_idx((2,), b"\x01\x02")))
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(_gz(_idx((2, 4, 4), b"\x00" * 32)))
    with pytest.raises(DataError, match=r"\(n, 28, 28\)"):
        prepare_mnist(tmp_path, **BINARIZATION)


def test_save_load_round_trip(tmp_path):
    ds = prepare_mnist(SAMPLE, n_train=300, n_test=60, digits=[3, 5, 8], **BINARIZATION)
    meta = {
        "binarization": "threshold",
        "threshold": 0.5,
        "n_train": np.int64(300),
        "n_test": 60,
        "digits": [3, 5, 8],
        "seed": 0,
        "sha256": dict(SAMPLE_SHA256),
    }
    path = tmp_path / "sub" / "mnist.npz"
    save_dataset(path, ds, meta)
    assert sorted(p.name for p in path.parent.iterdir()) == ["mnist.npz"]
    with np.load(path, allow_pickle=False) as data:
        assert sorted(data.files) == ["meta", "test", "test_labels", "train", "train_labels"]
        assert data["meta"].shape == () and data["meta"].dtype.kind == "U"
    back = load_dataset(path)
    for key in ("train", "train_labels", "test", "test_labels"):
        np.testing.assert_array_equal(getattr(back, key), getattr(ds, key))
        assert getattr(back, key).dtype == np.uint8
    assert back.n_visible == 784
    assert set(back.train_labels.tolist()) == {3, 5, 8}
    loaded_meta = load_meta(path)
    assert loaded_meta["n_train"] == 300 and loaded_meta["digits"] == [3, 5, 8]
    assert loaded_meta["sha256"] == SAMPLE_SHA256


def _arrays(**override):
    arrays = {
        "train": np.zeros((4, 784), np.uint8),
        "train_labels": np.zeros(4, np.uint8),
        "test": np.ones((2, 784), np.uint8),
        "test_labels": np.ones(2, np.uint8),
        "meta": np.array("{}"),
    }
    arrays.update(override)
    return {k: v for k, v in arrays.items() if v is not None}


@pytest.mark.parametrize(
    ("override", "needle"),
    [
        ({"test_labels": None}, "missing key"),
        ({"train": np.zeros((4, 784), np.float32)}, "'train' must be a 2-D uint8"),
        ({"train": np.full((4, 784), 255, np.uint8)}, "other than 0/1"),
        ({"train_labels": np.zeros(3, np.uint8)}, "do not match"),
        ({"test": np.ones((2, 100), np.uint8)}, "train has 784 pixels, test 100"),
        ({"meta": np.array("not json")}, "not valid JSON"),
    ],
)
def test_load_dataset_rejects_bad_npz(tmp_path, override, needle):
    path = tmp_path / "bad.npz"
    np.savez(path, **_arrays(**override))
    with pytest.raises(DataError, match=needle):
        load_dataset(path)


def test_load_dataset_not_npz(tmp_path):
    path = tmp_path / "bad.npz"
    path.write_bytes(b"garbage")
    with pytest.raises(DataError, match="bad.npz is damaged .*rule prepare_mnist"):
        load_dataset(path)
    with pytest.raises(DataError, match="nope.npz is missing"):
        load_dataset(tmp_path / "nope.npz")
    np.savez(tmp_path / "ok.npz", **_arrays())
    assert load_dataset(tmp_path / "ok.npz").train.shape == (4, 784)


def test_dataset_validates():
    with pytest.raises(DataError, match="uint8"):
        Dataset(
            train=np.zeros((2, 3)),
            train_labels=np.zeros(2, np.uint8),
            test=np.zeros((1, 3), np.uint8),
            test_labels=np.zeros(1, np.uint8),
        )


# --------------------------------------------------------------------------------------------
# Download: a local HTTP server on 127.0.0.1
# --------------------------------------------------------------------------------------------


def _dead_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (a port just released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


class _Server:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[str] = []
        self.flaky_failures: dict[str, int] = {}
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(root), **kwargs)

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append(self.path)
                if self.path.startswith("/flaky/"):
                    count = server.flaky_failures.get(self.path, 0)
                    if count < 2:
                        server.flaky_failures[self.path] = count + 1
                        self.send_error(503, "try again")
                        return
                    self.path = self.path.replace("/flaky/", "/good/", 1)
                elif self.path.startswith("/truncated/"):
                    data = (root / "good" / Path(self.path).name).read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.close_connection = True
                    return
                elif self.path.startswith("/slow/"):
                    time.sleep(0.5)
                    self.path = self.path.replace("/slow/", "/good/", 1)
                super().do_GET()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.httpd.handle_error = lambda request, address: None
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, folder: str) -> str:
        return f"http://127.0.0.1:{self.port}/{folder}/"

    def hits(self, folder: str) -> int:
        return sum(p.startswith(f"/{folder}/") for p in self.requests)


@pytest.fixture(scope="module")
def www(tmp_path_factory) -> Path:
    """Folders served over HTTP: good (the sample), bad (wrong content), garbage (not gzip)."""
    root = tmp_path_factory.mktemp("www")
    (root / "good").mkdir(parents=True)
    (root / "bad").mkdir()
    (root / "garbage").mkdir()
    (root / "cut").mkdir()
    for name in MNIST_FILES:
        shutil.copy(SAMPLE / f"{name}.gz", root / "good")
        raw = bytearray(_raw(name))
        raw[-1] ^= 0x01  # valid gzip and valid IDX, wrong content
        (root / "bad" / f"{name}.gz").write_bytes(gzip.compress(bytes(raw), 1, mtime=0))
        (root / "garbage" / f"{name}.gz").write_bytes(b"<html>not found</html>")
        gz = (SAMPLE / f"{name}.gz").read_bytes()
        (root / "cut" / f"{name}.gz").write_bytes(gz[: len(gz) // 2])  # gzip stream cut short
    return root


@pytest.fixture
def server(www):
    srv = _Server(www)
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
        srv.thread.join(timeout=5)


FAST = {"sha256": SAMPLE_SHA256, "retries": 3, "timeout": 2.0, "backoff": 0.0}
#: Attempts and timeout of the fetches from local sources (no network).
FETCH = {"retries": 1, "timeout": 2.0}


def _assert_sample(paths: list[Path], dest: Path) -> None:
    assert paths == [dest / f"{name}.gz" for name in MNIST_FILES]
    for name, path in zip(MNIST_FILES, paths, strict=True):
        assert sha256_decompressed(path) == SAMPLE_SHA256[name]
    assert sorted(p.name for p in dest.iterdir()) == sorted(f"{n}.gz" for n in MNIST_FILES)


def test_download_dead_mirror_then_good(server, tmp_path):
    dest = tmp_path / "raw"
    messages: list[str] = []
    paths = download_mnist([_dead_url(), server.url("good")], dest, log=messages.append, **FAST)
    _assert_sample(paths, dest)
    assert server.hits("good") == 4
    assert any("attempt 1/3 failed" in m for m in messages)
    assert any("cannot connect" in m for m in messages)
    assert read_idx(paths[1])[:10].tolist() == FIRST_TRAIN_LABELS


def test_download_corrupted_mirror_then_good(server, tmp_path):
    dest = tmp_path / "raw"
    messages: list[str] = []
    sources = [server.url("bad"), server.url("garbage"), server.url("cut"), server.url("good")]
    paths = download_mnist(sources, dest, log=messages.append, **FAST)
    _assert_sample(paths, dest)
    # A wrong file is not retried on the same mirror.
    assert server.hits("bad") == 4 and server.hits("garbage") == 4 and server.hits("cut") == 4
    assert sum("corrupted gzip" in m for m in messages) == 4
    assert sum("checksum mismatch" in m for m in messages) == 4
    assert sum("not a gzip file" in m for m in messages) == 4


def test_download_all_bad_raises_one_clear_error(server, tmp_path):
    dest = tmp_path / "raw"
    dead = _dead_url()
    sources = [dead, server.url("bad"), server.url("missing"), server.url("truncated")]
    with pytest.raises(DownloadError) as info:
        download_mnist(sources, dest, log=lambda m: None, **FAST)
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message
    assert "data.sources" in message and "--config" in message and "config.yaml" in message
    for source in sources:
        assert source in message
    assert "cannot connect" in message and "after 3 attempts" in message
    assert "checksum mismatch" in message
    assert "HTTP 404" in message
    assert "closed early" in message
    # 404 is permanent: one request; the truncated body is retried.
    assert server.hits("missing") == 1
    assert server.hits("truncated") == 3
    # Atomic: nothing (no partial or temporary file) is left behind.
    assert list(dest.iterdir()) == []


def test_download_default_checksums_reject_the_sample(server, tmp_path):
    dest = tmp_path / "raw"
    with pytest.raises(DownloadError, match="expected " + MNIST_SHA256[MNIST_FILES[0]]):
        download_mnist([server.url("good")], dest, retries=1, timeout=2.0, log=lambda m: None)
    assert list(dest.iterdir()) == []


def test_download_without_verification(server, tmp_path):
    dest = tmp_path / "raw"
    unchecked = dict.fromkeys(MNIST_FILES)
    paths = download_mnist(
        [server.url("bad")],
        dest,
        unchecked,
        retries=1,
        timeout=2.0,
        backoff=0.0,
        log=lambda m: None,
    )
    assert len(paths) == 4
    assert sha256_decompressed(paths[0]) != SAMPLE_SHA256[MNIST_FILES[0]]
    # Without a checksum the file must still be valid gzip.
    with pytest.raises(DownloadError, match="not a gzip file"):
        fetch_file(
            MNIST_FILES[0],
            [server.url("garbage")],
            tmp_path / "x",
            None,
            1,
            2.0,
            0.0,
            lambda m: None,
        )


def test_download_retries_transient_errors(server, tmp_path):
    name = MNIST_FILES[3]
    path = fetch_file(
        name,
        [server.url("flaky")],
        tmp_path / "a",
        SAMPLE_SHA256[name],
        3,
        2.0,
        0.0,
        lambda m: None,
    )
    assert sha256_decompressed(path) == SAMPLE_SHA256[name]
    assert server.hits("flaky") == 3
    with pytest.raises(DownloadError, match="HTTP 503"):
        fetch_file(
            MNIST_FILES[2], [server.url("flaky")], tmp_path / "b", None, 2, 2.0, 0.0, lambda m: None
        )
    assert server.hits("flaky") == 5


def test_download_timeout_then_good(server, tmp_path):
    name = MNIST_FILES[3]
    sources = [server.url("slow"), server.url("good")]
    path = fetch_file(name, sources, tmp_path, SAMPLE_SHA256[name], 1, 0.1, 0.0, lambda m: None)
    assert sha256_decompressed(path) == SAMPLE_SHA256[name]
    with pytest.raises(DownloadError, match="timed out"):
        fetch_file(
            MNIST_FILES[2], [server.url("slow")], tmp_path, None, 1, 0.1, 0.0, lambda m: None
        )


def test_download_skips_verified_file_and_replaces_bad_one(server, tmp_path):
    dest = tmp_path / "raw"
    messages: list[str] = []
    download_mnist([server.url("good")], dest, log=messages.append, **FAST)
    assert server.hits("good") == 4
    download_mnist([server.url("good")], dest, log=messages.append, **FAST)
    assert server.hits("good") == 4
    assert sum("present and verified" in m for m in messages) == 4
    (dest / "t10k-labels-idx1-ubyte.gz").write_bytes(b"junk")
    download_mnist([server.url("good")], dest, log=messages.append, **FAST)
    assert server.hits("good") == 5
    assert sha256_decompressed(dest / "t10k-labels-idx1-ubyte.gz") == SAMPLE_SHA256[MNIST_FILES[3]]


def test_local_folder_and_file_url_sources(tmp_path, monkeypatch):
    quiet = {"log": lambda m: None, **FAST}
    paths = download_mnist([str(SAMPLE)], tmp_path / "abs", **quiet)
    _assert_sample(paths, tmp_path / "abs")
    paths = download_mnist([SAMPLE.resolve().as_uri()], tmp_path / "uri", **quiet)
    _assert_sample(paths, tmp_path / "uri")
    # Relative folders are resolved against the current directory.
    monkeypatch.chdir(SAMPLE.parent)
    paths = download_mnist(["does-not-exist", "mnist"], tmp_path / "rel", **quiet)
    _assert_sample(paths, tmp_path / "rel")
    # Uncompressed files in a folder are gzipped, and verified.
    plain = tmp_path / "plain"
    plain.mkdir()
    for name in MNIST_FILES:
        (plain / name).write_bytes(_raw(name))
    paths = download_mnist([str(plain)], tmp_path / "gz", **quiet)
    _assert_sample(paths, tmp_path / "gz")
    assert paths[0].read_bytes()[:2] == b"\x1f\x8b"


def test_local_sources_all_failing(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "train-images-idx3-ubyte").write_bytes(_idx((1, 28, 28), b"\x00" * 784))
    sources = [str(tmp_path / "nope"), str(empty), str(wrong), "ftp://example.org/mnist/"]
    dest = tmp_path / "dest"
    with pytest.raises(DownloadError) as info:
        fetch_file(MNIST_FILES[0], sources, dest, SAMPLE_SHA256[MNIST_FILES[0]], log=print, **FETCH)
    message = str(info.value)
    assert "from any of 4 source(s)" in message
    assert "does not exist" in message and "not found (looked for" in message
    assert "checksum mismatch" in message and "unsupported URL scheme 'ftp'" in message
    assert "data.sources" in message
    assert list(dest.iterdir()) == []
    with pytest.raises(DownloadError, match="no sources configured"):
        fetch_file(MNIST_FILES[0], [], dest, None, log=print, **FETCH)


def test_constants():
    assert MNIST_FILES == (
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    )
    assert set(MNIST_SHA256) == set(MNIST_FILES)
    assert all(len(v) == 64 and int(v, 16) >= 0 for v in MNIST_SHA256.values())
    assert len(DEFAULT_MIRRORS) >= 2
    assert all(m.startswith(("http://", "https://")) and m.endswith("/") for m in DEFAULT_MIRRORS)
    with pytest.raises(ConfigError, match="unknown MNIST file"):
        download_mnist([], "unused", {"foo": None}, retries=1, timeout=2.0)


def test_meta_json_is_sorted(tmp_path):
    ds = prepare_mnist(SAMPLE, n_train=10, n_test=10, **BINARIZATION)
    save_dataset(tmp_path / "d.npz", ds, {"b": 1, "a": [1, 2]})
    with np.load(tmp_path / "d.npz") as data:
        assert json.loads(str(data["meta"])) == {"a": [1, 2], "b": 1}
        assert str(data["meta"]) == '{"a": [1, 2], "b": 1}'
