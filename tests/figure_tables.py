"""Synthetic input tables of every figure, shaped like the quick preset's results (issue 25).

:func:`write_inputs` writes them as the workflow names them and returns, per figure, the
``(name, inputs, options)`` of :func:`rbm_reciprocal.figures.render.build`. The numbers are
made up but have the quick run's ranges and sizes where readability depends on them: the
kurtosis sizes 500-2000 (``1/N`` ticks), 10 checkpoints of a u-mode with Landau minima at
+-13 (legend room), 2,000 test points per landscape, 100 modes per spectrum.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from rbm_reciprocal.core.io import save_npz

HIDDEN = (100, 500)
EPOCHS = np.arange(0, 31, 3)
RNG_SEED = 25


def _hist(values: np.ndarray, bins: int) -> pd.DataFrame:
    density, edges = np.histogram(values, bins=bins, density=True)
    return pd.DataFrame(
        {"bin_left": edges[:-1], "bin_right": edges[1:], "bin_center": (edges[:-1] + edges[1:]) / 2,
         "density": density}
    )  # fmt: skip


def loglik(rng) -> pd.DataFrame:
    rows = []
    for m in HIDDEN:
        for r in range(2):
            for e in EPOCHS:
                ll = -206 + (100 if m == 100 else 105) * (1 - np.exp(-e / 6)) + rng.normal(0, 1)
                flagged = bool(e == 18)
                rows.append(
                    dict(
                        method="PCD",
                        hidden=m,
                        replica=r,
                        epoch=int(e),
                        test_ll_bar=ll,
                        log_z_bar=300.0,
                        estimator="trajectory-pt",
                        pt_rungs=3 + e // 3,
                        n_chains=20,
                        traj_steps=6000,
                        check_betas=10_000,
                        reliable=not flagged,
                        flags="gap" if flagged else "",
                    )
                )
    t = pd.DataFrame(rows)
    last = t["epoch"] == EPOCHS[-1]
    t["log_z_ais_check"] = np.where(last, 300.5, np.nan)
    t["log_z_rais_check"] = np.where(last, 299.5, np.nan)
    return t


def landscapes(rng, n: int) -> pd.DataFrame:
    lam = np.sort(rng.uniform(0.5, 30.0, n))[::-1]
    a0, b0 = rng.normal(0, 20, n), rng.normal(0, 20, n)
    return pd.DataFrame({"lam": lam, "a0": a0, "b0": b0, "x0": -b0 / lam, "y0": -a0 / lam})


def fig1_right(rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    idx = [1, 2, 3, 4, 20, 30, 50, 100, 200, 300, 498, 500]
    land = landscapes(rng, len(idx)).assign(index=idx, epoch=30, digit=3, classified_as=3)
    land["x"] = land["x0"] + rng.normal(0, 1, len(idx))
    land["y"] = land["y0"] + rng.normal(0, 1, len(idx))
    rows, cols = np.divmod(np.arange(784), 28)
    image = pd.DataFrame({"row": rows, "col": cols, "value": (rng.random(784) < 0.2) * 1.0})
    return land, image


def fig2(rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    idx, parts, points = [1, 2, 3, 498], [], []
    for state, epoch, spread in (("untrained", 0, 0.5), ("trained", 30, 2.0)):
        land = landscapes(rng, 4).assign(state=state, epoch=epoch, index=idx)
        parts.append(land)
        for i in idx:
            for source, n in (("test", 2000), ("gibbs", 500)):
                t = rng.normal(0, spread, n)
                label = rng.integers(0, 10, n) if source == "test" else np.full(n, -1)
                points.append(pd.DataFrame({"state": state, "source": source, "label": label,
                                            "index": i, "x": t + rng.normal(0, 0.4, n),
                                            "y": 0.8 * t + rng.normal(0, 0.4, n)}))  # fmt: skip
    return pd.concat(parts, ignore_index=True), pd.concat(points, ignore_index=True)


def fig3_mp(rng, n: int = 784, m: int = 500, sigma: float = 0.01):
    lo, hi = sigma * (np.sqrt(n) - np.sqrt(m)), sigma * (np.sqrt(n) + np.sqrt(m))
    lam = np.linspace(lo, hi, 400)
    pdf = np.sqrt(np.clip((hi**2 - lam**2) * (lam**2 - lo**2), 0, None)) / (
        np.pi * sigma**2 * m * lam
    )
    hist = _hist(rng.uniform(lo, hi, 5000), 100).assign(n=n, m=m)
    return hist, pd.DataFrame({"lam": lam, "pdf": pdf})


def kurtosis(variant: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    sizes = np.array([500, 700, 784, 1200, 2000])
    haar = 3 - 6 / (sizes + 2)
    var = "x" if variant == "code" else "y"
    s = pd.DataFrame({"variant": variant, "variable": var, "size": sizes, "mc_mean": haar + 2e-4,
                      "mc_std": 0.01, "exact_mean": haar, "haar_mean": haar})  # fmt: skip
    s["n_visible"] = sizes if variant == "code" else 784
    s["n_hidden"] = 500 if variant == "code" else sizes
    fit = pd.DataFrame({"variant": variant, "source": ["mc", "exact"], "slope": -6.0,
                        "intercept": [3.0002, 3.0], "intercept_se": [4e-4, 2e-5]})  # fmt: skip
    return s, fit


def fig3_f(rng) -> pd.DataFrame:
    edges = np.linspace(0.0, 41.0, 41)
    parts = []
    for m in HIDDEN:
        counts, _ = np.histogram(np.concatenate([rng.gamma(2, 0.3, m), [29.7, 24.4]]), edges)
        d = counts / counts.sum() / np.diff(edges)
        parts.append(
            pd.DataFrame(
                {
                    "hidden": m,
                    "method": "PCD",
                    "bin_left": edges[:-1],
                    "bin_right": edges[1:],
                    "density": d,
                    "binning": "authors",
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def fig4(rng) -> tuple[pd.DataFrame, pd.DataFrame, list[pd.DataFrame]]:
    rows = [dict(kind="trained", hidden=m, method="PCD", replica=r, epoch=30,
                 js=0.01 * (m / 100) ** 0.3 * (1 + 0.1 * r), js_noise_mean=1e-3, n_visible=784)
            for m in HIDDEN for r in range(2)]  # fmt: skip
    rows += [
        dict(
            kind="untrained",
            hidden=m,
            method="none",
            replica=0,
            epoch=0,
            js=3e-3 * 100 / m,
            js_noise_mean=np.nan,
            n_visible=784,
        )
        for m in HIDDEN
    ]
    w = rng.laplace(0, 0.15, 50_000)
    edges = np.linspace(w.min(), w.max(), 400)
    p = np.histogram(w, edges, density=True)[0]
    q = np.histogram(w * 1.1, edges, density=True)[0]
    pdfs = pd.DataFrame({"bin_center": (edges[:-1] + edges[1:]) / 2, "p_original": p,
                         "p_rotated": q})  # fmt: skip
    noise = [pd.DataFrame({"n_hidden": [m], "js_independent_inits": [3e-3 * 100 / m]})
             for m in HIDDEN]  # fmt: skip
    return pd.DataFrame(rows), pdfs, noise


def fig5(rng) -> pd.DataFrame:
    parts = []
    for var, indices in (("x", [1, 2, 3, 4, 450, 784]), ("y", [1, 2, 3, 4, 100])):
        for state, epoch in (("untrained", 0), ("trained", 30)):
            for i in indices:
                mu = rng.normal(0, 3)
                h = _hist(rng.normal(mu, 0.5, 10_000), 60)
                parts.append(h.assign(state=state, epoch=epoch, variable=var, index=i, mu=mu,
                                      sigma=0.5, paired=i <= 100,
                                      basis="svd" if i <= 100 else "haar-null"))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def fig6(rng) -> tuple[dict, pd.DataFrame]:
    samples = {}
    for key in ("original", "global", "local"):
        p = rng.random((36, 784))
        samples[f"p_{key}"], samples[f"v_{key}"] = p, (p < 0.3).astype(np.uint8)
    summary = pd.DataFrame([dict(local_rotations=10, avoid_top=5, local_directions=784,
                                 local_planes_paired=2, paired_directions=500,
                                 frac_changed_global=0.2, frac_changed_local=0.0004)])  # fmt: skip
    return samples, summary


def modes(rng) -> pd.DataFrame:
    """Mode trajectories whose u-mode splits into Landau minima at +-13 after epoch 0."""
    rows = []
    for m in HIDDEN:
        for e in EPOCHS:
            late = e > 0
            row = dict(hidden=m, epoch=int(e), mu_u=4.0 - 4.0 * late, mu_w=4 + 11 * late,
                       landau_u_min1=13.0 if late else 4.0, landau_u_min2=-13.0 if late else np.nan,
                       landau_w_min1=3.9, landau_w_min2=np.nan, landau_u_unconfined=False,
                       landau_w_unconfined=bool(e == 3))  # fmt: skip
            for src in ("test", "gibbs"):
                for z, mean in (("u", 1.5 + 2 * (not late)), ("w", 6.5)):
                    row[f"{src}_{z}_mean"] = mean + rng.normal(0, 0.5)
                    row[f"{src}_{z}_std"] = 0.8
            rows.append(row)
    return pd.DataFrame(rows)


def diffusion(rng) -> tuple[pd.DataFrame, ...]:
    mode = np.arange(1, 101)
    spec = []
    for state, epoch, lam in (
        ("untrained", 0, 0.4 - 0.002 * mode),
        ("trained", 30, 30 / mode**0.7),
    ):
        spec.append(pd.DataFrame({"state": state, "epoch": epoch, "kind": "u", "mode": mode,
                                  "lam": lam, "threshold": 4 + rng.normal(0, 0.02, 100),
                                  "diverges": lam > 4, "simulated": np.isin(mode, [1, 2, 50]),
                                  "beta": 1.0}))  # fmt: skip
    t = np.linspace(0, 12, 41)
    series, summary, final = [], [], []
    simulated = (
        ("trained", 30, 1, -25.0),
        ("trained", 30, 2, -20.0),
        ("trained", 30, 50, 0.1),
        ("untrained", 0, 1, 3.5),
    )
    for state, epoch, index, kappa in simulated:
        lam = 30.0 / index**0.7 if state == "trained" else 0.4
        for pot, growth in (("gaussian", 1.9 if kappa < 0 else 0.0), ("large_deviation", 0.0)):
            series.append(pd.DataFrame({"state": state, "epoch": epoch, "index": index,
                                        "kind": "u", "mode": index, "kappa": kappa,
                                        "potential": pot, "t": t / abs(kappa), "t_over_tau": t,
                                        "var": 0.25 * np.exp(growth * t),
                                        "ks": np.maximum(np.exp(-t), 0.02 + 0.01 * rng.random(41)),
                                        "support_lo": -20.0, "support_hi": 13.1}))  # fmt: skip
            summary.append(dict(state=state, epoch=epoch, index=index, kind="u", mode=index,
                                lam=lam, kappa=kappa, predicted_diverges=kappa < 0,
                                potential=pot, var_final=0.25 * np.exp(growth * 12),
                                ks_crit=0.064))  # fmt: skip
            h = _hist(rng.normal(12.87, 0.03, 2000), 40)
            h["stationary_density"] = np.exp(-0.5 * ((h["bin_center"] - 12.87) / 0.03) ** 2) / (
                0.03 * np.sqrt(2 * np.pi)
            )
            final.append(h.assign(state=state, index=index, potential=pot))
    return (pd.concat(spec, ignore_index=True), pd.concat(series, ignore_index=True),
            pd.DataFrame(summary), pd.concat(final, ignore_index=True))  # fmt: skip


def write_inputs(folder: Path) -> dict[str, tuple[str, list[str], dict]]:
    """Write every figure's synthetic inputs under ``folder``; per figure stem, the
    ``(name, inputs, options)`` of :func:`rbm_reciprocal.figures.render.build`."""
    rng = np.random.default_rng(RNG_SEED)
    folder.mkdir(parents=True, exist_ok=True)

    def put(name: str, table: pd.DataFrame) -> str:
        table.to_parquet(folder / name, index=False)
        return str(folder / name)

    land, image = fig1_right(rng)
    land2, points = fig2(rng)
    hist, curve = fig3_mp(rng)
    js, pdfs, noise = fig4(rng)
    samples, rot = fig6(rng)
    save_npz(folder / "rotated_samples.npz", **samples)
    kurt = [put(f"kurtosis_{v}{s}.parquet", t) for v in ("code", "text")
            for s, t in zip(("", "_fit"), kurtosis(v), strict=True)]  # fmt: skip
    trajectories = put("mode_trajectories.parquet", modes(rng))
    names = ("spectrum", "series", "summary", "final")
    diffusion_tables = [put(f"{n}.parquet", t) for n, t in zip(names, diffusion(rng), strict=True)]
    return {
        "fig1_left": ("fig1_left", [put("loglik.parquet", loglik(rng))], {}),
        "fig1_right": ("fig1_right", [put("fig1_right.parquet", land),
                                      put("fig1_right_image.parquet", image)], {}),
        "fig2": ("fig2", [put("fig2_landscapes.parquet", land2),
                          put("fig2_points.parquet", points)], {}),
        "fig3_a": ("fig3_mp", [put("random_N784_M500.parquet", hist),
                               put("random_N784_M500_mp.parquet", curve)], {"panel": "a"}),
        "fig3_e": ("fig3_e", kurt, {}),
        "fig3_f": ("fig3_f", [put("trained.parquet", fig3_f(rng))], {}),
        "fig4": ("fig4", [put("fig4_js.parquet", js), put("PCD_M100_replica0_pdfs.parquet", pdfs)]
                 + [put(f"untrained_M{m}_js_noise.parquet", t)
                    for m, t in zip(HIDDEN, noise, strict=True)], {}),
        "fig5": ("fig5", [put("fig5.parquet", fig5(rng))], {}),
        "fig6": ("fig6", [str(folder / "rotated_samples.npz"),
                          put("rotated_samples.parquet", rot)], {"n_show": 36, "show": "samples"}),
        "fig7": ("fig7_8", [trajectories], {"hidden": [100]}),
        "fig8": ("fig7_8", [trajectories], {"hidden": [500]}),
        "fig_diffusion": ("fig_diffusion", diffusion_tables, {}),
    }  # fmt: skip
