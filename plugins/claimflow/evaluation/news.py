"""``claimflow evaluate --news-gold``: claims scored on hand-annotated modern news web pages.

The gold (``tests/fixtures/claims_gold_news.json``, guidelines in docs/claims-guidelines.md) holds
no article text: each article names its page in the shared web-page folder (``snippets.json``
maps the page's address to its gzipped HTML) and every span carries its offsets and its own
words (a long one only its first and last words and a hash of the whole). The text is taken here with trafilatura under fixed options, normalized the same way
every time, so the gold does not depend on claimflow's own ingest code. An article whose
re-extracted text no longer holds a span's words at its offsets (trafilatura or the page
changed) is skipped with a warning, never scored against the wrong words.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimflow.config import PROJECT_ROOT
from claimflow.evaluation.brat import Article
from claimflow.evaluation.metrics import Counts, pct
from claimflow.models import SOURCE_KINDS, Claim, Span
from claimflow.nlp.scoring import Attribution, as_attribution, match, ratio

ROLES = ("source", "cue", "content")
DEFAULT_PAGES = PROJECT_ROOT.parent / "shared" / "data" / "webpages"
KIND_THRESHOLD = 0.3  # kinds are compared on the claims matched at this content overlap


def article_text(html: bytes) -> str:
    """The page's main text: trafilatura with every option fixed, then NFC and ``\\n`` line ends.

    Fixed options (not the library's defaults, which may change) keep offsets stable across runs.
    """
    import trafilatura  # the [airflow] extra; only the news gold needs it

    text = trafilatura.extract(
        html,
        output_format="txt",
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        deduplicate=False,
        favor_precision=False,
        favor_recall=False,
        with_metadata=False,
    )
    if text is None:
        return ""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def page_text(pages: Path, page: str) -> str:
    """The text of one page file of the shared folder (``pages/NAME.html.gz``)."""
    path = pages / "pages" / page
    if not path.is_file():
        raise FileNotFoundError(f"{page}: no page file {path}")
    try:
        html = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as exc:  # not gzip, or cut short
        raise LookupError(f"{page}: not a readable gzipped page ({exc})") from exc
    return article_text(html)


@dataclass(frozen=True)
class NewsArticle:
    """One gold article re-found in its page: the brat-shaped article and each gold source's kind."""

    article: Article
    kinds: tuple[str, ...]


SHORT = 60  # a span this long or shorter stores its words; a longer one its ends and a hash


def span_record(text: str, start: int, end: int) -> dict[str, int | str]:
    """How the gold stores a span: its offsets and its words, or, past ``SHORT`` characters, its
    first and last words and the SHA-1 of the whole, so long quotations are not copied in."""
    words = text[start:end]
    if len(words) <= SHORT:
        return {"start": start, "end": end, "text": words}
    half = SHORT // 2
    return {"start": start, "end": end, "head": words[:half], "tail": words[-half:],
            "sha1": hashlib.sha1(words.encode("utf-8")).hexdigest()}


def _spans(text: str, rows: Any, where: str) -> tuple[Span, ...]:
    """The spans of one role, each checked to hold its recorded words at its offsets in ``text``."""
    if not isinstance(rows, list):
        raise ValueError(f"{where}: expected a list of spans")
    spans = []
    for row in rows:
        try:
            start, end = int(row["start"]), int(row["end"])
            recorded = {k: str(row[k]) for k in ("text", "head", "tail", "sha1") if k in row}
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{where}: malformed span {row!r:.120}") from exc
        if not 0 <= start < end <= len(text) or span_record(text, start, end) != {"start": start, "end": end, **recorded}:
            shown = recorded.get("text") or f"{recorded.get('head')}…{recorded.get('tail')}"
            raise LookupError(f"{where}: text[{start}:{end}] is not {shown!r}")
        spans.append(Span.of(text, start, end))
    return tuple(spans)


def parse_article(entry: dict, text: str) -> NewsArticle:
    """One gold article over its text; raises LookupError when a span's words are not at its offsets."""
    name = str(entry.get("id"))
    rows = entry.get("attributions", [])
    if not isinstance(rows, list):
        raise ValueError(f"{name}: attributions must be a list")
    attributions, kinds = [], []
    for i, row in enumerate(rows):
        where = f"{name} attribution {i}"
        if not isinstance(row, dict):
            raise ValueError(f"{where}: expected an object")
        kind = row.get("source_kind")
        if kind not in SOURCE_KINDS:
            raise ValueError(f"{where}: source_kind {kind!r} is not one of {SOURCE_KINDS}")
        source, cue, content = (_spans(text, row.get(role, []), f"{where} {role}") for role in ROLES)
        if not content:
            raise ValueError(f"{where}: no content span")
        attributions.append(Attribution(source, cue, content))
        kinds.append(kind)
    return NewsArticle(Article(name, text, tuple(attributions)), tuple(kinds))


def read_news_gold(gold: Path, pages: Path) -> tuple[list[NewsArticle], list[str]]:
    """The gold articles whose text re-extracts to the annotated words, and a warning per skipped one.

    Args:
        gold: the gold JSON.
        pages: the shared web-page folder (holding ``pages/``).

    Returns:
        The articles in gold order, and one warning (article id and reason) per skipped article.
    """
    with open(gold, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        raise ValueError(f"{gold}: expected an object with a list of articles")
    if not (pages / "pages").is_dir():
        raise FileNotFoundError(f"expected a folder {pages / 'pages'} of gzipped web pages")
    articles, warnings = [], []
    for entry in data["articles"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("page"), str) or "/" in entry["page"]:
            raise ValueError(f"{gold}: article {entry!r:.80} needs a page file name")
        try:
            articles.append(parse_article(entry, page_text(pages, entry["page"])))
        except (LookupError, FileNotFoundError) as exc:
            warnings.append(f"skipped {entry.get('id')}: {exc}")
    return articles, warnings


@dataclass
class KindCounts:
    """Source kinds of the claims matched at ``KIND_THRESHOLD``: right ones per gold kind."""

    gold: Counter = field(default_factory=Counter)
    right: Counter = field(default_factory=Counter)
    predicted: Counter = field(default_factory=Counter)

    def add(self, text: str, gold: NewsArticle, claims: Iterable[Claim]) -> None:
        """Add one article's matched pairs: the gold kind against the matched claim's kind."""
        pairs = [(as_attribution(c), c) for c in claims]
        claim_of = {id(a): c for a, c in pairs}
        kind_of = {id(a): k for a, k in zip(gold.article.attributions, gold.kinds, strict=True)}
        for g, p in match(text, list(gold.article.attributions), [a for a, _ in pairs], KIND_THRESHOLD):
            want, got = kind_of[id(g)], claim_of[id(p)].source_kind
            self.gold[want] += 1
            self.predicted[got] += 1
            self.right[want] += want == got

    def report(self) -> dict[str, float | int]:
        """Kind accuracy over the matched claims, and recall and precision of each gold kind."""
        total = sum(self.gold.values())
        out: dict[str, float | int] = {"kind_accuracy": pct(ratio(sum(self.right.values()), total)), "kind_matched": total}
        for kind in sorted(self.gold):
            out[f"kind_{kind}_recall"] = pct(ratio(self.right[kind], self.gold[kind]))
            out[f"kind_{kind}_precision"] = pct(ratio(self.right[kind], self.predicted[kind]))
        return out


def score_news(nlp, articles: list[NewsArticle]) -> dict[str, float | int]:
    """The claim metrics of ``Counts`` and the kind scores, with the gold's counts per kind."""
    counts, kinds = Counts(), KindCounts()
    texts = ((a.article.text, a) for a in articles)
    for doc, gold in nlp.pipe(texts, as_tuples=True, batch_size=8):
        claims = list(doc._.claims or ())
        counts.add(gold.article.text, gold.article.attributions, [as_attribution(c) for c in claims])
        kinds.add(gold.article.text, gold, claims)
    report = counts.report() | kinds.report()
    report["articles"] = len(articles)
    for kind, n in sorted(Counter(k for a in articles for k in a.kinds).items()):
        report[f"gold_{kind}"] = n
    return report
