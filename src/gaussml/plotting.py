"""Figure style shared by every chapter: vector output, readable sizes, one palette."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt

__all__ = ["PALETTE", "book_style", "new_figure"]

#: Colour-blind-safe colours (Okabe and Ito), in the order the chapters use them.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "legend.fontsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "figure.constrained_layout.use": True,
    "svg.hashsalt": "gaussml",  # stable SVG ids: two builds give identical pages
}


def book_style(*, formats=("svg", "pdf")) -> None:
    """Apply the book's style; in a notebook, emit every figure as SVG and PDF.

    The web build shows the SVG, the LaTeX build embeds the PDF, so figures are
    vector in both.
    """
    mpl.rcParams.update(_STYLE)
    mpl.rcParams["svg.hashsalt"] = _STYLE["svg.hashsalt"]
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # outside Jupyter there is nothing to configure
        return
    set_matplotlib_formats(*formats)


def new_figure(nrows=1, ncols=1, *, width=6.4, height=3.2, **kwargs):
    """A figure and axes at the book's text width (inches); closed from pyplot's registry.

    Closing keeps the figure out of the automatic notebook display, so that a
    chapter shows it only where it glues it under a caption.
    """
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), **kwargs)
    plt.close(fig)
    return fig, axes
