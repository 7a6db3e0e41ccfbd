"""Quotation regions of a text, so content can follow a direct quote across sentences.

Curly quotes pair by direction; straight double quotes toggle within a paragraph. A quote still
open at the end of a paragraph closes there (news style reopens it in the next paragraph), so a
stray mark never swallows the rest of an article.
"""

from __future__ import annotations

import bisect
import itertools
import re

OPENERS = "“«"
CLOSERS = "”»"
GAP = " \t\r\n,.;:"
GAP_RUN = re.compile(f"[{re.escape(GAP)}]*")
SPACE_RUN = re.compile(r"\s*")  # what ``str.strip()`` strips


class QuoteRegions:
    """The ``[start, end)`` character ranges of an article's quotations, marks included."""

    def __init__(self, text: str, max_len: int = 2000) -> None:
        self.text = text
        self.regions: list[tuple[int, int]] = []
        self.unclosed: set[int] = set()  # ends of quotations cut at a paragraph end
        opened: int | None = None
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            if ch == "'" and text.startswith("''", i):  # NYT-style two-apostrophe quote mark
                ch = '"'
                i += 1
            if ch == "\n":
                if opened is not None and i - opened > 1:
                    self._add(opened, i, max_len)
                    self.unclosed.add(i)
                opened = None
            elif ch in OPENERS or (ch == '"' and opened is None):
                opened = i if text[i] != "'" else i - 1
            elif (ch in CLOSERS or ch == '"') and opened is not None:
                self._add(opened, i + 1, max_len)
                opened = None
            i += 1
        if opened is not None:
            self._add(opened, n, max_len)
        # the regions never overlap, so their starts and ends are both sorted
        self.starts = [s for s, _ in self.regions]
        self.ends = [e for _, e in self.regions]
        self.quoted_before = [0, *itertools.accumulate(e - s for s, e in self.regions)]  # characters in regions[:k]
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def _add(self, start: int, end: int, max_len: int) -> None:
        """Keep a quotation unless it is implausibly long (an unpaired mark)."""
        if end - start <= max_len:
            self.regions.append((start, end))

    def region_at(self, pos: int) -> tuple[int, int] | None:
        """The quotation holding character ``pos``, if any."""
        k = bisect.bisect_right(self.starts, pos) - 1
        if k >= 0 and self.regions[k][0] <= pos < self.regions[k][1]:
            return self.regions[k]
        return None

    def paragraph_end(self, pos: int) -> int:
        """Where the paragraph holding character ``pos`` ends: the next newline, or the text's end."""
        k = bisect.bisect_left(self.newlines, pos)
        return self.newlines[k] if k < len(self.newlines) else len(self.text)

    def only_gap(self, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` holds nothing but ``GAP`` characters; looks no further than
        the first other one (``text[start:end].strip(GAP)`` copies all of it, and the next
        quotation may be far away)."""
        return end <= start or GAP_RUN.match(self.text, start, end).end() == end

    def only_space(self, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` is whitespace only, looking no further than the first other character."""
        return end <= start or SPACE_RUN.match(self.text, start, end).end() == end

    def inside(self, pos: int) -> bool:
        """Whether character ``pos`` lies inside a quotation."""
        return self.region_at(pos) is not None

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        """The quotations that share a character with ``[start, end)``."""
        k = max(bisect.bisect_right(self.starts, start) - 1, 0)
        out = []
        while k < len(self.regions) and self.regions[k][0] < end:
            if self.regions[k][1] > start:
                out.append(self.regions[k])
            k += 1
        return out

    def extend(self, ranges: list[tuple[int, int]], cue: int) -> list[tuple[int, int]]:
        """Grow content to the whole of any quotation it starts or ends inside.

        Args:
            ranges: the content's character ranges, in order.
            cue: the cue's first character; a quotation holding the cue is never added.

        Returns:
            The content ranges, merged where they now touch.
        """
        if not ranges or not self.regions:
            return ranges
        start, end = ranges[0][0], ranges[-1][1]
        grown = list(ranges)
        for q_start, q_end in self.overlapping(start, end):
            if q_start <= cue < q_end:
                continue
            if q_start < start:
                grown.append((q_start, start))
            if q_end > end:
                grown.append((end, q_end))
        if len(grown) == len(ranges):
            return ranges
        grown.sort()
        merged = [grown[0]]
        for s, e in grown[1:]:
            if s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        return merged

    def after(self, pos: int) -> tuple[int, int] | None:
        """The first quotation starting at or after ``pos``."""
        k = bisect.bisect_left(self.starts, pos)
        return self.regions[k] if k < len(self.regions) else None

    def continued(
        self, ranges: list[tuple[int, int]], resume: int, sentence_end: int | None = None
    ) -> list[tuple[int, int]]:
        """Add the quotations that carry on a direct quote right after its cue sentence.

        News style splits one quote around the cue (“A,” he said. “B.”) and lets a quote run on
        into the next paragraph when the paragraph ends without a closing mark.

        Args:
            ranges: the content's character ranges; nothing is added unless they hold a quote.
            resume: where the cue (or a source after it) ends; the next quotation must start
                after only whitespace and punctuation from here...
            sentence_end: ...or from the end of the cue's sentence ("he said from his office.").

        Returns:
            The content ranges with the continuing quotations appended.
        """
        if not ranges or self.kind(ranges) == "indirect":
            return ranges
        text = self.text
        out = list(ranges)
        pos = max(resume, ranges[-1][1])
        if sentence_end is not None and sentence_end > pos:
            nxt = self.after(pos)
            if nxt is not None and not self.only_gap(pos, nxt[0]) and nxt[0] >= sentence_end:
                pos = sentence_end
        while True:  # a quote run on from earlier paragraphs ends where this one starts
            k = bisect.bisect_left(self.starts, out[0][0]) - 1
            if k < 0 or self.regions[k][1] not in self.unclosed or not self.only_space(self.regions[k][1], out[0][0]):
                break
            out.insert(0, self.regions[k])
        while True:
            nxt = self.after(pos)
            if nxt is None or not self.only_gap(pos, nxt[0]):
                return out
            if "\n" in text[pos : nxt[0]] and out[-1][1] not in self.unclosed:
                if nxt[1] in self.unclosed or not self.only_space(nxt[1], self.paragraph_end(nxt[1])):
                    return out  # the next paragraph is not one whole quote: it has its own cue
            out.append(nxt)
            pos = nxt[1]

    def kind(self, ranges: list[tuple[int, int]]) -> str:
        """``direct`` when the content lies inside quotations, ``mixed`` when partly, else ``indirect``."""
        total = sum(e - s for s, e in ranges)
        if not total:
            return "indirect"
        quoted = sum(self.quoted(s, e) for s, e in ranges)
        if quoted >= total - 2:
            return "direct"
        return "mixed" if quoted > 0 else "indirect"

    def quoted(self, start: int, end: int) -> int:
        """How many characters of ``[start, end)`` lie inside quotations, from running totals (a
        paragraph's worth of content can hold many quotations)."""
        lo = bisect.bisect_right(self.ends, start)  # the first quotation ending after ``start``
        hi = bisect.bisect_left(self.starts, end)  # the quotations starting before ``end``
        if lo >= hi:
            return 0
        inner = self.quoted_before[hi] - self.quoted_before[lo]
        return inner - max(start - self.regions[lo][0], 0) - max(self.regions[hi - 1][1] - end, 0)
