"""Stage data (workflow/rules/data.smk): fetch the MNIST files, binarize them into one npz."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rbm_reciprocal.core.errors import ConfigError
from rbm_reciprocal.core.io import PathLike
from rbm_reciprocal.data.dataset import Dataset, prepare_mnist, save_dataset
from rbm_reciprocal.data.fetch import download_mnist
from rbm_reciprocal.data.idx import MNIST_FILES, sha256_decompressed
from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.job import Job
from rbm_reciprocal.pipeline.step import Step


@dataclass(frozen=True)
class DownloadMnist:
    """download_mnist: the sources tried in order, per-file sha256 overrides (``None`` skips
    a file's check), attempts per network source and seconds per request."""

    sources: list[str]
    sha256: dict[str, str | None]
    retries: int
    timeout: float


def download_mnist_settings(config: dict, wildcards: Any) -> DownloadMnist:
    d = config["data"]
    return DownloadMnist(
        [str(s) for s in d["sources"]], dict(d["sha256"]), int(d["retries"]), float(d["timeout"])
    )


@dataclass(frozen=True)
class PrepareMnist:
    """prepare_mnist: keyword arguments of :func:`rbm_reciprocal.data.dataset.prepare_mnist`
    (binarization, the first ``n_train`` / ``n_test`` images, the digits kept, the seed of
    stochastic binarization)."""

    binarization: str
    threshold: float
    n_train: int | None
    n_test: int | None
    digits: list[int] | None
    seed: int


def prepare_mnist_settings(config: dict, wildcards: Any) -> PrepareMnist:
    d = config["data"]
    return PrepareMnist(
        binarization=str(d["binarization"]),
        threshold=float(d["threshold"]),
        n_train=None if d["n_train"] is None else int(d["n_train"]),
        n_test=None if d["n_test"] is None else int(d["n_test"]),
        digits=None if d["digits"] is None else [int(x) for x in d["digits"]],
        seed=int(config["seed"]),
    )


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
    s = DownloadMnist(**job.settings)
    out = one_folder(list(job.output.values()), "outputs of download_mnist")
    download_mnist(s.sources, out, sha256=s.sha256, retries=s.retries, timeout=s.timeout)


def prepare_mnist_job(job: Job) -> None:
    """Rule prepare_mnist: :func:`run_prepare` of the downloaded files (input ``raw``)."""
    s = PrepareMnist(**job.settings)
    raw = one_folder(job.input["raw"], "inputs of prepare_mnist")
    run_prepare(raw, job.output["data"], dataclasses.asdict(s))


#: The job of each step of this stage (see :mod:`rbm_reciprocal.stages.registry`).
JOBS = {"download_mnist": download_mnist_job, "prepare_mnist": prepare_mnist_job}


#: The steps of this stage (rules of ``workflow/rules/data.smk``).
STEPS = [
    Step(
        "download_mnist",
        "light",
        arrays=memory.download_mnist,
        settings=download_mnist_settings,
        stage="data",
        outputs={
            "train_images_idx3_ubyte": "results/data/raw/train-images-idx3-ubyte.gz",
            "train_labels_idx1_ubyte": "results/data/raw/train-labels-idx1-ubyte.gz",
            "t10k_images_idx3_ubyte": "results/data/raw/t10k-images-idx3-ubyte.gz",
            "t10k_labels_idx1_ubyte": "results/data/raw/t10k-labels-idx1-ubyte.gz",
        },
        log="download_mnist",
    ),
    Step(
        "prepare_mnist",
        "light",
        arrays=memory.prepare_mnist,
        settings=prepare_mnist_settings,
        stage="data",
        outputs={"data": "results/data/mnist.npz"},
        log="prepare_mnist",
    ),
]
