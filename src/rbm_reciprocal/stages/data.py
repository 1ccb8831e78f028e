"""Stage data (workflow/rules/data.smk): fetch the MNIST files, binarize them into one npz."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rbm_reciprocal.core.io import PathLike
from rbm_reciprocal.data.dataset import Dataset, prepare_mnist, save_dataset
from rbm_reciprocal.data.idx import MNIST_FILES, sha256_decompressed


def run_prepare(raw_dir: PathLike, out: PathLike, settings: Mapping[str, Any]) -> Dataset:
    """Binarize the raw IDX files of ``raw_dir`` (``settings``: keyword arguments of
    :func:`~rbm_reciprocal.data.dataset.prepare_mnist`) and write the dataset npz ``out``,
    with the settings and the sha256 of every source file in its ``meta``."""
    ds = prepare_mnist(raw_dir, **settings)
    sources = {n: sha256_decompressed(Path(raw_dir) / f"{n}.gz") for n in MNIST_FILES}
    save_dataset(out, ds, dict(settings, sources=sources))
    print(
        f"prepared {ds.train.shape[0]} train / {ds.test.shape[0]} test images -> {out}",
        file=sys.stderr,
    )
    return ds
