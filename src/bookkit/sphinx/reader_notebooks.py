"""Each chapter's executed notebook, in plain Markdown, behind the page's download button.

For a page built from a MyST notebook, the executed notebook (myst-nb's
`_build/jupyter_execute/<page>.ipynb`) is rewritten for a reader who opens
it in Jupyter, and written to `_sources/<page>.ipynb`, where the theme's
download button (`use_download_button`) offers it as ".ipynb":

- roles become text: a glued number its formatted value, a reference to an
  equation, figure, table or section its number or title, a citation its keys,
  an API link its name in code;
- directives become Markdown: a `literalinclude` the code it shows, an exercise, solution or admonition a bold title
  and its text; a glued figure the image itself (embedded) and its caption; a
  table output (MyST `list-table`) a pipe table;
- a numbered equation keeps its number (`\\tag{2.4}`), so the text's
  "(2.4)" points at it; labels and targets are dropped, and so are the cells
  tagged `remove-cell` (which only glue values into the text);
- every other code cell is kept with its outputs, taken from the execution
  cache (myst-nb writes the notebook it read, without the outputs, when it
  executes through the cache), so the notebook is the page's code and
  results, in order, and runs top to bottom in the project's environment;
- a first cell says how to install that environment.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from pathlib import Path

from sphinx.directives.code import LiteralIncludeReader

_ROLE = re.compile(r"\{([a-z:-]+)\}`([^`]*)`")
_DIRECTIVE = re.compile(r"^(`{3,})\{([a-z:-]+)\}[ \t]*(.*?)\n(.*?)^\1[ \t]*$", re.M | re.S)
_OPTION = re.compile(r"^:[\w-]+:.*\n?", re.M)
_OPTION_VALUE = re.compile(r"^:([\w-]+):[ \t]*(.*?)[ \t]*$", re.M)
_EQ_LABEL = re.compile(r"(\$\$)[ \t]*\(([\w-]+)\)[ \t]*$", re.M)
_GLUE_MIME = "application/papermill.record/"

INSTALL = """\
**Running this notebook.** It needs the book's Python environment: the
package `gaussml` and the pinned versions of JAX, numpy, scipy, matplotlib and
myst-nb. From a clone of the book's repository,

```bash
python3.11 -m venv .venv
.venv/bin/pip install -r requirements.txt   # the pins, and gaussml (pip install -e .)
```

(`make venv` in the clone does both), then choose `.venv`'s Python as the
notebook's kernel in Jupyter or your editor. No network is needed after the
install. Equation numbers, figures and the numbers in the text are those of
the book.
"""
_TARGET = re.compile(r"^\([\w-]+\)=[ \t]*\n", re.M)
_EXPLICIT = re.compile(r"(.*?)\s*<([^<>]+)>", re.S)  # a role's "title <label>"


def _title_and_label(text: str) -> tuple[str | None, str]:
    """`("Chapter %s", "ch-nn")` for "Chapter %s <ch-nn>"; `(None, text)` for a bare label."""
    match = _EXPLICIT.fullmatch(text.strip())
    return (match.group(1), match.group(2)) if match else (None, text)


def _glued(path: Path) -> dict[str, dict]:
    """Glued name -> its mime bundle, from myst-nb's `<page>.glue.json` beside the notebook."""
    path = path.with_suffix(".glue.json")
    if not path.exists():
        return {}
    values = {}
    for name, out in json.loads(path.read_text(encoding="utf-8")).items():
        prefix = out.get("metadata", {}).get("scrapbook", {}).get("mime_prefix", "")
        values[name] = {k.removeprefix(prefix): v for k, v in out.get("data", {}).items()}
    return values


def _format(bundle: dict, spec: str) -> str:
    text = bundle.get("text/plain", "")
    if not spec:
        return text.strip("'\"")
    try:
        value = int(text) if re.fullmatch(r"-?\d+", text) else float(text)
        return format(value, spec)
    except ValueError:
        return text.strip("'\"")


class _Resolver:
    def __init__(self, app, glued, pagename):
        self.env, self.config, self.glued = app.env, app.config, glued
        self.folder = Path(app.srcdir, pagename).parent
        self.std = app.env.get_domain("std")
        self.math = app.env.get_domain("math")

    def number(self, docname, kind, node_id) -> str | None:
        number = self.env.toc_fignumbers.get(docname, {}).get(kind, {}).get(node_id)
        return ".".join(map(str, number)) if number else None

    def role(self, match) -> str:
        name, text = match.groups()
        if name == "glue:text":
            key, _, spec = text.partition(":")
            return _format(self.glued.get(key, {}), spec) if key in self.glued else text
        if name == "eq":
            docname = self.math.equations.get(text, (None,))[0]
            return f"({self.number(docname, 'displaymath', f'equation-{text}') or text})"
        if name == "numref":
            title, label = _title_and_label(text)
            docname, node_id, _ = self.std.labels.get(label, (None, None, None))
            for kind, word in (("figure", "Figure"), ("table", "Table")):
                if number := self.number(docname, kind, node_id):
                    return (title or f"{word} %s").replace("%s", number)
            # A section or chapter: its number from the table of contents.
            secnumbers = self.env.toc_secnumbers.get(docname, {})
            number = secnumbers.get(f"#{node_id}") or secnumbers.get("")
            if title and number:
                return title.replace("%s", ".".join(map(str, number)))
            return title or text
        if name == "ref":
            title, label = _title_and_label(text)
            return title or f'"{self.std.labels.get(label, (None, None, label))[2]}"'
        if name == "cite":
            return f"[{text}]"
        return f"`{text}`"

    def figure(self, name, caption) -> str:
        bundle = self.glued.get(name, {})
        for mime in ("image/svg+xml", "image/png"):
            if mime in bundle:
                data = bundle[mime]
                data = data.encode() if mime.endswith("xml") else base64.b64decode(data)
                uri = f"data:{mime};base64,{base64.b64encode(data).decode()}"
                return f"![{name}]({uri})\n\n*{caption.strip()}*\n"
        return f"*{caption.strip()}*\n"

    def included(self, argument, options) -> str:
        """A `literalinclude` as a Python code block: the lines the page shows.

        Sphinx's own reader applies the options (`pyobject`, `start-at`,
        `end-before`, `dedent`, `lines`, ...) as the page's directive does.
        """
        path = (self.folder / argument).resolve()
        given = dict(_OPTION_VALUE.findall(options))
        if "dedent" in given:
            given["dedent"] = int(given["dedent"]) if given["dedent"] else None
        text, _ = LiteralIncludeReader(str(path), given, self.config).read()
        return "```python\n" + text.rstrip() + "\n```\n"

    def directive(self, match) -> str:
        _, name, argument, body = match.groups()
        if name == "literalinclude":
            return self.included(argument, body)
        body = _OPTION.sub("", body).strip()
        if name == "glue:figure":
            return self.figure(argument, body)
        if name == "list-table":
            return _pipe_table(argument, body)
        if name == "math":
            return f"$$\n{body}\n$$\n"
        if name in ("solution-end", "raw"):  # raw: output-specific markup (LaTeX)
            return ""
        if name == "solution-start":  # its text and code cells follow
            return "**Solution**\n"
        title = {"exercise": "Exercise", "solution": "Solution"}.get(name, "")
        if argument and name != "solution":
            title = f"{title}: {argument}" if title else argument
        quoted = "\n".join(f"> {line}" if line else ">" for line in body.splitlines())
        return f"> **{title}**\n>\n{quoted}\n" if title else f"{quoted}\n"

    def equation_tag(self, match) -> str:
        label = match.group(2)
        docname = self.math.equations.get(label, (None,))[0]
        number = self.number(docname, "displaymath", f"equation-{label}")
        return f"\\tag{{{number}}}\n$$" if number else "$$"

    def markdown(self, text: str) -> str:
        text = _TARGET.sub("", text)
        text = _EQ_LABEL.sub(self.equation_tag, text)
        text = _DIRECTIVE.sub(self.directive, text)
        return _ROLE.sub(self.role, text)


def _pipe_table(caption: str, body: str) -> str:
    rows: list[list[str]] = []
    for line in body.splitlines():
        if line.startswith("* - "):
            rows.append([line[4:]])
        elif line.startswith("  - ") and rows:
            rows[-1].append(line[4:])
    if not rows:
        return f"*{caption}*\n"
    lines = ["| " + " | ".join(c.replace("|", r"\|") for c in row) + " |" for row in rows]
    lines.insert(1, "|" + " --- |" * len(rows[0]))
    return f"*{caption}*\n\n" + "\n".join(lines) + "\n"


def _with_outputs(app, nb: dict) -> dict:
    """`nb` with the outputs the execution cache holds for its code cells."""
    path = getattr(app.config, "nb_execution_cache_path", "")
    if not path or not Path(path).exists():
        return nb
    import nbformat
    from jupyter_cache import get_cache

    try:
        _, merged = get_cache(path).merge_match_into_notebook(nbformat.from_dict(nb))
    except KeyError:  # not executed through the cache
        return nb
    return json.loads(nbformat.writes(merged))


def _reader_outputs(outputs: list) -> list:
    """The outputs a reader sees: glue's records (values for the text) left out."""
    kept = []
    for output in outputs:
        data = output.get("data")
        if data is not None:
            data = {k: v for k, v in data.items() if not k.startswith(_GLUE_MIME)}
            if not data:
                continue
            output = {**output, "data": data}
        kept.append(output)
    return kept


def reader_notebook(app, pagename: str) -> dict | None:
    source = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not source.exists():
        return None
    nb = json.loads(source.read_text(encoding="utf-8"))
    resolver = _Resolver(app, _glued(source), pagename)
    out = _with_outputs(app, copy.deepcopy(nb))
    out["cells"] = [
        c for c in out["cells"] if "remove-cell" not in c.get("metadata", {}).get("tags", [])
    ]
    for cell in out["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = _reader_outputs(cell.get("outputs", []))
    if any(c["cell_type"] == "code" for c in out["cells"]):
        install = {"cell_type": "markdown", "id": "install", "metadata": {}, "source": INSTALL}
        out["cells"].insert(0, install)
    for cell in out["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = resolver.markdown("".join(cell["source"]))
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/markdown" in data:
                data["text/markdown"] = resolver.markdown("".join(data["text/markdown"]))
    return out


def add_notebook(app, pagename, templatename, context, doctree):
    if not str(context.get("sourcename", "")).endswith((".md", ".md.txt")):
        return
    nb = reader_notebook(app, pagename)
    if nb is None:
        return
    path = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    # Before the theme's header buttons (priority 501), which read ipynb_source.
    app.connect("html-page-context", add_notebook, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
