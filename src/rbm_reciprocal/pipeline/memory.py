"""Peak memory of a job: its imports (:data:`BASE_MB`) plus the arrays it holds at once.

One function per step (``fn(config, wildcards) -> bytes``, named after its rule; the table of
:mod:`rbm_reciprocal.stages.registry` says which step uses which), counted from a validated
config. Upper bounds by construction: every array the job's code keeps alive at once is
counted at its stored dtype, plus temporaries of the same size where numpy makes them.
``tests/workflow/test_resources.py`` checks them against the peak RSS Snakemake measured
(the peak RSS on the last line of every job's log) for every job of the smoke run.
"""

from __future__ import annotations

from typing import Any

from rbm_reciprocal.pipeline.cost import N_VISIBLE, model_hidden, n_images
from rbm_reciprocal.pipeline.cost_loglik import trajectory_nodes

F32, F64 = 4, 8
N = N_VISIBLE

#: Peak RSS (MB) of a job's imports, before its arrays, per kind of step. Every job runs the
#: CLI, which imports the whole package (numpy, numba, scipy, pandas, pyarrow, matplotlib) at
#: start-up; the kinds differ by what the job then does: ``light`` (tables, downloads),
#: ``compute`` (compiles and runs the Gibbs/AIS kernels), ``figure`` (renders with
#: matplotlib). Snakemake's benchmarks of the smoke run (tiny arrays) measured up to 381, 453
#: and 426 MB in a fresh clone (first imports, numba compiling its kernels, matplotlib
#: building its font cache).
BASE_MB = {"light": 450, "compute": 550, "figure": 500}


def weights(m: int, copies: int, itemsize: int = F64) -> float:
    """``copies`` weight matrices ``N x m``."""
    return copies * N * m * itemsize


def chains(c: int, m: int, copies: int = 6, itemsize: int = F64) -> float:
    """``copies`` arrays of ``c`` chains of ``N + m`` units."""
    return copies * c * (N + m) * itemsize


def data_f32(config: dict) -> int:
    """A loaded data set (train and test images) as float32."""
    return (n_images(config, "train") + n_images(config, "test")) * N * F32


def largest_hidden(config: dict) -> int:
    return max(int(m) for m in config["model"]["hidden"])


def job_hidden(config: dict, wildcards: Any) -> int:
    """The job's ``{hidden}`` wildcard, else the largest of ``model.hidden``."""
    value = getattr(wildcards, "hidden", None) if wildcards is not None else None
    return int(value) if value is not None else largest_hidden(config)


def nothing(config: dict, wildcards: Any) -> float:
    """Tables, claims, figures: small inputs."""
    return 0.0


def download_mnist(config: dict, wildcards: Any) -> float:
    return 2 * 60_000 * N  # the largest file, compressed and decompressed


def prepare_mnist(config: dict, wildcards: Any) -> float:
    return (60_000 + 10_000) * N + 3 * data_f32(config)  # uint8 images, float copies


def train_rbm(config: dict, wildcards: Any, replicas: int = 1) -> float:
    """One data set, and ``replicas`` sets of parameters, optimiser moments and chains."""
    tr = config["training"]
    m = job_hidden(config, wildcards)
    c = max(int(tr["batch_size"]), int(tr["n_chains"]))
    return data_f32(config) + replicas * (weights(m, 12, F32) + chains(c, m, 8, F32))


def train_rbm_batched(config: dict, wildcards: Any) -> float:
    """Every replica of one (method, hidden size) in one job."""
    return train_rbm(config, wildcards, int(config["model"]["replicas"]))


def loglik(config: dict, wildcards: Any) -> float:
    """A standard AIS + reverse AIS job (``loglik``, ``loglik_crosscheck``): data, model,
    chains, and the ``2^min(N, M)`` states of the exact ``log Z`` when it is enumerated."""
    ll = config["loglik"]
    m = job_hidden(config, wildcards)
    exact = 0.0
    small = min(N, m)
    if small <= int(ll["exact_max_units"]):
        exact = 3 * 2**small * max(N, m) * F64
    c = int(ll["n_chains"])
    return 2 * data_f32(config) + weights(m, 6) + chains(c, m, 10) + exact


def loglik_trajectory(config: dict, wildcards: Any) -> float:
    """:func:`loglik` plus every checkpoint of the path (float32), ``[W_k | W_k+1]`` and
    ``W(t)``, and the sampler's state: the PTT ladder, or the trajectory AIS's per-node
    log-weights (forward, reverse) and its second copy while saving."""
    base = loglik(config, wildcards)
    ll, m = config["loglik"], job_hidden(config, wildcards)
    c = int(ll["n_chains"])
    method = getattr(wildcards, "method", None) or config["training"]["methods"][0]
    nodes = trajectory_nodes(config, method)[0]
    traj = ll["trajectory"]
    if traj["sampler"] == "pt":
        # the ladder state (chains and fields float32, recorded works float64) three
        # times (the state, its working copy, the saved copy), and two rung models
        pt = traj["pt"]
        r, cp = int(pt["rungs"]), int(pt["chains"])
        rungs = r * (nodes - 1) + 1 + (nodes - 1)  # + segment cuts at most
        sweeps, burn = int(pt["sweeps"]), int(pt["burn"])
        rec = max(0, (sweeps - burn) // (2 * int(pt["thin"])))
        ladder = 3 * (rungs * cp * (N + m) * F32 + 2 * rungs * rec * cp * F64)
        return base + weights(m, nodes + 4, F32) + ladder
    return base + weights(m, nodes + 3, F32) + 4 * nodes * c * F64 + chains(c, m, 8)


def random_spectrum(config: dict, wildcards: Any) -> float:
    """SVD workspace, plus the table of every singular value (7 columns) and its arrow copy
    (claims 1-2)."""
    m = job_hidden(config, wildcards)
    rnd = config["spectra"]["random"]
    v = int(rnd["visible"])
    return 6 * v * m * F64 + 2 * 7 * int(rnd["n_matrices"]) * min(v, m) * F64


def trained_spectra(config: dict, wildcards: Any) -> float:
    return weights(largest_hidden(config), 6)


def kurtosis(config: dict, wildcards: Any) -> float:
    k = config["spectra"]["kurtosis"]
    size = max([int(s) for s in k["sizes"]] + [int(k["fixed_hidden"])])
    size = max(size, int(k["fixed_visible"]))
    batch = int(k["batch_size"])
    return 5 * batch * size * F64 + 6 * size * size * F64


def symmetry_reference(config: dict, wildcards: Any) -> float:
    """``untrained_reference`` and ``rotation_js``: a model, its rotations and histograms."""
    m = max(largest_hidden(config), int(config["symmetry"]["reference"]["hidden"]))
    bins = int(config["symmetry"]["js_bins"])
    return weights(m, 8) + 4 * (N * N + m * m) * F64 + 4 * bins * m * F64


def rotated_samples(config: dict, wildcards: Any) -> float:
    m = model_hidden(config, "symmetry")
    s = config["symmetry"]["samples"]
    return weights(m, 8) + 4 * (N * N + m * m) * F64 + chains(int(s["chains"]), m)


def landscape(config: dict, wildcards: Any) -> float:
    """``landscape_sample`` and ``landscape_points``."""
    m = model_hidden(config, "reciprocal")
    g = config["reciprocal"]["gibbs"]
    return 3 * data_f32(config) + 2 * weights(m, 4) + chains(int(g["n_chains"]), m)


def uniform_projections(config: dict, wildcards: Any) -> float:
    m = model_hidden(config, "reciprocal")
    f5 = config["reciprocal"]["fig5"]
    return 2 * weights(m, 4) + 4 * int(f5["n_samples"]) * (N + m) * F64


def mode_trajectory(config: dict, wildcards: Any) -> float:
    m = job_hidden(config, wildcards)
    lan = config["landau"]
    batch = min(int(lan["uniform_states"]), 100_000)
    return (
        3 * data_f32(config)
        + weights(m, 7)  # this and the previous checkpoint, SVD factors
        + chains(int(lan["gibbs_chains"]), m)
        # a batch of uniform states (bits, then float32), or the large-deviation
        # potential's (grid x units) temporaries, which are freed before
        + max(5 * batch * max(N, m), 4 * 4001 * (N + m) * F64)
    )


def uniform_moments(config: dict, wildcards: Any) -> float:
    m = model_hidden(config, "diffusion")
    return 2 * weights(m, 4) + 4 * 5000 * (N + m) * F64


def pc_alignment(config: dict, wildcards: Any) -> float:
    models = len(config["model"]["hidden"])
    return 3 * data_f32(config) * 2 + 4 * N * N * F64 + models * weights(largest_hidden(config), 2)


def diffusion(config: dict, wildcards: Any) -> float:
    m = model_hidden(config, "diffusion")
    d = config["diffusion"]
    dim = N + m + 2
    walkers = int(d["walkers"])
    grid = int(d["grid"])
    return (
        weights(m, 4)
        + 6 * dim * dim * F64
        + 4 * 5000 * dim * F64
        + 8 * walkers * F64 * int(d["records"])
        + 8 * grid * grid * F64 / max(grid, 1)
    )
