"""Figure style shared by every chapter: vector output, readable sizes, one palette."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backend_bases import register_backend
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.collections import Collection

from gaussml import _checks

__all__ = [
    "PALETTE",
    "MarkdownTable",
    "book_style",
    "data_panel",
    "markdown_table",
    "mean_std_panels",
    "new_figure",
    "path_figure",
    "running_mean",
]

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

#: A collection (scatter markers, a filled band) with more points than this is drawn
#: as an image inside the web's SVG: thousands of vector markers weigh hundreds of kB.
DENSE_POINTS = 200


def dense_collections(fig, limit: int = DENSE_POINTS) -> list[Collection]:
    """The collections of `fig` with more than `limit` points (marker offsets or vertices)."""
    limit = _checks.positive_int(limit, "limit")

    def points(collection: Collection) -> int:
        vertices = sum(len(path.vertices) for path in collection.get_paths())
        return max(len(collection.get_offsets()), vertices)

    return [c for c in fig.findobj(Collection) if points(c) > limit]


class LightSVGCanvas(FigureCanvasSVG):
    """Matplotlib's SVG output with the dense collections rasterized (at `savefig.dpi`).

    Axes, lines and text stay vector; the figure itself is left as it was, so its
    PDF (the LaTeX build's) stays vector throughout.
    """

    def print_svg(self, filename, **kwargs):
        # Matplotlib passes every backend's options to a third-party canvas: keep the SVG's.
        kwargs = {k: v for k, v in kwargs.items() if k in ("bbox_inches_restore", "metadata")}
        dense = [c for c in dense_collections(self.figure) if not c.get_rasterized()]
        for collection in dense:
            collection.set_rasterized(True)
        try:
            return super().print_svg(filename, **kwargs)
        finally:
            for collection in dense:
                collection.set_rasterized(False)


def book_style(*, formats=None) -> None:
    """Apply the book's style; in a notebook, emit every figure as SVG and PDF.

    The web build shows the SVG, the LaTeX build embeds the PDF, so figures are
    vector in both, except that the SVG draws dense scatters and bands as an
    image (`LightSVGCanvas`), which keeps every figure light on the web. `formats` defaults to the comma-separated list in the
    environment variable `GAUSSML_FIGURE_FORMATS` (the Makefile sets `svg` for
    the site and `pdf` for the PDFs, so no build renders a format it discards),
    else to both.
    """
    if formats is None:
        formats = tuple(os.environ.get("GAUSSML_FIGURE_FORMATS", "svg,pdf").split(","))
    mpl.rcParams.update(_STYLE)
    register_backend("svg", LightSVGCanvas, "Scalable Vector Graphics")
    # No creation date in SVG and PDF files (matplotlib honours SOURCE_DATE_EPOCH):
    # two builds give identical figures.
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
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


@dataclass(frozen=True)
class MarkdownTable:
    """A MyST table that a notebook cell displays as a real, numbered table."""

    text: str

    def _repr_markdown_(self) -> str:
        return self.text


def markdown_table(
    header: Sequence[str],
    rows: Sequence[Sequence],
    *,
    caption: str,
    label: str,
    formats: Sequence[str] | None = None,
    widths: Sequence[int] | None = None,
) -> MarkdownTable:
    """Render rows as a captioned, labelled MyST table (HTML and PDF alike).

    The table is a `list-table`: each cell is a list item, so no character in a
    cell (`|` in $|x|$ or in a norm) can split it, unlike a pipe table.

    Args:
      header: column titles (MyST inline markup allowed, e.g. math).
      rows: the cells; numbers are formatted with `formats`.
      caption: the table's caption.
      label: the table's name, for cross-references with the numref role.
      formats: one format spec per column (e.g. ``".3f"``); strings pass through.
        Columns with a spec are right-aligned (numbers), the others left-aligned.
      widths: relative column widths (they matter in the PDF); automatic if None.

    Raises:
      TypeError: if `caption` or `label` is not a string, or a cell is neither a
        string nor a real number.
      ValueError: on a count mismatch, an empty or multi-line caption, a label
        that is empty or holds whitespace, or a NaN or infinite number (a table
        never prints "nan").
    """
    for value, name in ((caption, "caption"), (label, "label")):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a string, got {value!r}")
    if not label or any(c.isspace() for c in label):
        raise ValueError(f"label must be a non-empty name without whitespace, got {label!r}")
    if not caption.strip():
        raise ValueError(f"caption must not be empty, got {caption!r}")
    formats = formats or ["" for _ in header]
    if len(formats) != len(header):
        raise ValueError(f"need one format per column ({len(header)}), got {len(formats)}")
    if widths is not None and len(widths) != len(header):
        raise ValueError(f"need one width per column ({len(header)}), got {len(widths)}")
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"rows: row {row!r} has {len(row)} cells, expected {len(header)}")
        for value in row:
            if not isinstance(value, str):
                _number_cell(value, row)
    if "\n" in caption:
        raise ValueError(f"the caption must be one line, got {caption!r}")

    def cell(value, spec):
        return _list_table_cell(value if isinstance(value, str) else format(value, spec))

    # Right alignment of number columns: a class per column, styled by the book's CSS.
    numeric = [f"col-{i}-right" for i, spec in enumerate(formats, start=1) if spec]
    lines = [
        f"```{{list-table}} {caption}",
        f":name: {label}",
        ":header-rows: 1",
        ":align: center",
        *([f":class: {' '.join(numeric)}"] if numeric else []),
        *([f":widths: {' '.join(str(w) for w in widths)}"] if widths else []),
        "",
    ]
    for values in [[_list_table_cell(h) for h in header]] + [
        [cell(v, f) for v, f in zip(row, formats, strict=True)] for row in rows
    ]:
        lines += [f"{'*' if i == 0 else ' '} - {v}" for i, v in enumerate(values)]
    lines.append("```")
    return MarkdownTable("\n".join(lines))


def _number_cell(value, row) -> None:
    """Check a number cell: a real, finite scalar (judged in float64, as `format` prints it)."""
    arr = _checks.real(value, f"rows: the cell {value!r} of row {row!r}")
    if arr.ndim != 0 or not np.isfinite(arr.astype(np.float64)):
        raise ValueError(f"rows: the cell {value!r} of row {row!r} must be a finite number")


# How a line can open a block (list, heading, quote, fence, comment, target,
# thematic or block break, setext underline) instead of holding text; the
# first group that matches is what to escape.
_BLOCK_START = re.compile(
    r"^(?:([-*+])(?:\s|$)|(#{1,6})(?:\s|$)|([>%])|(`{3,}|~{3,}|:{3,}|\+{3,})"
    r"|\d{1,9}([.)])(?:\s|$)|(\()[^)]*\)=|([-*_])(?:\s*[-*_]){2,}\s*$|([-=])[-=]*\s*$)"
)


def _list_table_cell(text: str) -> str:
    """One list-table cell: one line of inline MyST, escaped where it would open a block."""
    text = " ".join(str(text).split())
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    group = next(i for i, g in enumerate(match.groups(), start=1) if g is not None)
    at = match.start(group)
    return text[:at] + "\\" + text[at:]


def running_mean(values, width=50):
    """The mean of each window of `width` consecutive values: `len(values) - width + 1` of them.

    Smooths a noisy curve such as the loss of each training step's batch.
    `values` must be real and finite (in float64, the dtype of the sums), `width`
    an integer.
    """
    width = _checks.positive_int(width, "width")
    values = _checks.real(values, "values")
    if values.ndim == 1 and not np.all(np.isfinite(values.astype(np.float64))):
        raise ValueError(f"values must be finite, got {_checks.short(values)}")
    values = values.astype(np.float64)
    if values.ndim != 1 or not 1 <= width <= len(values):
        raise ValueError(
            f"need a 1-d array of at least width = {width} values, got shape {values.shape}"
        )
    return np.convolve(values, np.ones(width) / width, mode="valid")


def data_panel(ax, X, y, *, title, n=300, xlim=(0, 20)):
    """Scatter the first `n` samples `(X[0], y)` in grey on `ax`, titled, with x limits."""
    X, y = np.asarray(X), np.asarray(y)
    ax.scatter(X[0, :n], y[:n], s=3, color="0.55", alpha=0.6, lw=0, label="data")
    ax.set(title=title, xlabel="$x$", xlim=xlim)


def mean_std_panels(x, panels, *, color):
    """One panel per target: its data, a learned mean and std, the true mean and std.

    Args:
      x: the inputs of the curves, shape `(k,)`.
      panels: one dict per panel with the keys `title`, `data` (a batch `(X, y)`),
        `mean` and `std` (learned, shape `(k,)`), `true_mean` and `true_std`.
      color: the colour of the learned band and mean.

    Returns:
      A figure with a row of panels that share the y axis, the legend in the first.
    """
    fig, axes = new_figure(1, len(panels), width=6.8, height=2.7, sharey=True)
    for ax, p in zip(np.atleast_1d(axes), panels, strict=True):
        data_panel(ax, *p["data"], title=p["title"])
        mean, std = np.asarray(p["mean"]), np.asarray(p["std"])
        t_mean, t_std = np.asarray(p["true_mean"]), np.asarray(p["true_std"])
        ax.fill_between(
            x,
            mean - std,
            mean + std,
            color=color,
            alpha=0.25,
            lw=0,
            label=r"learned $\mu \pm \sigma$",
        )
        ax.plot(x, mean, color=color, label=r"learned $\mu(x)$")
        ax.plot(x, t_mean, color="black", lw=0.9, ls="--", label="true mean")
        ax.plot(x, t_mean - t_std, color="black", lw=0.7, ls=":", label="true mean $\\pm$ std")
        ax.plot(x, t_mean + t_std, color="black", lw=0.7, ls=":")
    first = np.atleast_1d(axes)[0]
    first.set_ylabel("$y$")
    first.set_ylim(-25, 75)
    first.legend(frameon=False, loc="upper left", fontsize=7.5)
    return fig


def path_figure(alphas, curves, dims, *, ylabel, colors):
    """Small multiples of curves along two paths: one panel per dimension, one left free.

    Args:
      alphas: the interpolation weights, shape `(A,)`.
      curves: a dict from each dimension in `dims` to a pair `(linear, polar)`
        of curves of shape `(A,)`.
      dims: five dimensions, drawn in the first five panels of a 2 by 3 grid.
      ylabel: the label of the first column's y axes.
      colors: the colours of the linear and the polar curves.

    Each panel also shows the mean of the linear curve's end points (dotted).

    Returns:
      `(fig, last_ax)`: the figure, with a legend below it, and the sixth,
      empty panel for the caller to draw in.
    """
    fig, axes = new_figure(2, 3, width=6.4, height=4.4)
    for ax, d in zip(axes.flat, dims, strict=False):
        linear, polar = (np.asarray(c) for c in curves[d])
        ax.axhline((linear[0] + linear[-1]) / 2, color="gray", ls=":", lw=1.2)
        ax.plot(alphas, linear, color=colors[0], lw=1.6)
        ax.plot(alphas, polar, color=colors[1], lw=1.6)
        ax.set(title=f"$D = {d}$", xlabel=r"$\alpha$")
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    first = axes[0, 0]
    fig.legend(
        [first.lines[1], first.lines[2], first.lines[0]],
        ["linear path", "polar path", "mean of the two end points"],
        loc="outside lower center",
        ncols=3,
        frameon=False,
    )
    return fig, axes[1, 2]
