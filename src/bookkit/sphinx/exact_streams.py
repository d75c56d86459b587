"""A printed output shows what the program wrote, however the kernel chunked it.

A kernel sends a cell's stdout in chunks, cut wherever its flush timer fires:
`print(a, b)` writes `a`, `" "`, `b` and `"\\n"`, and on a busy machine a flush
can fall between them. myst-nb's `coalesce_streams` (`nb_merge_streams`) joins
the chunks of a stream after stripping each one and adding a newline, so a cut
inside a line breaks it, and the same cell renders differently from one run to
the next (the reproducibility check saw `print(ours, reference)` on two lines).
Here the chunks of each stream are first joined exactly, as written; myst-nb's
own merge then sees one chunk per stream and does the rest (carriage returns,
backspaces, stdout before stderr) as before.
"""

from __future__ import annotations

from nbformat import NotebookNode


def joined_streams(outputs: list[NotebookNode]) -> list[NotebookNode]:
    """Each stream's chunks joined as written, at the place of its first chunk
    (where myst-nb's merge puts them); other outputs unchanged and in order."""
    joined: list[NotebookNode] = []
    streams: dict[str, NotebookNode] = {}
    for output in outputs:
        if output["output_type"] != "stream":
            joined.append(output)
        elif output["name"] in streams:
            streams[output["name"]]["text"] += output["text"]
        else:
            first = NotebookNode({**output, "text": output["text"]})
            streams[output["name"]] = first
            joined.append(first)
    return joined


def setup(app):
    from myst_nb.core import render

    merge = getattr(render.coalesce_streams, "__wrapped__", render.coalesce_streams)

    def coalesce_streams(outputs):
        return merge(joined_streams(outputs))

    coalesce_streams.__wrapped__ = merge
    render.coalesce_streams = coalesce_streams
    return {"parallel_read_safe": True, "parallel_write_safe": True}
