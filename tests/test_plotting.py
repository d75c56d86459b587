"""gaussml.plotting: the running mean against a direct computation; the panels draw what they say."""

import numpy as np
import pytest

from gaussml.plotting import data_panel, mean_std_panels, new_figure, path_figure, running_mean


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
