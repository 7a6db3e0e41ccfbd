"""Markup nested deeper than libxml2 goes, made shallow so that none of its text is lost.

libxml2's HTML parser (lxml's) stops at 256 open elements ("Excessive depth in document") and
the rest of the page is gone: an intro then 300 unclosed ``<b>`` was published as the intro
alone. :func:`flattened` rewrites such a page with the same text and at most ``max_depth`` open
elements: the tags opened deeper are left out (their text stays), and so is the text inside a
left-out element no reader sees (a ``<script>``, a ``<template>``). It reads the page as a
stream of tags (the standard library's tokenizer: no tree, no recursion), so 100,000 nested
tags cost their bytes, not a deep tree.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

# elements with no end tag: never open, so never deep
VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())


class _Flattener(HTMLParser):
    """Copies a page token by token, leaving out the tags opened deeper than ``max_depth``."""

    def __init__(self, max_depth: int, hidden: frozenset[str]) -> None:
        super().__init__(convert_charrefs=False)
        self.max_depth, self.hidden = max_depth, hidden
        self.out: list[str] = []
        self.kept: list[str] = []  # the open elements written out, at most max_depth
        self.left_out: list[str] = []  # the open elements opened deeper, not written out
        self.counts: Counter[str] = Counter()  # open elements by tag: an end tag of none is ignored
        self.names: dict[str, str] = {}  # one string per tag name: a million open <b> hold one "b"
        self.hiding = 0  # open elements left out whose text no reader sees

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        keep = len(self.kept) < self.max_depth and not self.left_out
        if keep:
            self.out.append(self.get_starttag_text() or f"<{tag}>")
        if tag in VOID:
            return
        tag = self.names.setdefault(tag, tag)
        (self.kept if keep else self.left_out).append(tag)
        self.counts[tag] += 1
        self.hiding += not keep and tag in self.hidden

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if len(self.kept) < self.max_depth and not self.left_out:
            self.out.append(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.counts[tag]:
            return
        while self.left_out:  # an end tag closes the elements left open inside it, as a browser does
            name = self.left_out.pop()
            self.counts[name] -= 1
            self.hiding -= name in self.hidden
            if name == tag:
                return
        while self.kept:
            name = self.kept.pop()
            self.counts[name] -= 1
            self.out.append(f"</{name}>")
            if name == tag:
                return

    def _text(self, text: str) -> None:
        if not self.hiding:
            self.out.append(text)

    def handle_data(self, data: str) -> None:
        self._text(data)

    def handle_entityref(self, name: str) -> None:
        self._text(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._text(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def unknown_decl(self, data: str) -> None:
        self._text(f"<![{data}]>")


def flattened(html: str, max_depth: int, *, hidden: frozenset[str] = frozenset()) -> str:
    """``html`` with at most ``max_depth`` elements open at once: a tag opened deeper is left out
    with its end tag, its text kept unless it is one of the ``hidden`` elements."""
    flattener = _Flattener(max_depth, hidden)
    flattener.feed(html)
    flattener.close()
    return "".join(flattener.out)
