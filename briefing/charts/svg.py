"""A figure as SVG text: deterministic (fixed hash salt, no date), its text kept as text
with subsets of the fonts it uses embedded."""

from __future__ import annotations

import io

import fontTools.ttLib  # noqa: F401  (to_svg embeds WOFF font subsets: import with the rest)
import matplotlib
import matplotlib.pyplot as plt
import uharfbuzz  # noqa: F401
from matplotlib import font_manager
from matplotlib.figure import Figure

from .. import fonts
from .common import RC


def to_svg(fig: Figure) -> str:
    """SVG text of ``fig`` (deterministic: fixed hash salt, no date metadata); closes it.

    Text is written as ``<text>`` with the fonts it uses embedded (:func:`embed_fonts`)."""
    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight",
                    pad_inches=0.08)
    plt.close(fig)
    return embed_fonts(_keep_spaces(buffer.getvalue()))


def _keep_spaces(svg: str) -> str:
    """Mark the SVG's whitespace as significant: matplotlib measured the text with its runs
    of spaces and its leading and trailing ones, which SVG would otherwise collapse and strip.
    ``xml:space`` on the root is inherited (WeasyPrint reads it); browsers follow the CSS."""
    at = svg.index("<svg") + len("<svg")
    return _add_css(svg[:at] + ' xml:space="preserve"' + svg[at:], "text { white-space: pre }")


def _add_css(svg: str, css: str) -> str:
    """``svg`` with ``css`` at the start of its (first) stylesheet, one made if it has none."""
    opening = '<style type="text/css">'
    at = svg.find(opening)
    if at >= 0:
        at += len(opening)
        return svg[:at] + css + "\n" + svg[at:]
    at = svg.index(">", svg.index("<svg")) + 1
    return svg[:at] + f"<defs>{opening}{css}\n</style></defs>" + svg[at:]

_SVG = "{http://www.w3.org/2000/svg}"


def _style(declarations: str | None) -> dict[str, str]:
    pairs = (d.partition(":") for d in (declarations or "").split(";"))
    return {k.strip(): v.strip() for k, _, v in pairs if k.strip()}


def svg_text_faces(svg: str) -> dict[tuple[str, str, str], str]:
    """The text of ``svg`` grouped by face: ``(family, style, weight) -> characters``
    (sorted, each once); ``family`` is the first name of the text's ``font-family`` list,
    as matplotlib writes it."""
    from xml.etree import ElementTree as ET

    faces: dict[tuple[str, str, str], set[str]] = {}

    def walk(node, inherited: dict[str, str]) -> None:
        style = inherited | _style(node.get("style"))
        for name in ("font-family", "font-style", "font-weight"):
            if node.get(name):
                style[name] = node.get(name)
        is_text = node.tag in (f"{_SVG}text", f"{_SVG}tspan")
        if is_text and node.text:
            _add(style, node.text)
        for child in node:
            walk(child, style)
            if is_text and child.tail:
                _add(style, child.tail)

    def _add(style: dict[str, str], text: str) -> None:
        family = style.get("font-family", "").split(",")[0].strip().strip("'\"")
        key = (family, style.get("font-style", "normal"), style.get("font-weight", "400"))
        faces.setdefault(key, set()).update(text)

    walk(ET.fromstring(svg.encode("utf-8")), {})
    return {key: "".join(sorted(chars)) for key, chars in sorted(faces.items())}


def _face_file(family: str, style: str, weight: str):
    """The font file matplotlib laid ``family`` out with, or None if it has none."""

    try:
        props = font_manager.FontProperties(family=[family], style=style,
                                            weight=int(weight) if weight.isdigit() else weight)
        path = font_manager.findfont(props, fallback_to_default=False)
    except ValueError:
        return None
    if font_manager.get_font(path).family_name != family:
        return None
    return path


def embed_fonts(svg: str) -> str:
    """``svg`` with a ``@font-face`` rule for each face its text uses: a ``data:`` WOFF2
    subset of the file matplotlib measured the text with, holding exactly the characters
    that face shows. An SVG drawn as an ``<img>`` cannot see the page's fonts, so without
    these a reader's browser would substitute its own and the layout could break.

    Characters the face lacks (other scripts, drawn from the fallbacks in RC: Chinese from
    Noto Sans CJK, a font of megabytes) are not embedded: browsers and WeasyPrint take them
    from the next family named in the SVG, or from the system."""
    from pathlib import Path

    rules = []
    for (family, style, weight), text in svg_text_faces(svg).items():
        path = _face_file(family, style, weight)
        if path is None:
            continue
        have = fonts.codepoints(Path(path))
        covered = "".join(ch for ch in text if ord(ch) in have)
        if not covered.strip():
            continue
        woff = fonts.subset_woff(Path(path), covered, layout=False)
        rules.append(fonts.font_face(family, style, weight, woff))
    if not rules:
        return svg
    return _add_css(svg, "\n".join(rules))
