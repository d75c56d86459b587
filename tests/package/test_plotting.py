"""gaussml.plotting: whole tables whatever the cells hold (parsed as MyST, as the book does); the running mean against a direct computation; the panels draw what they say."""

import io

import numpy as np
import pytest
from docutils import nodes
from docutils.core import publish_doctree
from hypothesis import example, given, settings
from hypothesis import strategies as st
from myst_parser.parsers.docutils_ import Parser

from gaussml.plotting import (
    DENSE_POINTS,
    LightSVGCanvas,
    data_panel,
    dense_collections,
    markdown_table,
    mean_std_panels,
    new_figure,
    path_figure,
    running_mean,
)


def parse(table) -> nodes.document:
    settings_ = {"myst_enable_extensions": ["dollarmath"], "report_level": 2, "halt_level": 2}
    return publish_doctree(table.text, parser=Parser(), settings_overrides=settings_)


def cells(table) -> list[list[str]]:
    doc = parse(table)
    return [
        [entry.astext() for entry in row.findall(nodes.entry)] for row in doc.findall(nodes.row)
    ]


def test_cells_holding_table_syntax_stay_whole():
    rows = [
        ("|x| and |c|", r"$\lVert x \rVert = |x|$", 1.5),
        ("- a list marker", "# a heading", 2.0),
        ("1. a number", "> a quote", 3.0),
        ("`code | with bar`", "(target)=", 4.0),
        ("% a comment", "---", 5.0),
    ]
    table = markdown_table(
        ["text", "$|x|$", "value"],
        rows,
        caption="Bars | everywhere",
        label="tab-t",
        formats=["", "", ".1f"],
    )
    got = cells(table)
    assert got[0] == ["text", "|x|", "value"]
    assert got[1:] == [
        ["|x| and |c|", r"\lVert x \rVert = |x|", "1.5"],
        ["- a list marker", "# a heading", "2.0"],
        ["1. a number", "> a quote", "3.0"],
        ["code | with bar", "(target)=", "4.0"],
        ["% a comment", "---", "5.0"],
    ]


def test_table_has_its_caption_label_and_number_columns():
    doc = parse(
        markdown_table(["a", "b"], [("x", 1)], caption="Cap", label="tab-l", formats=["", "d"])
    )
    (table,) = doc.findall(nodes.table)
    assert table["ids"] == ["tab-l"]
    assert table.next_node(nodes.title).astext() == "Cap"
    assert "col-2-right" in table["classes"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("ab |-*#>%()=`1.:$ \n"), max_size=12),
        min_size=3,
        max_size=3,
    )
)
@example(["", "", "--"])  # a setext underline once split the table
def test_any_text_keeps_the_row_whole(row):
    table = markdown_table(["a", "b", "c"], [row], caption="c", label="tab-h")
    got = cells(table)
    assert len(got) == 2 and all(len(r) == 3 for r in got), (row, table.text)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rows": [("x",)]}, "has 1 cells, expected 2"),
        ({"formats": [""]}, "need one format per column"),
        ({"widths": [1, 2, 3]}, "need one width per column"),
        ({"caption": "two\nlines"}, "the caption must be one line"),
    ],
)
def test_bad_arguments_are_clear_errors(kwargs, message):
    args = {"header": ["a", "b"], "rows": [("x", "y")], "caption": "c", "label": "tab-e", **kwargs}
    with pytest.raises(ValueError, match=message):
        markdown_table(**args)


def test_running_mean_matches_a_direct_average_of_each_window():
    values = np.random.default_rng(0).normal(size=200)
    got = running_mean(values, width=50)
    expected = np.array([values[i : i + 50].mean() for i in range(151)])
    assert got.shape == (151,)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("width", [0, 11])
def test_running_mean_rejects_a_bad_width(width):
    with pytest.raises(ValueError, match="width"):
        running_mean(np.arange(10.0), width=width)


def test_data_panel_scatters_the_first_n_samples():
    _, ax = new_figure()
    X = np.arange(10.0)[None, :]
    data_panel(ax, X, 2 * X[0], title="t", n=4)
    offsets = ax.collections[0].get_offsets()
    np.testing.assert_allclose(offsets, np.stack([X[0, :4], 2 * X[0, :4]], axis=1))
    assert ax.get_title() == "t"


def test_mean_std_panels_draw_the_band_and_the_truth():
    x = np.linspace(0.0, 20.0, 5)
    panel = dict(
        title="f", data=(x[None, :], x), mean=x, std=np.ones(5), true_mean=2 * x, true_std=0.3 * x
    )
    fig = mean_std_panels(x, [panel, panel], color="C0")
    ax = fig.axes[0]
    lines = [line.get_ydata() for line in ax.lines]
    np.testing.assert_allclose(lines[0], x)  # learned mean
    np.testing.assert_allclose(lines[1], 2 * x)  # true mean
    np.testing.assert_allclose(lines[2], 2 * x - 0.3 * x)
    np.testing.assert_allclose(lines[3], 2 * x + 0.3 * x)


def test_path_figure_draws_one_panel_per_dimension_and_leaves_the_last():
    alphas = np.linspace(0.0, 1.0, 5)
    curves = {d: (alphas * d, -alphas * d) for d in (1, 2, 3, 4, 5)}
    fig, last = path_figure(alphas, curves, (1, 2, 3, 4, 5), ylabel="y", colors=("C0", "C1"))
    assert len(fig.axes) == 6
    assert not last.lines
    first = fig.axes[0]
    np.testing.assert_allclose(first.lines[1].get_ydata(), alphas)
    assert first.lines[0].get_ydata()[0] == pytest.approx(0.5)  # mean of the end points 0 and 1


# --- bad input (issue 30) ---------------------------------------------------------------


@pytest.mark.parametrize("width", [1, 10])
def test_running_mean_at_the_extreme_widths(width):
    values = np.arange(10.0)
    expected = values if width == 1 else np.array([4.5])
    np.testing.assert_allclose(running_mean(values, width=width), expected, rtol=1e-15)


@pytest.mark.parametrize(
    ("values", "error"),
    [
        (np.array([1.0, np.nan, 2.0]), ValueError),
        (np.array([1.0, np.inf, 2.0]), ValueError),
        (np.array([True, False, True]), TypeError),
        (np.array([1j, 2j, 3j]), TypeError),
        (np.ones(3, dtype=np.longdouble), TypeError),
    ],
)
def test_running_mean_rejects_values_that_are_not_finite_reals(values, error):
    with pytest.raises(error, match="values must"):
        running_mean(values, width=2)


@pytest.mark.parametrize(
    ("cell", "error"), [(float("nan"), ValueError), (float("inf"), ValueError), (1j, TypeError)]
)
def test_markdown_table_never_prints_a_non_finite_or_complex_number(cell, error):
    with pytest.raises(error, match="rows: the cell"):
        markdown_table(["a"], [[cell]], caption="c", label="t", formats=[".2f"])


@pytest.mark.parametrize("label", [None, "", "two words"])
def test_markdown_table_needs_a_label_that_is_a_name(label):
    with pytest.raises((TypeError, ValueError), match="label must"):
        markdown_table(["a"], [[1.0]], caption="c", label=label)


def test_path_figure_legend_names_the_linear_and_polar_curves_in_their_colours():
    alphas = np.linspace(0, 1, 5)
    curves = {d: (alphas * d, alphas + d) for d in (1, 2, 3, 4, 5)}
    fig, _ = path_figure(alphas, curves, (1, 2, 3, 4, 5), ylabel="y", colors=("red", "blue"))
    legend = fig.legends[0]
    texts = [t.get_text() for t in legend.get_texts()]
    colours = [h.get_color() for h in legend.legend_handles]
    assert texts == ["linear path", "polar path", "mean of the two end points"]
    assert colours[:2] == ["red", "blue"]


def _scatter_and_band(n):
    rng = np.random.default_rng(0)
    fig, ax = new_figure()
    ax.scatter(rng.standard_normal(n), rng.standard_normal(n), s=2)
    x = np.linspace(0, 1, n)
    ax.fill_between(x, -1 - x, 1 + x, alpha=0.3)
    ax.plot(x, x)
    return fig


def _svg(fig, canvas=LightSVGCanvas) -> str:
    out = io.StringIO()
    canvas(fig).print_svg(out)
    return out.getvalue()


def test_dense_collections_are_the_scatters_and_bands_over_the_limit():
    assert len(dense_collections(_scatter_and_band(DENSE_POINTS + 1))) == 2
    assert dense_collections(_scatter_and_band(DENSE_POINTS // 4)) == []
    with pytest.raises(ValueError, match="limit must be an integer >= 1, got 0"):
        dense_collections(_scatter_and_band(10), limit=0)


def test_light_svg_draws_dense_collections_as_one_image_and_keeps_the_rest_vector():
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    fig = _scatter_and_band(5000)
    light, vector = _svg(fig), _svg(fig, FigureCanvasSVG)
    assert light.count("<image") == 1 and "<image" not in vector
    assert "line2d_" in light and "xtick_" in light  # lines and ticks stay vector
    assert len(light) < len(vector) / 3
    # The figure is left as it was: its PDF (and a plain SVG) stays vector.
    assert not any(c.get_rasterized() for c in dense_collections(fig))
    assert "<image" not in _svg(fig, FigureCanvasSVG)
