"""Figure style shared by every chapter: vector output, readable sizes, one palette."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib as mpl
import matplotlib.pyplot as plt

__all__ = ["PALETTE", "MarkdownTable", "book_style", "markdown_table", "new_figure"]

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


def book_style(*, formats=None) -> None:
    """Apply the book's style; in a notebook, emit every figure as SVG and PDF.

    The web build shows the SVG, the LaTeX build embeds the PDF, so figures are
    vector in both. `formats` defaults to the comma-separated list in the
    environment variable `GAUSSML_FIGURE_FORMATS` (the Makefile sets `svg` for
    the site and `pdf` for the PDFs, so no build renders a format it discards),
    else to both.
    """
    if formats is None:
        formats = tuple(os.environ.get("GAUSSML_FIGURE_FORMATS", "svg,pdf").split(","))
    mpl.rcParams.update(_STYLE)
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
    """
    formats = formats or ["" for _ in header]
    if len(formats) != len(header):
        raise ValueError(f"need one format per column ({len(header)}), got {len(formats)}")
    if widths is not None and len(widths) != len(header):
        raise ValueError(f"need one width per column ({len(header)}), got {len(widths)}")
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"row {row!r} has {len(row)} cells, expected {len(header)}")
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


# How a line can open a block (list, heading, quote, fence, comment, target,
# thematic or block break) instead of holding text; group 1 is what to escape.
_BLOCK_START = re.compile(
    r"^(?:([-*+])(?:\s|$)|(#{1,6})(?:\s|$)|([>%])|(`{3,}|~{3,}|:{3,}|\+{3,})"
    r"|\d{1,9}([.)])(?:\s|$)|(\()[^)]*\)=|([-*_])(?:\s*[-*_]){2,}\s*$)"
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
