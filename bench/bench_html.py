"""Main text of real web pages: claimflow's HTML path beside trafilatura's defaults and the old
``html_to_text``, scored as the trafilatura project scores its evaluation set.

Reads ``../shared/data/webpages/`` (248 pages with ``with``/``without`` snippets) at run time
and exits cleanly when it is absent. Over all pages, a ``with`` snippet found in the output is
a true positive, one missing a false negative; a ``without`` snippet found is a false positive,
one missing a true negative. Whitespace runs count as one space on both sides, so the way an
extractor joins lines does not decide a match. Also: pages per CPU second of the HTML path (one
process, so per core), pages refused, and title/date/author/URL coverage.

    PYTHONPATH=plugins python bench/bench_html.py [--variants]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import subprocess
import sys
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEBPAGES = ROOT.parent / "shared" / "data" / "webpages"
sys.path.insert(0, str(ROOT / "plugins"))

from claimflow.exceptions import RejectedInput  # noqa: E402
from claimflow.ingest import html as html_path  # noqa: E402


@dataclass
class Score:
    """Snippet counts of one extractor over the whole set."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    refused: int = 0
    metadata: dict[str, int] = field(default_factory=dict)

    def add(self, text: str | None, page: dict) -> None:
        if text is None:
            self.refused += 1
        flat = " ".join((text or "").split())
        for snippet in page["with"]:
            found = text is not None and " ".join(snippet.split()) in flat
            self.tp, self.fn = self.tp + found, self.fn + (not found)
        for snippet in page["without"]:
            found = text is not None and " ".join(snippet.split()) in flat
            self.fp, self.tn = self.fp + found, self.tn + (not found)

    def measures(self) -> dict[str, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        accuracy = (self.tp + self.tn) / (self.tp + self.tn + self.fp + self.fn)
        return {"precision": precision, "recall": recall, "f1": f1, "accuracy": accuracy}


def load_pages(folder: Path = WEBPAGES) -> list[tuple[str, bytes, dict]]:
    """``(address, original bytes, snippets)`` of every page of the development set."""
    snippets = json.loads((folder / "snippets.json").read_text(encoding="utf-8"))
    return [(url, gzip.decompress((folder / "pages" / page["file"]).read_bytes()), page) for url, page in snippets.items()]


def old_extractor() -> Callable[[bytes, str], str]:
    """main's ``decode_text`` (strict UTF-8, then the stdlib-parser ``html_to_text``)."""
    source = subprocess.run(
        ["git", "show", "main:plugins/claimflow/ingest/decode.py"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    module = types.ModuleType("old_decode")
    exec(compile(source, "main:decode.py", "exec"), module.__dict__)  # our own code, as it is on main
    return lambda raw, name: module.decode_text(raw, name=name)


def claimflow_extractor(raw: bytes, name: str, options: dict[str, bool] | None = None) -> str:
    return html_path.extract_page(raw, name=name, url=name, options=options or html_path.EXTRACTION_OPTIONS).text


def trafilatura_defaults(raw: bytes, name: str) -> str | None:
    import trafilatura

    return trafilatura.extract(raw)


def score(pages: list[tuple[str, bytes, dict]], extractor: Callable[[bytes, str], str | None]) -> tuple[Score, float]:
    """The extractor's score over ``pages`` and the CPU seconds it took (this process only)."""
    result = Score()
    started = time.process_time()
    for url, raw, page in pages:
        try:
            text = extractor(raw, url)
        except RejectedInput:
            text = None
        result.add(text, page)
    return result, time.process_time() - started


def metadata_coverage(pages: list[tuple[str, bytes, dict]]) -> dict[str, int]:
    """On how many pages claimflow's HTML path finds each metadata field."""
    counts = dict.fromkeys(("title", "published", "authors", "url", "site", "language"), 0)
    for url, raw, _ in pages:
        try:
            page = html_path.extract_page(raw, name=url, url=None)
        except RejectedInput:
            continue
        for key in counts:
            counts[key] += bool(getattr(page, key))
    return counts


VARIANTS = {  # trafilatura options in claimflow's path, beside EXTRACTION_OPTIONS (comments off)
    "defaults (comments on)": {"include_comments": True},
    "comments off, favor_precision": {"include_comments": False, "favor_precision": True},
    "comments off, favor_recall": {"include_comments": False, "favor_recall": True},
    "comments off, no tables": {"include_comments": False, "include_tables": False},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", action="store_true", help="also score trafilatura option sets in claimflow's path")
    args = parser.parse_args()
    if not (WEBPAGES / "snippets.json").is_file():
        print(f"skipped: {WEBPAGES} is absent")
        return 0
    pages = load_pages()
    print(f"{len(pages)} pages, {sum(len(p['with']) for *_, p in pages)} with-snippets, "
          f"{sum(len(p['without']) for *_, p in pages)} without-snippets")
    runs = {"claimflow (trafilatura + fallback)": claimflow_extractor,
            "trafilatura.extract defaults": trafilatura_defaults,
            "old html_to_text (main)": old_extractor()}
    if args.variants:
        for label, options in VARIANTS.items():
            runs[f"variant: {label}"] = functools.partial(claimflow_extractor, options=options)
    print(f"{'extractor':<44} {'precision':>9} {'recall':>7} {'F1':>6} {'accuracy':>8} {'refused':>7} {'pages/s':>8}")
    for label, extractor in runs.items():
        result, seconds = score(pages, extractor)
        m = result.measures()
        print(f"{label:<44} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {m['accuracy']:>8.3f} "
              f"{result.refused:>7} {len(pages) / seconds:>8.1f}")
    print("metadata found by claimflow:", json.dumps(metadata_coverage(pages)))
    raw_bytes = sum(len(raw) for _, raw, _ in pages)
    archived = sum(len(gzip.compress(raw, mtime=0)) for _, raw, _ in pages)
    print(f"raw archive: {raw_bytes:,} bytes of pages kept as {archived:,} gzip bytes ({raw_bytes / archived:.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
