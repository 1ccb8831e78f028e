"""MNIST: download with checksum verification, IDX parsing, binarization and caching.

The workflow obtains the four original MNIST IDX files (gzip-compressed), verifies each by the
sha256 of its *decompressed* content (compressed bytes differ between mirrors), parses them,
optionally keeps a digit subset and/or the first ``n`` examples, binarizes the pixels and stores
the result as one ``.npz`` file.

Sources
-------
A source is one of

* an ``http://`` or ``https://`` base URL; the file is fetched from
  ``base.rstrip('/') + '/' + name + '.gz'``;
* a ``file://`` URL of a local folder;
* a local folder path (relative paths are resolved against the current directory).

A local folder may hold ``<name>.gz`` or the uncompressed ``<name>`` (which is then gzipped).
Sources are tried in order; the config key ``data.sources`` lists them.

Dataset ``.npz`` layout
-----------------------
Written by :func:`save_dataset`, read (and validated) by :func:`load_dataset`:

=================  ==========  =========  ==================================================
key                shape       dtype      content
=================  ==========  =========  ==================================================
``train``          (n, 784)    uint8      binarized training images, values 0/1, row-major
``train_labels``   (n,)        uint8      digit labels 0..9
``test``           (m, 784)    uint8      binarized test images, values 0/1
``test_labels``    (m,)        uint8      digit labels 0..9
``meta``           ()          unicode    JSON object: binarization, threshold, n_train,
                                          n_test, digits, seed, source checksums, ...
=================  ==========  =========  ==================================================
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import math
import os
import shutil
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from .errors import ConfigError, DataError, DownloadError
from .io import atomic_path, save_npz

__all__ = [
    "DEFAULT_MIRRORS",
    "MNIST_FILES",
    "MNIST_SHA256",
    "Dataset",
    "binarize",
    "download_mnist",
    "fetch_file",
    "load_dataset",
    "load_meta",
    "parse_idx",
    "prepare_mnist",
    "raw_checksums",
    "read_idx",
    "save_dataset",
    "sha256_decompressed",
]

MNIST_FILES: tuple[str, ...] = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)

#: Official sha256 of each *decompressed* MNIST file.
MNIST_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: Public MNIST mirrors, tried in this order by default.
DEFAULT_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

#: IDX type codes and their names (for error messages); only 0x08 is supported.
_IDX_TYPES: dict[int, str] = {
    0x08: "unsigned byte",
    0x09: "signed byte",
    0x0B: "short (int16)",
    0x0C: "int (int32)",
    0x0D: "float (float32)",
    0x0E: "double (float64)",
}

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20
_USER_AGENT = "rbm-reciprocal (MNIST fetch; python-urllib)"
_CONFIG_HINT = (
    "To use a local copy instead, download the four MNIST files (or copy them from another "
    "machine) into a folder and point the config key data.sources at it, e.g.\n"
    '  snakemake --config \'data={"sources":["/path/to/mnist"]}\'\n'
    "or edit data.sources in config.yaml (a folder path or a file:// URL; the folder may hold "
    "<name>.gz or the uncompressed <name>)."
)

Log = Callable[[str], Any]


# --------------------------------------------------------------------------------------------
# IDX parsing and checksums
# --------------------------------------------------------------------------------------------


def parse_idx(raw: bytes, name: str = "<bytes>") -> np.ndarray:
    """Parse the content of an (uncompressed) IDX file.

    Parameters
    ----------
    raw : bytes
        The whole file content: magic ``00 00 <type> <ndim>``, ``ndim`` big-endian uint32
        dimensions, then the payload.
    name : str
        File name used in error messages.

    Returns
    -------
    numpy.ndarray
        A writable ``uint8`` array of shape ``dims``.

    Raises
    ------
    DataError
        If the magic is wrong, the type is not unsigned byte (0x08), the header is short, or the
        payload length differs from the product of the dimensions.
    """
    try:
        buf = memoryview(raw).cast("B")
    except TypeError as exc:
        raise DataError(f"{name}: expected bytes, got {type(raw).__name__}") from exc
    size = len(buf)
    if size < 4:
        raise DataError(f"{name}: not an IDX file (only {size} bytes; the header needs at least 4)")
    b0, b1, type_code, ndim = buf[0], buf[1], buf[2], buf[3]
    if b0 != 0 or b1 != 0:
        hint = "; it looks gzip-compressed, use read_idx" if bytes(buf[:2]) == _GZIP_MAGIC else ""
        raise DataError(
            f"{name}: not an IDX file (magic bytes {b0:02x} {b1:02x}, expected 00 00){hint}"
        )
    if type_code != 0x08:
        kind = _IDX_TYPES.get(type_code, "unknown")
        raise DataError(
            f"{name}: unsupported IDX data type 0x{type_code:02x} ({kind}); only 0x08 "
            "(unsigned byte) is supported"
        )
    if ndim < 1:
        raise DataError(f"{name}: IDX header declares 0 dimensions")
    header_len = 4 + 4 * ndim
    if size < header_len:
        raise DataError(
            f"{name}: truncated IDX header ({ndim} dimensions need {header_len} bytes, "
            f"file has {size})"
        )
    dims = struct.unpack(f">{ndim}I", bytes(buf[4:header_len]))
    expected = math.prod(dims)
    actual = size - header_len
    if actual != expected:
        what = "truncated" if actual < expected else "has trailing bytes"
        shape = " x ".join(str(d) for d in dims)
        raise DataError(
            f"{name}: IDX file {what}: dimensions {shape} need {expected} payload bytes "
            f"({header_len + expected} in all), found {actual} ({size} in all)"
        )
    return (
        np.frombuffer(buf, dtype=np.uint8, count=expected, offset=header_len).reshape(dims).copy()
    )


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == _GZIP_MAGIC


def _open_decompressed(path: Path) -> BinaryIO:
    """Open ``path`` for reading its decompressed content (gzip detected by magic bytes)."""
    if _is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if path.name.endswith(".gz"):
        raise DataError(f"{path}: named .gz but is not gzip-compressed")
    return open(path, "rb")


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file, gzip-compressed (``.gz``) or raw.

    Parameters
    ----------
    path : path-like
        The file. Gzip compression is detected from the magic bytes.

    Returns
    -------
    numpy.ndarray
        See :func:`parse_idx`.

    Raises
    ------
    DataError
        If the file is missing, the gzip stream is corrupted, or the IDX content is invalid.
    """
    path = Path(path)
    try:
        with _open_decompressed(path) as fh:
            raw = fh.read()
    except FileNotFoundError as exc:
        raise DataError(f"{path}: file not found") from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path}: cannot decompress/read ({exc}); the file is corrupted") from exc
    return parse_idx(raw, name=str(path))


def sha256_decompressed(path: str | os.PathLike) -> str:
    """Return the hex sha256 of a file's decompressed content.

    A gzip file (detected by its magic bytes) is hashed after decompression; any other file is
    hashed as is.

    Raises
    ------
    DataError
        If the file is missing or its gzip stream is corrupted or truncated.
    """
    path = Path(path)
    digest = hashlib.sha256()
    try:
        with _open_decompressed(path) as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    except FileNotFoundError as exc:
        raise DataError(f"{path}: file not found") from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path}: cannot decompress ({exc}); the file is corrupted") from exc
    return digest.hexdigest()


def raw_checksums(raw_dir: str | os.PathLike) -> dict[str, str]:
    """Return ``{name: sha256 of decompressed content}`` for the four MNIST files in a folder."""
    return {name: sha256_decompressed(_raw_file(Path(raw_dir), name)) for name in MNIST_FILES}


# --------------------------------------------------------------------------------------------
# Download
# --------------------------------------------------------------------------------------------


class _SourceFailed(Exception):
    """One source could not deliver a verified file (internal)."""


def _local_folder(source: str) -> Path | None:
    """Return the folder for a ``file://`` URL or plain path, ``None`` for a network URL."""
    parsed = urllib.parse.urlparse(source)
    if parsed.scheme in ("http", "https"):
        return None
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise _SourceFailed(f"file:// URL with a remote host {parsed.netloc!r}")
        return Path(urllib.request.url2pathname(parsed.path))
    if "://" in source:
        raise _SourceFailed(
            f"unsupported URL scheme {parsed.scheme!r} (use http, https, file or a folder path)"
        )
    return Path(source).expanduser().resolve()


def _verify(tmp: Path, name: str, sha256: str | None) -> str:
    """Check that ``tmp`` decompresses (and matches ``sha256``); return its digest."""
    with open(tmp, "rb") as fh:
        head = fh.read(16)
    if head[:2] != _GZIP_MAGIC:
        raise _SourceFailed(f"not a gzip file (starts with {head!r}; an error page?)")
    try:
        digest = sha256_decompressed(tmp)
    except DataError as exc:
        raise _SourceFailed(f"corrupted gzip ({str(exc).split(': ', 1)[-1]})") from exc
    if sha256 is not None and digest != sha256.lower():
        raise _SourceFailed(
            f"checksum mismatch: sha256 of decompressed {name} is {digest}, expected {sha256}"
        )
    return digest


def _copy_local(folder: Path, name: str, tmp: Path) -> str:
    """Copy ``<name>.gz`` (or gzip ``<name>``) from ``folder`` into ``tmp``; return origin."""
    if not folder.is_dir():
        raise _SourceFailed(f"folder {folder} does not exist")
    gz, plain = folder / f"{name}.gz", folder / name
    try:
        if gz.is_file():
            shutil.copyfile(gz, tmp)
            return str(gz)
        if plain.is_file():
            with open(plain, "rb") as src, open(tmp, "wb") as dst:
                with gzip.GzipFile(
                    filename="", mode="wb", fileobj=dst, compresslevel=6, mtime=0
                ) as out:
                    shutil.copyfileobj(src, out, _CHUNK)
            return str(plain)
    except OSError as exc:
        raise _SourceFailed(f"cannot read from {folder}: {exc}") from exc
    raise _SourceFailed(f"not found (looked for {gz} and {plain})")


def _http_get(url: str, tmp: Path, timeout: float) -> None:
    """Stream ``url`` into ``tmp``; raise on HTTP errors or a short body."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as resp, open(tmp, "wb") as fh:
        expected = resp.headers.get("Content-Length")
        written = 0
        while chunk := resp.read(_CHUNK):
            fh.write(chunk)
            written += len(chunk)
    if expected is not None and expected.isdigit() and written != int(expected):
        raise http.client.IncompleteRead(b"", int(expected) - written)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"cannot connect ({exc.reason})"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, http.client.IncompleteRead):
        return f"connection closed early ({exc.expected} bytes missing)"
    return f"{type(exc).__name__}: {exc}"


def _fetch_http(
    url: str,
    name: str,
    dest: Path,
    sha256: str | None,
    retries: int,
    timeout: float,
    backoff: float,
    log: Log,
) -> None:
    """Download ``url`` to ``dest`` atomically with retries; raise _SourceFailed if it fails."""
    attempts = max(1, int(retries))
    reason = ""
    for k in range(attempts):
        try:
            with atomic_path(dest) as tmp:
                _http_get(url, tmp, timeout)
                _verify(tmp, name, sha256)
            return
        except _SourceFailed:
            raise  # a bad file: retrying the same mirror would not help
        except urllib.error.HTTPError as exc:
            reason = _describe(exc)
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise _SourceFailed(reason) from exc  # permanent (e.g. 404)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            reason = _describe(exc)
        if k + 1 < attempts:
            delay = backoff * 2**k
            log(f"  {url}: attempt {k + 1}/{attempts} failed ({reason}); retrying in {delay:g} s")
            if delay > 0:
                time.sleep(delay)
    raise _SourceFailed(f"{reason} (after {attempts} attempt{'s' if attempts > 1 else ''})")


def fetch_file(
    name: str,
    sources: Sequence[str],
    dest_dir: str | os.PathLike,
    sha256: str | None,
    retries: int = 3,
    timeout: float = 30.0,
    backoff: float = 1.0,
    log: Log = print,
) -> Path:
    """Obtain ``<name>.gz`` into ``dest_dir`` from the first source that delivers a valid copy.

    Parameters
    ----------
    name : str
        File name without ``.gz``, e.g. ``"train-images-idx3-ubyte"``.
    sources : sequence of str
        Base URLs (``http``/``https``), ``file://`` URLs or local folder paths, tried in order
        (see the module docstring). A single string is accepted as a one-element list.
    dest_dir : path-like
        Destination folder (created if needed). The result is ``dest_dir / (name + ".gz")``.
    sha256 : str or None
        Expected sha256 of the *decompressed* file; ``None`` only checks that it decompresses.
    retries : int
        Attempts per network source (connection errors, timeouts, 5xx); 4xx errors other than
        408/429 and checksum mismatches move on to the next source at once.
    timeout : float
        Socket timeout in seconds for each request.
    backoff : float
        Wait ``backoff * 2**k`` seconds after failed attempt ``k`` (0-based).
    log : callable
        Receives one progress message per call.

    Returns
    -------
    pathlib.Path
        The verified file. It is written atomically (temporary file in ``dest_dir`` then
        ``os.replace``); an existing file that verifies is kept without fetching.

    Raises
    ------
    DownloadError
        If no source delivers a valid file; the message lists every source with its reason and
        how to set ``data.sources`` to a local copy.
    """
    if isinstance(sources, (str, os.PathLike)):
        sources = [os.fspath(sources)]
    dest_dir = Path(dest_dir)
    dest = dest_dir / f"{name}.gz"
    if dest.is_file():
        try:
            _verify(dest, name, sha256)
            log(f"{dest}: present and verified, not fetching")
            return dest
        except _SourceFailed as exc:
            log(f"{dest}: present but invalid ({exc}); fetching again")
    dest_dir.mkdir(parents=True, exist_ok=True)

    failures: list[str] = []
    for source in sources:
        source = os.fspath(source)
        try:
            folder = _local_folder(source)
            if folder is None:
                url = source.rstrip("/") + "/" + name + ".gz"
                log(f"{name}.gz: downloading {url}")
                _fetch_http(url, name, dest, sha256, retries, timeout, backoff, log)
                origin = url
            else:
                log(f"{name}.gz: copying from {folder}")
                with atomic_path(dest) as tmp:
                    origin = _copy_local(folder, name, tmp)
                    _verify(tmp, name, sha256)
            log(f"{name}.gz: obtained from {origin}" + (", checksum OK" if sha256 else ""))
            return dest
        except _SourceFailed as exc:
            log(f"{name}.gz: source {source} failed: {exc}")
            failures.append(f"  - {source}: {exc}")
    tried = "\n".join(failures) if failures else "  (no sources configured)"
    raise DownloadError(
        f"Could not obtain MNIST file {name}.gz from any of {len(failures)} source(s):\n"
        f"{tried}\n{_CONFIG_HINT}"
    )


def download_mnist(
    sources: Sequence[str],
    dest_dir: str | os.PathLike,
    sha256: Mapping[str, str | None] | None = None,
    retries: int = 3,
    timeout: float = 30.0,
    backoff: float = 1.0,
    log: Log = print,
) -> list[Path]:
    """Fetch the four MNIST files into ``dest_dir`` (see :func:`fetch_file`).

    Parameters
    ----------
    sources : sequence of str
        Sources tried in order for every file.
    dest_dir : path-like
        Destination folder.
    sha256 : mapping, optional
        Per-file overrides of :data:`MNIST_SHA256`; a value ``None`` skips verification of
        that file (it must still decompress).
    retries, timeout, backoff, log
        As in :func:`fetch_file`.

    Returns
    -------
    list of pathlib.Path
        The four ``.gz`` files, in :data:`MNIST_FILES` order.
    """
    checksums: dict[str, str | None] = dict(MNIST_SHA256)
    if sha256 is not None:
        unknown = set(sha256) - set(MNIST_FILES)
        if unknown:
            raise ConfigError(f"unknown MNIST file name(s) in sha256: {sorted(unknown)}")
        checksums.update(sha256)
    return [
        fetch_file(name, sources, dest_dir, checksums[name], retries, timeout, backoff, log)
        for name in MNIST_FILES
    ]


# --------------------------------------------------------------------------------------------
# Binarization and the prepared dataset
# --------------------------------------------------------------------------------------------


def binarize(
    images: np.ndarray,
    method: str = "threshold",
    threshold: float = 0.5,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Binarize ``uint8`` images to 0/1.

    Parameters
    ----------
    images : numpy.ndarray
        ``uint8`` array of shape ``(n, h, w)`` or ``(n, d)``.
    method : {"threshold", "stochastic"}
        ``"threshold"``: 1 where ``pixel / 255 >= threshold`` (the paper's choice, 0.5; pixel
        127 -> 0, 128 -> 1). ``"stochastic"``: 1 with probability ``pixel / 255``.
    threshold : float
        Threshold in [0, 1] for ``"threshold"``.
    rng : numpy.random.Generator, optional
        Required for ``"stochastic"``.

    Returns
    -------
    numpy.ndarray
        ``uint8`` array of shape ``(n, h * w)`` (or ``(n, d)``) with values 0/1.

    Raises
    ------
    DataError
        If ``images`` is not a 2-D/3-D ``uint8`` array.
    ConfigError
        For an unknown method, a threshold outside [0, 1], or a missing ``rng``.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise DataError(f"binarize expects uint8 images, got dtype {images.dtype}")
    if images.ndim not in (2, 3):
        raise DataError(f"binarize expects shape (n, h, w) or (n, d), got {images.shape}")
    flat = images.reshape(images.shape[0], -1)
    prob = flat.astype(np.float64) / 255.0
    if method == "threshold":
        if not (isinstance(threshold, (int, float)) and 0.0 <= float(threshold) <= 1.0):
            raise ConfigError(f"binarization threshold must be in [0, 1], got {threshold!r}")
        return (prob >= float(threshold)).astype(np.uint8)
    if method == "stochastic":
        if rng is None:
            raise ConfigError("stochastic binarization needs a random generator (rng)")
        return (rng.random(prob.shape) < prob).astype(np.uint8)
    raise ConfigError(
        f"unknown binarization method {method!r}; expected 'threshold' or 'stochastic'"
    )


@dataclass(frozen=True)
class Dataset:
    """A binarized MNIST split.

    Attributes
    ----------
    train : numpy.ndarray
        ``(n, 784)`` uint8, values 0/1.
    train_labels : numpy.ndarray
        ``(n,)`` uint8 digit labels.
    test : numpy.ndarray
        ``(m, 784)`` uint8, values 0/1.
    test_labels : numpy.ndarray
        ``(m,)`` uint8 digit labels.
    """

    train: np.ndarray
    train_labels: np.ndarray
    test: np.ndarray
    test_labels: np.ndarray

    def __post_init__(self) -> None:
        for key in ("train", "train_labels", "test", "test_labels"):
            arr = getattr(self, key)
            if not isinstance(arr, np.ndarray) or arr.dtype != np.uint8:
                dtype = getattr(arr, "dtype", type(arr).__name__)
                raise DataError(f"Dataset.{key} must be a uint8 array, got {dtype}")
        for data, labels, split in (
            (self.train, self.train_labels, "train"),
            (self.test, self.test_labels, "test"),
        ):
            if data.ndim != 2 or labels.ndim != 1 or data.shape[0] != labels.shape[0]:
                raise DataError(
                    f"Dataset {split}: images {data.shape} and labels {labels.shape} do not "
                    "match (expected (n, d) and (n,))"
                )
        if self.train.shape[1] != self.test.shape[1]:
            raise DataError(
                f"Dataset: train has {self.train.shape[1]} pixels, test {self.test.shape[1]}"
            )

    @property
    def n_visible(self) -> int:
        """Number of visible units (pixels per image)."""
        return int(self.train.shape[1])


def _raw_file(raw_dir: Path, name: str) -> Path:
    for candidate in (raw_dir / f"{name}.gz", raw_dir / name):
        if candidate.is_file():
            return candidate
    raise DataError(f"MNIST file {raw_dir / (name + '.gz')} not found (run the download step)")


def _load_split(raw_dir: Path, images_name: str, labels_name: str) -> tuple[np.ndarray, ...]:
    images = read_idx(_raw_file(raw_dir, images_name))
    labels = read_idx(_raw_file(raw_dir, labels_name))
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataError(f"{images_name}: expected images of shape (n, 28, 28), got {images.shape}")
    if labels.ndim != 1:
        raise DataError(f"{labels_name}: expected a 1-D label array, got shape {labels.shape}")
    if images.shape[0] != labels.shape[0]:
        raise DataError(
            f"{images_name} has {images.shape[0]} images but {labels_name} has "
            f"{labels.shape[0]} labels"
        )
    if labels.size and int(labels.max()) > 9:
        raise DataError(f"{labels_name}: label {int(labels.max())} is not a digit 0..9")
    return images, labels


def _subset(n: int | None, available: int, what: str) -> int:
    if n is None:
        return available
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ConfigError(f"{what} must be a positive integer or null, got {n!r}")
    if n > available:
        raise ConfigError(f"{what}={n} exceeds the {available} examples available")
    return int(n)


def prepare_mnist(
    raw_dir: str | os.PathLike,
    binarization: str = "threshold",
    threshold: float = 0.5,
    n_train: int | None = None,
    n_test: int | None = None,
    digits: Sequence[int] | None = None,
    seed: int = 0,
) -> Dataset:
    """Read the raw MNIST files and return a binarized :class:`Dataset`.

    Parameters
    ----------
    raw_dir : path-like
        Folder with the four ``<name>.gz`` files (an uncompressed ``<name>`` is accepted).
    binarization : {"threshold", "stochastic"}
        See :func:`binarize`.
    threshold : float
        Threshold for ``"threshold"`` binarization.
    n_train, n_test : int, optional
        Keep only the first ``n`` examples (after the digit filter); ``None`` keeps all.
    digits : sequence of int, optional
        Keep only these labels (e.g. ``[0, 1]``); ``None`` keeps all ten.
    seed : int
        Seed of the generator ``default_rng(SeedSequence(seed))`` used by stochastic
        binarization (train first, then test).

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        Missing or invalid raw files, images/labels count mismatch, wrong image shape.
    ConfigError
        Invalid digits, subset sizes or binarization settings.
    """
    raw_dir = Path(raw_dir)
    train, train_labels = _load_split(raw_dir, MNIST_FILES[0], MNIST_FILES[1])
    test, test_labels = _load_split(raw_dir, MNIST_FILES[2], MNIST_FILES[3])

    if digits is not None:
        digit_list = list(digits)
        if not digit_list or any(
            isinstance(d, bool) or not isinstance(d, (int, np.integer)) or not 0 <= d <= 9
            for d in digit_list
        ):
            raise ConfigError(f"digits must be a non-empty list of integers 0..9, got {digits!r}")
        keep = np.asarray(sorted(set(int(d) for d in digit_list)), dtype=np.uint8)
        mask_train = np.isin(train_labels, keep)
        mask_test = np.isin(test_labels, keep)
        train, train_labels = train[mask_train], train_labels[mask_train]
        test, test_labels = test[mask_test], test_labels[mask_test]

    n_tr = _subset(n_train, train.shape[0], "n_train")
    n_te = _subset(n_test, test.shape[0], "n_test")
    train, train_labels = train[:n_tr], train_labels[:n_tr]
    test, test_labels = test[:n_te], test_labels[:n_te]

    rng = np.random.default_rng(np.random.SeedSequence(seed))
    return Dataset(
        train=binarize(train, binarization, threshold, rng),
        train_labels=np.ascontiguousarray(train_labels),
        test=binarize(test, binarization, threshold, rng),
        test_labels=np.ascontiguousarray(test_labels),
    )


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


def save_dataset(path: str | os.PathLike, ds: Dataset, meta: Mapping[str, Any]) -> None:
    """Write ``ds`` and ``meta`` to an ``.npz`` atomically (layout in the module docstring).

    Parameters
    ----------
    path : path-like
        Output file.
    ds : Dataset
        The data.
    meta : mapping
        JSON-serializable provenance (binarization, threshold, n_train, n_test, digits, seed,
        source checksums, ...), stored as a 0-d unicode array under ``meta``.
    """
    try:
        meta_json = json.dumps(dict(meta), sort_keys=True, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise DataError(f"dataset metadata is not JSON serializable: {exc}") from exc
    save_npz(
        path,
        train=ds.train,
        train_labels=ds.train_labels,
        test=ds.test,
        test_labels=ds.test_labels,
        meta=np.array(meta_json),
    )


_DATASET_KEYS = ("train", "train_labels", "test", "test_labels", "meta")


def _load_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except FileNotFoundError as exc:
        raise DataError(f"{path}: dataset file not found") from exc
    except Exception as exc:  # zipfile.BadZipFile, ValueError, OSError, EOFError, ...
        raise DataError(f"{path}: not a readable .npz dataset ({exc})") from exc
    missing = [k for k in _DATASET_KEYS if k not in arrays]
    if missing:
        raise DataError(f"{path}: dataset is missing key(s) {missing}; found {sorted(arrays)}")
    return arrays


def _parse_meta(path: Path, meta: np.ndarray) -> dict[str, Any]:
    if meta.shape != () or meta.dtype.kind != "U":
        raise DataError(
            f"{path}: 'meta' must be a 0-d unicode array, got {meta.dtype} {meta.shape}"
        )
    try:
        value = json.loads(str(meta))
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: 'meta' is not valid JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise DataError(f"{path}: 'meta' must be a JSON object")
    return value


def load_dataset(path: str | os.PathLike) -> Dataset:
    """Load and validate a dataset written by :func:`save_dataset`.

    Raises
    ------
    DataError
        If the file is missing, not an ``.npz``, lacks a key, or has wrong dtypes, shapes or
        non-binary pixel values.
    """
    path = Path(path)
    arrays = _load_npz(path)
    _parse_meta(path, arrays["meta"])
    for key in ("train", "test"):
        arr = arrays[key]
        if arr.dtype != np.uint8 or arr.ndim != 2:
            raise DataError(
                f"{path}: '{key}' must be a 2-D uint8 array, got {arr.dtype} {arr.shape}"
            )
        if arr.size and int(arr.max()) > 1:
            raise DataError(f"{path}: '{key}' has values other than 0/1 (max {int(arr.max())})")
    for key in ("train_labels", "test_labels"):
        arr = arrays[key]
        if arr.dtype != np.uint8 or arr.ndim != 1:
            raise DataError(
                f"{path}: '{key}' must be a 1-D uint8 array, got {arr.dtype} {arr.shape}"
            )
    try:
        return Dataset(
            train=arrays["train"],
            train_labels=arrays["train_labels"],
            test=arrays["test"],
            test_labels=arrays["test_labels"],
        )
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from exc


def load_meta(path: str | os.PathLike) -> dict[str, Any]:
    """Return the ``meta`` JSON object of a dataset ``.npz``."""
    path = Path(path)
    return _parse_meta(path, _load_npz(path)["meta"])
