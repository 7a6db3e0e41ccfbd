"""A lake of a few articles with claims for the article view and the search: spans that overlap
and nest, and an article whose text and metadata are hostile markup. Published as publish leaves
a day: the Delta tables, then the day's manifest naming their versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from delta_rows import article_row, manifest_for, write_rows

from claimflow.config import Settings
from claimflow.manifest import write_manifest
from claimflow.models import stable_id
from claimflow.storage import LocalStore
from claimflow.storage.delta import table_uri

DAY, NEXT_DAY, UNPUBLISHED = "2026-11-25", "2026-11-26", "2026-11-27"
HOSTILE = ('<script>document.title="pwned";document.body.append(Object.assign(document.createElement("p"),{id:"pwned"}))</script>'
           '<img src=x onerror="document.title=\'pwned\'"><a href="javascript:document.title=\'pwned\'">click</a>')
TEXT = ("Mayor Ann Lee said the bridge would reopen in May, according to city officials. "
        f'Bob Park denied that "Ann Lee keeps her word" {HOSTILE} and said repairs were late.')
ANN, BOB = stable_id("PERSON", "Ann Lee"), stable_id("PERSON", "Bob Park")
ARTICLE = stable_id("article", DAY, 0)
PLAIN = stable_id("article", DAY, 1)  # a quiet article with an http URL
LATER = stable_id("article", NEXT_DAY, 0)
WARC_INPUT = "s3://news/CC-NEWS-20261125101500-00042.warc.gz#17"


def at(text: str, part: str, after: int = 0) -> dict[str, Any]:
    start = text.index(part, after)
    return {"start": start, "end": start + len(part), "text": part}


def claim(article: str, day: str, index: int, *, source: dict | None, cue: dict, content: list[dict], kind: str,
          speaker: str | None, entity: str | None = None, about: tuple[str, ...] = (), stance: str = "neutral",
          hedges: tuple[str, ...] = ()) -> dict[str, Any]:
    """One claims row with its spans (``at``) as extraction writes them."""
    source = source or {}
    return {
        "claim_id": stable_id(article, index), "article_id": article, "sentence": index,
        "source_start": source.get("start"), "source_end": source.get("end"), "source_text": source.get("text"),
        "cue_start": cue["start"], "cue_end": cue["end"], "cue_text": cue["text"], "content": content,
        "content_text": " … ".join(s["text"] for s in content), "source_kind": kind, "speaker": speaker,
        "quote_type": "indirect", "stance": stance, "hedges": list(hedges), "confidence": 0.8,
        "source_entity_id": entity, "entity_ids": list(about), "dt": day, "run_id": f"run-{day}",
    }


def claims_of_article() -> list[dict[str, Any]]:
    """Four claims: the officials' content holds the mayor's whole claim (nesting), Bob's content
    the hostile markup, and one claim has no source."""
    reopen = at(TEXT, "the bridge would reopen in May")
    denial = at(TEXT, f'that "Ann Lee keeps her word" {HOSTILE}')
    return [
        claim(ARTICLE, DAY, 0, source=at(TEXT, "Mayor Ann Lee"), cue=at(TEXT, "said"), content=[reopen],
              kind="person", speaker="Ann Lee", entity=ANN),
        claim(ARTICLE, DAY, 1, source=at(TEXT, "city officials"), cue=at(TEXT, "according to"),
              content=[at(TEXT, "Mayor Ann Lee said the bridge would reopen in May")],
              kind="anonymous", speaker=None, hedges=("would",)),
        claim(ARTICLE, DAY, 2, source=at(TEXT, "Bob Park"), cue=at(TEXT, "denied"), content=[denial],
              kind="person", speaker="Bob Park", entity=BOB, about=(ANN,), stance="denial"),
        claim(ARTICLE, DAY, 3, source=None, cue=at(TEXT, "said", TEXT.index("Bob")),
              content=[at(TEXT, "repairs were late")], kind="pronoun", speaker=None),
    ]


def _article(day: str, article_id: str, text: str, **metadata: Any) -> dict[str, Any]:
    return article_row(day, f"run-{day}", 0) | {"article_id": article_id, "text": text, "n_chars": len(text)} | metadata


def build_article_lake(root: Path) -> Settings:
    """Two published days and a third whose tables hold rows but no manifest (never to be shown)."""
    settings = Settings(lake=str(root / "lake"))
    later_text = "Ann Lee said the budget was balanced."
    days = {
        DAY: (
            [_article(DAY, ARTICLE, TEXT, title=f"Bridge {HOSTILE}", url="javascript:document.title='pwned'",
                      site='<img src=x onerror="document.title=1">', authors=["Kim <b>Lo</b>"], path=WARC_INPUT),
             _article(DAY, PLAIN, "Nothing was said.", title="Quiet day", url="https://news.example/quiet", path="seeds/q.txt")],
            claims_of_article(),
        ),
        NEXT_DAY: (
            [_article(NEXT_DAY, LATER, later_text, title="Budget")],
            [claim(LATER, NEXT_DAY, 0, source=at(later_text, "Ann Lee"), cue=at(later_text, "said"),
                   content=[at(later_text, "the budget was balanced")], kind="person", speaker="Ann Lee", entity=ANN)],
        ),
        UNPUBLISHED: (
            [_article(UNPUBLISHED, stable_id("article", UNPUBLISHED), "Ann Lee said nothing.", title="Unpublished")],
            [claim(stable_id("article", UNPUBLISHED), UNPUBLISHED, 0, source=None, cue=at("Ann Lee said nothing.", "said"),
                   content=[at("Ann Lee said nothing.", "nothing")], kind="person", speaker="Ann Lee", entity=ANN)],
        ),
    }
    store = LocalStore(settings.lake)
    for day, (articles, claims) in days.items():
        versions = {table: write_rows(table_uri(settings, table), table, rows, day=day)
                    for table, rows in (("articles", articles), ("claims", claims))}
        if day != UNPUBLISHED:
            tables = {"articles": (len(articles), versions["articles"]), "claims": (len(claims), versions["claims"])}
            write_manifest(store, manifest_for(day, f"run-{day}", store.root, tables=tables,
                                               accounting=(len(articles), len(articles), 0)))
    return settings
