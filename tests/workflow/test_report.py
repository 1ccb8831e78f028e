"""The Snakemake report builds on the smoke run and holds every figure with its caption."""

import zipfile

import pytest
from conftest import SMOKE, snakemake_run


@pytest.mark.slow
def test_report_builds_with_every_figure(smoke_run):
    r = snakemake_run(smoke_run, "--report", "report.zip")
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    with zipfile.ZipFile(smoke_run / "report.zip") as z:
        names = z.namelist()
    pngs = {n.rsplit("/", 1)[-1] for n in names if n.endswith(".png")}
    expected = {
        "fig1_left.png",
        "fig1_right.png",
        "fig2.png",
        "fig3_a.png",
        "fig3_e.png",
        "fig3_f.png",
        "fig4.png",
        "fig5.png",
        "fig6.png",
        "fig7.png",
        "fig8.png",
        "fig_diffusion.png",
    }
    assert expected <= pngs, sorted(pngs)
    assert any(n.endswith("report.html") for n in names)
    # the claims table and the run's parameters (merged config, versions) are in it too
    with zipfile.ZipFile(smoke_run / "report.zip") as z:
        pages = {n.rsplit("/", 1)[-1]: z.read(n).decode() for n in names if n.endswith(".html")}
    assert "<b>pass</b>" in pages["claims.html"]
    # two tables (the paper's claims, the simulator's self-check): a header each, 15 rows
    assert pages["claims.html"].count("<tr>") == 2 + 15
    assert "Self-checks" in pages["claims.html"]
    assert f"n_train: {SMOKE['data']['n_train']}" in pages["run_parameters.html"]
    assert f"hidden: {SMOKE['model']['hidden']}" in pages["run_parameters.html"]
