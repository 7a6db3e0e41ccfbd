"""Boolean ``dq_*`` columns computed in pandas so that GX can check what it cannot see.

A GX batch is one table, but span offsets, referential integrity and duplicates need the
article texts, the other tables or the run's day. Each function below adds those facts as
boolean columns; the suites then expect them to be ``True``. A fact that cannot be judged
(e.g. a span of an unknown article) is ``True`` here: another expectation reports it, so
every expectation counts one kind of problem.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

CONTENT_JOINER = " … "


@dataclass(frozen=True)
class Parents:
    """What child tables are checked against: the run's day, the articles' texts, each article's entities."""

    day: str
    article_ids: frozenset[str] = frozenset()  # every input article, quarantined or not
    texts: dict[str, str] = field(default_factory=dict)  # article_id -> text, where it is a string
    # (article_id, entity_id) of every entity row: an entity id is shared by articles, a mention
    # must point at its own article's row
    entities: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of(cls, day: str, articles: pd.DataFrame, entities: pd.DataFrame) -> Parents:
        """The parents of ``day``; a table missing its id column contributes nothing."""
        ids = articles["article_id"] if "article_id" in articles.columns else pd.Series([], dtype=object)
        texts = articles["text"] if "text" in articles.columns else [None] * len(ids)
        return cls(
            day=day,
            article_ids=frozenset(ids.dropna()),
            texts={a: t for a, t in zip(ids, texts, strict=True) if isinstance(t, str)},
            entities=frozenset(zip(entities["article_id"], entities["entity_id"], strict=True))
            if {"article_id", "entity_id"} <= set(entities.columns) else frozenset(),
        )


def _missing(value: Any) -> bool:
    """None, NA or NaN: what a null looks like in a pandas column of any dtype."""
    return value is None or value is pd.NA or (isinstance(value, float | np.floating) and np.isnan(value))


def _offset(value: Any) -> int | None:
    """An offset as int; ``None`` when missing; ``-1`` (never valid) when it is not an integer."""
    if _missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        return -1
    if isinstance(value, numbers.Integral):
        return int(value)
    return int(value) if isinstance(value, numbers.Real) and float(value).is_integer() else -1


def _span(text: str, start: Any, end: Any, value: Any) -> tuple[bool, bool]:
    """Whether ``[start, end)`` lies inside ``text``, and whether ``value`` is the text there."""
    s, e = _offset(start), _offset(end)
    if s is None or e is None or not 0 <= s < e <= len(text):
        return False, True
    return True, text[s:e] == value


def _spans(
    df: pd.DataFrame, parents: Parents, start: str, end: str, text: str, *, optional: bool = False
) -> tuple[list[bool], list[bool]]:
    """Per row: span inside its article's text, span text equal to the article's text there."""
    in_text: list[bool] = []
    matches: list[bool] = []
    for aid, s, e, value in zip(df["article_id"], df[start], df[end], df[text], strict=True):
        article = parents.texts.get(aid)
        absent = _missing(s) and _missing(e) and _missing(value)
        ok = (True, True) if article is None or (optional and absent) else _span(article, s, e, value)
        in_text.append(ok[0])
        matches.append(ok[1])
    return in_text, matches


def _is_sequence(value: Any) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def _content(df: pd.DataFrame, parents: Parents) -> dict[str, list[bool]]:
    """Content spans (a list of {start, end, text}): inside the text, matching, and joined right."""
    in_text: list[bool] = []
    matches: list[bool] = []
    joined: list[bool] = []
    for aid, spans, content_text in zip(df["article_id"], df["content"], df["content_text"], strict=True):
        valid = _is_sequence(spans) and len(spans) > 0 and all(isinstance(s, dict) for s in spans)
        article = parents.texts.get(aid)
        checks = (
            [_span(article, s.get("start"), s.get("end"), s.get("text")) for s in spans] if valid and article else []
        )
        in_text.append(valid and all(c[0] for c in checks))
        matches.append(all(c[1] for c in checks))
        joined.append(not valid or content_text == CONTENT_JOINER.join(str(s.get("text")) for s in spans))
    return {"dq_content_in_text": in_text, "dq_content_text_matches": matches, "dq_content_text_joined": joined}


def _first_copy(df: pd.DataFrame) -> pd.Series:
    """False for a text already seen in a record that sorts first by (path, article_id).

    Sorting, not input order, picks the copy that is kept, so a rerun keeps the same one.
    """
    order = df.astype({"path": str, "article_id": str}).sort_values(["path", "article_id"], kind="stable").index
    hashes = df.loc[order, "content_sha256"]
    repeated = hashes.duplicated(keep="first") & hashes.notna()
    return ~repeated.reindex(df.index)


def _articles(df: pd.DataFrame, parents: Parents) -> dict[str, Iterable[bool]]:
    published = df["published"]
    present = published.notna()
    parsed = pd.to_datetime(published.where(present).astype("string"), errors="coerce", utc=True, format="ISO8601")
    latest = pd.Timestamp(parents.day, tz="UTC") + pd.Timedelta(days=2)  # end of the day after the run's
    return {
        "dq_first_copy": _first_copy(df),
        "dq_published_parseable": ~present | parsed.notna(),
        "dq_published_not_future": ~(parsed >= latest),  # NaT compares False
    }


def _known_article(df: pd.DataFrame, parents: Parents) -> dict[str, Iterable[bool]]:
    return {"dq_article_known": df["article_id"].isin(list(parents.article_ids))}


def _mentions(df: pd.DataFrame, parents: Parents) -> dict[str, Iterable[bool]]:
    in_text, matches = _spans(df, parents, "start", "end", "text")
    return {
        **_known_article(df, parents),
        "dq_entity_known": [pair in parents.entities for pair in zip(df["article_id"], df["entity_id"], strict=True)],
        "dq_span_in_text": in_text,
        "dq_span_text_matches": matches,
    }


def _claims(df: pd.DataFrame, parents: Parents) -> dict[str, Iterable[bool]]:
    cue_in, cue_match = _spans(df, parents, "cue_start", "cue_end", "cue_text")
    source_in, source_match = _spans(df, parents, "source_start", "source_end", "source_text", optional=True)
    return {
        **_known_article(df, parents),
        "dq_cue_in_text": cue_in,
        "dq_cue_text_matches": cue_match,
        "dq_source_in_text": source_in,
        "dq_source_text_matches": source_match,
        **_content(df, parents),
    }


DERIVED: dict[str, Callable[[pd.DataFrame, Parents], dict[str, Iterable[bool]]]] = {
    "articles": _articles,
    "entities": _known_article,
    "mentions": _mentions,
    "claims": _claims,
}


def add_derived(table: str, df: pd.DataFrame, parents: Parents) -> pd.DataFrame:
    """``df`` plus its table's ``dq_*`` columns; ``df`` must have the table's schema columns."""
    columns = {name: np.asarray(values, dtype=bool) for name, values in DERIVED[table](df, parents).items()}
    return df.assign(**columns)
