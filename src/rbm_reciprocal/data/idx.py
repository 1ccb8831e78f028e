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
import math
import os
import struct
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from rbm_reciprocal.core.errors import DataError

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


#: IDX type codes and their names (for error messages); only 0x08 is supported.
_IDX_TYPES: dict[int, str] = {
    0x08: "unsigned byte",
    0x09: "signed byte",
    0x0B: "short (int16)",
    0x0C: "int (int32)",
    0x0D: "float (float32)",
    0x0E: "double (float64)",
}


CHUNK = 1 << 20

GZIP_MAGIC = b"\x1f\x8b"


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
        hint = "; it looks gzip-compressed, use read_idx" if bytes(buf[:2]) == GZIP_MAGIC else ""
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
        return fh.read(2) == GZIP_MAGIC


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
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
    except FileNotFoundError as exc:
        raise DataError(f"{path}: file not found") from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path}: cannot decompress ({exc}); the file is corrupted") from exc
    return digest.hexdigest()


def raw_checksums(raw_dir: str | os.PathLike) -> dict[str, str]:
    """Return ``{name: sha256 of decompressed content}`` for the four MNIST files in a folder."""
    return {name: sha256_decompressed(raw_file(Path(raw_dir), name)) for name in MNIST_FILES}


def raw_file(raw_dir: Path, name: str) -> Path:
    for candidate in (raw_dir / f"{name}.gz", raw_dir / name):
        if candidate.is_file():
            return candidate
    raise DataError(f"MNIST file {raw_dir / (name + '.gz')} not found (run the download step)")
