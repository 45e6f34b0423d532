"""Bidi controls and invisible characters that reach a page are shown, never obeyed."""

from __future__ import annotations

import pytest

from briefing.document import DocumentInfo
from briefing.html import finish_html


def _page(body: str) -> str:
    return (f"<html><head><title>t</title></head><body><main><h1>Title</h1>{body}"
            "</main></body></html>")


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200f", "\u061c",
                                  "\u200b", "\u2060", "\ufeff"])
def test_reordering_and_invisible_characters_are_escaped_in_text_and_alt(char):
    page = finish_html(_page(f'<p>Russia{char}not a member</p><img alt="a{char}b" src="x">'),
                       DocumentInfo())
    code = f"[U+{ord(char):04X}]"
    assert char not in page
    assert f"Russia{code}not a member" in page and f'alt="a{code}b"' in page


def test_joiners_that_scripts_need_are_kept():
    text = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u0915\u094d\u200d\u0937"
    assert text in finish_html(_page(f"<p>{text}</p>"), DocumentInfo())
