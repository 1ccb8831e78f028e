"""Claims table and diffusion test (issue 7) in the shared smoke run."""

import pandas as pd
import pytest
from conftest import SMOKE, SMOKE_EPOCHS, SMOKE_MODELS

from rbm_reciprocal.claims.rows import CLAIM_COLUMNS


@pytest.mark.slow
def test_claims_table(smoke_run):
    t = pd.read_parquet(smoke_run / "results/claims.parquet")
    assert list(t.columns) == list(CLAIM_COLUMNS)
    assert len(t) >= 10
    assert t["claim_id"].is_unique
    assert set(t["passed"].dropna()) <= {True, False}
    assert (t["test"].str.len() > 0).all() and (t["our_number"].str.len() > 0).all()
    by_id = t.set_index("claim_id")
    # the smoke models are far below lambda = 33: the gap cannot be judged
    assert pd.isna(by_id.loc[10, "passed"])
    # Cov(z) = I/4 exactly, so k = 4 I: always decidable, and true
    assert by_id.loc[11, "passed"]
    # random inits: the Marchenko-Pastur law passes at smoke size; the preset's few matrices
    # per shape (two) cannot bound the mode's position to 2% (claim 2 is n/a)
    assert by_id.loc[1, "passed"] and pd.isna(by_id.loc[2, "passed"])
    assert "(boundary)" in by_id.loc[2, "our_number"]  # M = 784 = N
    assert f"{SMOKE['spectra']['random']['n_matrices']} matrices" in by_id.loc[2, "our_number"]
    assert 15 in by_id.index  # the samples at the Landau minimum (Sec. 5.3)
    assert by_id.loc[12, "kind"] == "self-check"
    assert set(by_id.drop(index=12)["kind"]) == {"paper"}
    md = (smoke_run / "results/claims.md").read_text()
    assert md.count("\n| ") >= 2 * 2 + 10
    assert md.index("**Self-checks") > md.index("| 14 |")


@pytest.mark.slow
def test_claim_inputs(smoke_run):
    res = smoke_run / "results"
    n_matrices = SMOKE["spectra"]["random"]["n_matrices"]
    for m in SMOKE["spectra"]["random"]["hidden"]:
        v = pd.read_parquet(res / f"spectra/random_N784_M{m}_values.parquet")
        assert len(v) == n_matrices * min(m, 784) and set(v["matrix"]) == set(range(n_matrices))
        assert (v.groupby("matrix")["value"].apply(lambda x: x.is_monotonic_decreasing)).all()
    # claim 7 follows u_1 over every checkpoint of every model
    a = pd.read_parquet(res / "claims/pc_alignment.parquet")
    assert len(a) == len(SMOKE_MODELS) * len(SMOKE_EPOCHS)
    assert sorted(set(a["epoch"])) == SMOKE_EPOCHS and (a["n_visible"] == 784).all()


@pytest.mark.slow
def test_diffusion_outputs(smoke_run):
    res = smoke_run / "results/diffusion"
    spec = pd.read_parquet(res / "spectrum.parquet")
    assert set(spec["state"]) == {"untrained", "trained"}
    m = SMOKE["diffusion"]["model"]["hidden"] or SMOKE["model"]["hidden"][0]
    assert len(spec[spec["state"] == "trained"]) == 784 + m  # N + M components of z
    assert not spec[spec["state"] == "untrained"]["diverges"].any()  # lambda ~ 0.3 << 4
    summary = pd.read_parquet(res / "summary.parquet")
    assert set(summary["potential"]) == {"gaussian", "large_deviation"}
    gauss = summary[summary["potential"] == "gaussian"]
    assert (gauss[gauss["predicted_diverges"]]["verdict"] == "diverges").all()
    for ext in ("pdf", "png"):
        assert (smoke_run / f"figures/fig_diffusion.{ext}").stat().st_size > 1000
