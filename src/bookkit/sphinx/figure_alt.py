"""Sphinx extension: every image has a text alternative that says what it shows.

A figure's caption already says what the figure shows, so an image inside a
captioned figure that has no `alt` of its own (a `{glue:figure}` takes `:alt:`,
which wins) gets the caption as its alt text, with the caption's math written
as readable text (`$\\mathcal{N}(0, \\sigma^2)$` becomes `N(0, σ²)`) rather
than as TeX a screen reader would spell out. An image that is neither
described nor captioned fails the build (a warning, and the book builds with
`-W`).

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.figure_alt]`.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

_SYMBOLS = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "Gamma": "Γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "eta": "η",
    "theta": "θ",
    "lambda": "λ",
    "mu": "μ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "Sigma": "Σ",
    "Delta": "Δ",
    "lVert": "‖",
    "rVert": "‖",
    "Vert": "‖",
    "lvert": "|",
    "rvert": "|",
    "left": "",
    "right": "",
    "big": "",
    "Big": "",
    "bigl": "",
    "bigr": "",
    "quad": " ",
    "qquad": " ",
    "tau": "τ",
    "phi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "ne": "≠",
    "neq": "≠",
    "approx": "≈",
    "pm": "±",
    "times": "×",
    "cdot": "·",
    "cdots": "…",
    "ldots": "…",
    "dots": "…",
    "infty": "∞",
    "to": "→",
    "top": "ᵀ",
    "sim": "~",
    "in": "∈",
    "propto": "∝",
    "log": "log",
    "exp": "exp",
}
_SUPERSCRIPTS = str.maketrans("0123456789+-()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾")
_SUBSCRIPTS = str.maketrans("0123456789+-()", "₀₁₂₃₄₅₆₇₈₉₊₋₍₎")
_GROUP = r"(\{[^{}]*\}|\\[A-Za-z]+|.)"  # a braced group, a command or one character


def _ungroup(text: str) -> str:
    return text[1:-1] if text.startswith("{") and text.endswith("}") else text


def _script(body: str, table: dict, mark: str) -> str:
    body = _ungroup(body)
    if all(ord(c) in table for c in body if not c.isspace()):
        return body.translate(table)
    return mark + _paren(body)


def tex_to_text(tex: str) -> str:
    """Inline TeX as plain readable text: commands as Unicode, no braces or backslashes."""
    text = " ".join(tex.split())
    text = re.sub(r"\^\s*\{?\\top\}?", "ᵀ", text)
    for wrapper in ("mathcal", "mathbb", "mathrm", "mathbf", "operatorname", "text", "boldsymbol"):
        text = re.sub(rf"\\{wrapper}\s*{_GROUP}", lambda m: _ungroup(m.group(1)), text)
    text = re.sub(rf"\\sqrt\s*{_GROUP}", lambda m: "√" + _paren(_ungroup(m.group(1))), text)
    text = re.sub(rf"\\[td]?frac\s*{_GROUP}\s*{_GROUP}", _fraction, text)
    text = re.sub(rf"\\hat\s*{_GROUP}", lambda m: _ungroup(m.group(1)) + "\u0302", text)
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _SYMBOLS.get(m.group(1), m.group(1)), text)
    text = text.replace("\\,", " ").replace("\\;", " ").replace("\\ ", " ")
    text = re.sub(rf"\^\s*{_GROUP}", lambda m: _script(m.group(1), _SUPERSCRIPTS, "^"), text)
    text = re.sub(rf"_\s*{_GROUP}", lambda m: _script(m.group(1), _SUBSCRIPTS, "_"), text)
    return text.replace("{", "").replace("}", "").replace("\\", "")


def _paren(body: str) -> str:
    return body if len(body) == 1 or body.isalnum() else f"({body})"


def _fraction(match: re.Match) -> str:
    return f"{_paren(_ungroup(match.group(1)))}/{_paren(_ungroup(match.group(2)))}"


def plain_text(node: nodes.Node) -> str:
    """The text of `node` as a reader hears it: math converted by `tex_to_text`."""
    parts = []
    for child in node.children:
        if isinstance(child, nodes.math):
            parts.append(tex_to_text(child.astext()))
        elif isinstance(child, nodes.Text):
            parts.append(child.astext())
        else:
            parts.append(plain_text(child))
    return " ".join("".join(parts).split())


def _describe_images(app, doctree, docname):
    for image in doctree.findall(nodes.image):
        if image.get("alt", "").strip():
            continue
        figure = image.parent
        while figure is not None and not isinstance(figure, nodes.figure):
            figure = figure.parent
        caption = figure.next_node(nodes.caption) if figure is not None else None
        if caption is None or not plain_text(caption):
            logger.warning(
                "image %r has no text alternative: give it :alt: or put it in a captioned figure",
                image.get("uri"),
                location=image,
                type="figure_alt",
            )
            continue
        image["alt"] = plain_text(caption)


def setup(app):
    app.connect("doctree-resolved", _describe_images)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
