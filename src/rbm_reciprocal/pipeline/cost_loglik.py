"""Cost model of the log-likelihood family (Fig. 1 left): standard AIS + reverse AIS jobs,
trajectory passes and their crosschecks, counted in sweeps and GEMM FLOPs."""

from __future__ import annotations

from rbm_reciprocal.pipeline.config import checkpoint_epochs_from_config
from rbm_reciprocal.pipeline.cost import (
    LOGLIK_FAMILY,
    N_VISIBLE,
    Cost,
    gemm_flops,
    n_images,
)
from rbm_reciprocal.pipeline.loglik_epochs import (
    crosscheck_epochs_from_config,
    loglik_epochs_from_config,
    trajectory_epochs_from_config,
)


def loglik_job_cost(config: dict, method: str, hidden: int, role: str = "standard") -> Cost:
    """One standard ``loglik`` job (one checkpoint): model samples, AIS and reverse AIS, LL
    of the data; ``role="crosscheck"``: the same at ``loglik.crosscheck.betas``
    (``loglik_crosscheck``, one job per crosschecked epoch).

    With ``n`` betas each direction makes ``n - 1`` weight updates (one ``v W`` GEMM each)
    and ``n - 2`` visible samplings (``h W^T``), i.e. ``n - 1`` sweeps; the model-sample
    chains make ``sample_sweeps`` sweeps; ``-F(v)`` of every train and test image is one
    GEMM; exact ``log Z`` by enumeration is added when ``min(N, M) <= exact_max_units``.
    """
    ll = config["loglik"]
    n, m = N_VISIBLE, int(hidden)
    c = int(ll["n_chains"])
    check = role == "crosscheck"
    n_betas = int(ll["crosscheck"]["betas"] if check else ll["betas"]["n"])
    checkpoints = checkpoint_epochs_from_config(config, method)
    epochs = (
        crosscheck_epochs_from_config(config, checkpoints)
        if check
        else loglik_epochs_from_config(config, checkpoints)
    )
    sample_sweeps = int(ll["sample_sweeps"])
    gemm = 2 * (2 * n_betas - 3) * gemm_flops(c, n, m)  # AIS + reverse AIS
    gemm += (2 * sample_sweeps + 1) * gemm_flops(c, n, m)  # model samples + marginals
    gemm += _data_and_exact_flops(config, m)
    return Cost(
        LOGLIK_FAMILY,
        "loglik_crosscheck" if check else "loglik",
        f"{method} M={m}: AIS + reverse AIS" + (" (crosscheck)" if check else ""),
        int(config["model"]["replicas"]) * len(epochs),
        sweeps=2 * (n_betas - 1) + sample_sweeps,
        gemm=gemm,
        rows=c,
        hidden=m,
        extra={"betas": n_betas, "chains": c, "checkpoints": len(epochs)},
    )


def _data_and_exact_flops(config: dict, m: int) -> float:
    """``-F(v)`` of every train and test image, and exact ``log Z`` when enumerable."""
    n = N_VISIBLE
    gemm = gemm_flops(n_images(config, "train") + n_images(config, "test"), n, m)
    small = min(n, m)
    if small <= int(config["loglik"]["exact_max_units"]):
        gemm += gemm_flops(2**small, small, max(n, m))
    return gemm


def trajectory_nodes(config: dict, method: str) -> tuple[int, int]:
    """``(path nodes, table rows)`` of one trajectory job: the training checkpoints up to the
    last of ``loglik.epochs``, and the rows (all nodes, or ``loglik.epochs``)."""
    path, rows = trajectory_epochs_from_config(
        config, checkpoint_epochs_from_config(config, method)
    )
    return len(path), len(rows)


def loglik_trajectory_job_cost(config: dict, method: str, hidden: int) -> Cost:
    """One ``loglik_trajectory`` job (one replica, every checkpoint of its path).

    ``P`` path nodes, ``K`` steps per interval, ``C`` chains: each of the forward and reverse
    passes makes ``(P - 1) K`` steps of three ``(C, N, M)`` GEMMs (``v [W_k | W_k+1]`` and
    ``h W(t)^T``: 1.5 sweeps); the temperature legs at the first checkpoint cost as a standard
    job with ``trajectory.first_betas`` betas; model samples of the first and last
    checkpoints; ``-F(v)`` of the data (and exact ``log Z``) at every row.
    """
    ll = config["loglik"]
    traj = ll["trajectory"]
    if traj["sampler"] == "pt":
        return loglik_ladder_job_cost(config, method, hidden)
    n, m = N_VISIBLE, int(hidden)
    c = int(ll["n_chains"])
    k = int(traj["steps"])
    first = int(traj["first_betas"])
    sample_sweeps = int(ll["sample_sweeps"])
    nodes, rows = trajectory_nodes(config, method)
    steps = 2 * (nodes - 1) * k
    gemm = steps * 3 * gemm_flops(c, n, m)
    gemm += 2 * (2 * first - 3) * gemm_flops(c, n, m)
    gemm += 2 * (2 * sample_sweeps + 1) * gemm_flops(c, n, m)
    gemm += rows * _data_and_exact_flops(config, m)
    return Cost(
        LOGLIK_FAMILY,
        "loglik_trajectory",
        f"{method} M={m}: trajectory AIS ({nodes} checkpoints)",
        int(config["model"]["replicas"]),
        sweeps=steps * 3 // 2 + 2 * (first - 1) + 2 * sample_sweeps,
        gemm=gemm,
        rows=c,
        hidden=m,
        extra={"steps": k, "chains": c, "checkpoints": nodes, "first_betas": first},
    )


def loglik_ladder_job_cost(config: dict, method: str, hidden: int) -> Cost:
    """One ``loglik_trajectory`` job with ``trajectory.sampler: pt`` (PTT ladder + BAR).

    ``P`` path nodes, ``r`` rungs per interval (``L = r (P - 1) + 1`` rungs, plus one per
    segment cut), ``C`` chains
    per rung, ``S`` sweeps: each sweep makes three ``(C, N, M)`` GEMMs per rung (``h W^T``;
    ``v W`` at the rung and at its exchange partner: 1.5 sweeps); the forward temperature leg
    at the first checkpoint (``first_betas`` betas, ``n_chains`` chains) and its model
    samples; ``-F(v)`` of the data (and exact ``log Z``) at every row. With ``pt.adapt`` its
    pilot rounds are added, and the adapted ladder is costed at ``r`` rungs per interval.
    """
    ll = config["loglik"]
    traj = ll["trajectory"]
    pt = traj["pt"]
    n, m = N_VISIBLE, int(hidden)
    c0 = int(ll["n_chains"])
    r, c = int(pt["rungs"]), int(pt["chains"])
    sweeps = int(pt["sweeps"])
    first = int(traj["first_betas"])
    sample_sweeps = int(ll["sample_sweeps"])
    nodes, rows = trajectory_nodes(config, method)
    segment = int(pt["segment"])
    cuts = len(range(segment, nodes - 1, segment)) if segment > 0 else 0
    rungs = r * (nodes - 1) + 1 + cuts  # a checkpoint at a segment cut is two rungs
    # pilot rounds of pt.adapt, costed at the first pilot's size (pt.rungs per interval);
    # the adapted main ladder's size is known only after them: costed as pt.rungs too
    adapt = pt["adapt"]
    pilot = int(adapt["rounds"]) * int(adapt["sweeps"]) if nodes > 1 else 0
    gemm = (sweeps + pilot) * rungs * 3 * gemm_flops(c, n, m)
    gemm += (2 * first - 3 + 2 * sample_sweeps + 1) * gemm_flops(c0, n, m)
    gemm += rows * _data_and_exact_flops(config, m)
    # sweeps of a (c, N, M) chain block, the temperature leg's counted at its c0 chains
    leg = (first - 1 + sample_sweeps) * c0 // max(c, 1)
    return Cost(
        LOGLIK_FAMILY,
        "loglik_trajectory",
        f"{method} M={m}: PT ladder ({nodes} checkpoints, {rungs} rungs"
        + (" before adaptation)" if pilot else ")"),
        int(config["model"]["replicas"]),
        sweeps=(sweeps + pilot) * rungs * 3 // 2 + leg,
        gemm=gemm,
        rows=c,
        hidden=m,
        extra={"rungs": rungs, "chains": c, "checkpoints": nodes, "sweeps": sweeps},
    )


def loglik_costs(config: dict) -> list[Cost]:
    """Per hidden size and method: the trajectory jobs and their crosschecks, or the
    standard jobs (``loglik.method``)."""
    trajectory = config["loglik"]["method"] == "trajectory"
    out = []
    for m in config["model"]["hidden"]:
        for meth in config["training"]["methods"]:
            if not trajectory:
                out.append(loglik_job_cost(config, meth, m))
                continue
            out.append(loglik_trajectory_job_cost(config, meth, m))
            if crosscheck_epochs_from_config(config, checkpoint_epochs_from_config(config, meth)):
                out.append(loglik_job_cost(config, meth, m, role="crosscheck"))
    return out
