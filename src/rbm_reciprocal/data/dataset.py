"""The binarized data set: binarization, subsets, the npz layout, its reader and writer."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rbm_reciprocal.core.errors import ConfigError, DataError
from rbm_reciprocal.core.io import load_npz, save_npz
from rbm_reciprocal.core.streams import stream
from rbm_reciprocal.data.idx import MNIST_FILES, raw_file, read_idx


def binarize(
    images: np.ndarray,
    method: str,
    threshold: float,
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


def _load_split(raw_dir: Path, images_name: str, labels_name: str) -> tuple[np.ndarray, ...]:
    images = read_idx(raw_file(raw_dir, images_name))
    labels = read_idx(raw_file(raw_dir, labels_name))
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
    binarization: str,
    threshold: float,
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
        Seed of the stream ``stream(seed)`` (:mod:`rbm_reciprocal.core.streams`) of stochastic
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

    rng = stream(seed)
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
    arrays = load_npz(path, "prepare_mnist")  # a damaged file: one line, the rule to rerun
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
