"""Settings of the data steps (``data`` section): the MNIST download and its binarization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rbm_reciprocal.pipeline import memory
from rbm_reciprocal.pipeline.step import (
    Step,
)


@dataclass(frozen=True)
class DownloadMnist:
    """download_mnist: the sources tried in order, per-file sha256 overrides (``None`` skips
    a file's check), attempts per network source and seconds per request."""

    sources: list[str]
    sha256: dict[str, str | None]
    retries: int
    timeout: float


def download_mnist(config: dict, wildcards: Any) -> DownloadMnist:
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


def prepare_mnist(config: dict, wildcards: Any) -> PrepareMnist:
    d = config["data"]
    return PrepareMnist(
        binarization=str(d["binarization"]),
        threshold=float(d["threshold"]),
        n_train=None if d["n_train"] is None else int(d["n_train"]),
        n_test=None if d["n_test"] is None else int(d["n_test"]),
        digits=None if d["digits"] is None else [int(x) for x in d["digits"]],
        seed=int(config["seed"]),
    )


#: The steps of this stage (rules of ``workflow/rules/data.smk``).
STEPS = [
    Step(
        "download_mnist",
        "light",
        arrays=memory.download_mnist,
        settings=download_mnist,
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
        settings=prepare_mnist,
        stage="data",
        outputs={"data": "results/data/mnist.npz"},
        log="prepare_mnist",
    ),
]
