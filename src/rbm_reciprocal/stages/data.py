"""Stage data (workflow/rules/data.smk): fetch the MNIST files, binarize them into one npz."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.io import PathLike
from rbm_reciprocal.data.dataset import Dataset, prepare_mnist, save_dataset
from rbm_reciprocal.data.fetch import download_mnist
from rbm_reciprocal.data.idx import MNIST_FILES, sha256_decompressed
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.plans import data as ss


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


def one_folder(files: list[str], what: str) -> Path:
    """The folder of the MNIST files ``files``, each ``<folder>/<name>.gz`` of
    :data:`~rbm_reciprocal.data.idx.MNIST_FILES`.

    Raises
    ------
    ConfigError
        If they are other files, or in several folders.
    """
    folders = {Path(f).parent for f in files}
    names = sorted(Path(f).name for f in files)
    if len(folders) != 1 or names != sorted(f"{n}.gz" for n in MNIST_FILES):
        raise ConfigError(f"the {what} must be the four MNIST files in one folder: {files}")
    return folders.pop()


def download_mnist_job(job: Job) -> None:
    """Rule download_mnist: :func:`~rbm_reciprocal.data.fetch.download_mnist` into the folder
    of the job's outputs."""
    s = ss.DownloadMnist(**job.settings)
    out = one_folder(list(job.output.values()), "outputs of download_mnist")
    download_mnist(s.sources, out, sha256=s.sha256, retries=s.retries, timeout=s.timeout)


def prepare_mnist_job(job: Job) -> None:
    """Rule prepare_mnist: :func:`run_prepare` of the downloaded files (input ``raw``)."""
    s = ss.PrepareMnist(**job.settings)
    raw = one_folder(job.input["raw"], "inputs of prepare_mnist")
    run_prepare(raw, job.output["data"], dataclasses.asdict(s))


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {"download_mnist": download_mnist_job, "prepare_mnist": prepare_mnist_job}
