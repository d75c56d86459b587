"""bookkit.sphinx.exact_streams: a cell's printed text renders the same however the
kernel cut it into chunks."""

from __future__ import annotations

import copy
import random

from myst_nb.core.utils import coalesce_streams
from nbformat import NotebookNode

from bookkit.sphinx.exact_streams import joined_streams

TEXT = "-13.160335540771484 -13.160334975640422\nsecond line\n"


def stream(text: str, name: str = "stdout") -> NotebookNode:
    return NotebookNode({"output_type": "stream", "name": name, "text": text})


def figure() -> NotebookNode:
    return NotebookNode({"output_type": "display_data", "data": {"image/png": "x"}})


def cut(text: str, rng: random.Random) -> list[str]:
    points = sorted(rng.sample(range(1, len(text)), rng.randint(1, 6)))
    return [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]


def test_any_cut_renders_as_the_uncut_text():
    whole = coalesce_streams(joined_streams([stream(TEXT)]))
    rng = random.Random(0)
    for _ in range(200):
        chunks = [stream(t) for t in cut(TEXT, rng)]
        assert coalesce_streams(joined_streams(chunks)) == whole


def test_myst_nb_alone_breaks_a_line_cut_inside_it():
    """The fault this extension removes (if myst-nb fixes it, this extension can go)."""
    chunks = [stream("-13.160335540771484"), stream(" -13.160334975640422\n")]
    assert coalesce_streams(copy.deepcopy(chunks))[0]["text"].count("\n") == 2
    assert coalesce_streams(joined_streams(chunks))[0]["text"].count("\n") == 1


def test_streams_keep_their_place_and_other_outputs_their_order():
    outputs = [stream("a"), figure(), stream("b\n"), stream("e", "stderr"), stream("c\n")]
    joined = joined_streams(outputs)
    assert [o["output_type"] for o in joined] == ["stream", "display_data", "stream"]
    assert joined[0]["text"] == "ab\nc\n"
    assert joined[2]["text"] == "e"
    assert outputs[0]["text"] == "a"  # the cached notebook's outputs are not changed
