"""The safety check of an exported page: nothing that runs code or fetches a resource.

Links for the reader (``<a href="https://...">``) are allowed; scripts, event handlers,
``javascript:`` links and any ``src``/``href``/``url()``/``@import`` outside the file are not.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_LOCAL_OK = ("data:", "#")
_URL_IN_CSS = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.I | re.S)
_LINK_SCHEMES = ("http:", "https:", "mailto:", "#")


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_style = False

    def _where(self) -> str:
        line, col = self.getpos()
        return f"line {line}, column {col + 1}"

    def _css(self, css: str) -> None:
        for m in _URL_IN_CSS.finditer(css):
            url = (m.group(2) if m.group(2) is not None else m.group(4)).strip()
            if m.group(4) is not None or not url.lower().startswith(_LOCAL_OK):
                self.problems.append(f"{self._where()}: CSS refers to {url!r}")

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "frame", "base", "applet"):
            self.problems.append(f"{self._where()}: <{tag}> element")
        if tag == "style":
            self._in_style = True
        for name, value in attrs:
            value = (value or "").strip()
            low = re.sub(r"\s+", "", value.lower())
            if name.startswith("on"):
                self.problems.append(f"{self._where()}: event handler {name}= on <{tag}>")
            elif name == "style":
                self._css(value)
            elif name in ("src", "srcset", "poster", "data", "background", "xlink:href",
                          "formaction", "action") or (name == "href" and tag != "a"):
                urls = [u.split()[0] for u in value.split(",") if u.strip()] \
                    if name == "srcset" else [value]
                for url in urls:
                    if not url.lower().startswith(_LOCAL_OK):
                        self.problems.append(
                            f"{self._where()}: <{tag} {name}> refers to {url[:80]!r}")
            elif name == "href" and low and not low.startswith(_LINK_SCHEMES):
                self.problems.append(f"{self._where()}: link to {value[:80]!r}")

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self._css(data)


def unsafe_html(page: str) -> list[str]:
    """Everything in ``page`` that could run code or fetch a resource outside the file.

    Links for the reader (``<a href="https://...">``) are allowed; ``javascript:`` links,
    scripts, event handler attributes and external ``src``/``href``/``url()``/``@import``
    are not.
    """
    audit = _Audit()
    audit.feed(page)
    audit.close()
    return audit.problems
