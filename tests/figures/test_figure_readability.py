"""Every figure is readable (issue 25): rendered from synthetic tables shaped like the quick
preset's results (:mod:`figure_tables`), each Figure passes the mechanical checks of
:mod:`figure_checks`: no overlapping tick labels or annotations, no legend over data points,
every plotted series in a legend, no text cut by the figure's edge. The checks themselves are
tested on figures made to fail them."""

from __future__ import annotations

import numpy as np
import pytest
from figure_checks import (
    draw,
    legends_over_data,
    overlapping_texts,
    readability_problems,
    series_not_in_legend,
    texts_outside,
)
from figure_tables import write_inputs
from matplotlib.figure import Figure

from rbm_reciprocal.figures.render import RENDERERS, build, render

FIGURES = (
    "fig1_left", "fig1_right", "fig2", "fig3_a", "fig3_e", "fig3_f",
    "fig4", "fig5", "fig6", "fig7", "fig8", "fig_diffusion",
)  # fmt: skip


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return write_inputs(tmp_path_factory.mktemp("figure_inputs"))


def test_every_renderer_is_checked(inputs):
    assert set(inputs) == set(FIGURES)
    assert {name for name, _, _ in inputs.values()} == set(RENDERERS)


@pytest.mark.parametrize("stem", FIGURES)
def test_figure_is_readable(inputs, stem):
    name, paths, options = inputs[stem]
    problems = readability_problems(build(name, paths, options))
    assert not problems, f"{stem}:\n" + "\n".join(problems)


def test_fig3_e_names_the_vectors_and_sizes_of_each_variant(inputs):
    fig = draw(build(*inputs["fig3_e"]))
    code, text = (ax for ax in fig.axes if ax.get_legend() is not None)
    assert any("U_{ki}" in t.get_text() for t in code.get_legend().get_texts())
    assert any("V_{ki}" in t.get_text() for t in text.get_legend().get_texts())
    assert not any("U_{ki}" in t.get_text() for t in text.get_legend().get_texts())
    # the sizes on the top axis, 1/M on the bottom one
    assert [t.get_text() for t in text.child_axes[0].get_xticklabels()] == [
        "500", "700", "784", "1200", "2000",
    ]  # fmt: skip
    assert text.get_xlabel() == "1/M"


def test_fig4_names_the_model_of_its_pdfs(inputs):
    fig = build(*inputs["fig4"])
    assert "PCD, M = 100, replica 0 (epoch 30)" in fig.axes[-1].get_title()


def test_fig5_has_density_axes(inputs):
    fig = draw(build(*inputs["fig5"]))
    first = fig.axes[0]
    assert "density" in first.get_ylabel()
    assert len([t for t in first.get_yticklabels() if t.get_text()]) >= 2


def test_fig1_left_title_is_plain_and_the_legend_names_the_estimator(inputs):
    fig = build(*inputs["fig1_left"])
    assert fig.get_suptitle() == "Log-likelihood of the test images during training"
    assert "parallel tempering" in fig.legends[0].get_title().get_text()


def test_render_writes_the_built_figure(inputs, tmp_path):
    name, paths, options = inputs["fig3_a"]
    render(name, paths, str(tmp_path / "fig3_a"), options)
    assert (tmp_path / "fig3_a.pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "fig3_a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- the checks fail where they should -------------------------------------------------------


def test_checks_catch_overlapping_tick_labels():
    ax = Figure(figsize=(3, 2)).subplots()
    ax.plot([0, 0.002], [0, 1])
    ax.set_xticks(np.linspace(0, 0.002, 9), [f"{x:.5f}" for x in np.linspace(0, 0.002, 9)])
    draw(ax.figure)
    assert overlapping_texts(ax.figure)


def test_checks_catch_a_legend_over_data():
    ax = Figure(figsize=(4, 3)).subplots()
    ax.plot(np.arange(10), np.full(10, 5.0), "o", label="points")
    ax.set_ylim(0, 10)
    ax.legend(loc="center")
    draw(ax.figure)
    assert legends_over_data(ax.figure)
    ax.get_legend().remove()
    ax.figure.legend(loc="outside lower center")
    draw(ax.figure)
    assert not legends_over_data(ax.figure)


def test_checks_catch_series_missing_from_the_legend():
    ax = Figure().subplots()
    ax.plot([0, 1], [0, 1], color="k", label="shown")
    ax.plot([0, 1], [1, 0], color="0.7")  # the untrained curves of the diffusion figure
    ax.scatter([0.5], [0.5], label="not shown")
    ax.legend(handles=ax.lines[:1])
    draw(ax.figure)
    problems = series_not_in_legend(ax.figure)
    assert len(problems) == 2 and "'not shown'" in problems[1]


def test_checks_catch_text_cut_by_the_edge():
    ax = Figure(figsize=(3, 2), layout="constrained").subplots()
    ax.set_title("a title much too long for a figure three inches wide, cut at both ends")
    draw(ax.figure)
    assert texts_outside(ax.figure)
