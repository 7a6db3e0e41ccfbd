"""The entity registry's side of publish: read the registry and the day's staged entities, resolve
them (:func:`claimflow.identity.resolve.resolve`), rewrite the day's staged entity ids to the
surviving ones and stage the day's registry rows, all before anything is committed.

Why a day-level step at publish and not per shard: a shard sees a part of the day, so two shards
(or two workers, or two orders of the same shards) would each decide alone and need reconciling
anyway; at publish the day is complete, the step runs once, under the lake's publish lease (no other day resolves meanwhile), and
its input is a set (the day's entities aggregated over every shard, the registry of every other
day), so its answer is one. Extraction stays per article and shard-independent.

The registry is read column-projected (no aliases: the rules need names, labels and counts),
one Arrow batch at a time into one small record per id, and not whole: its rows older than the
recent window are kept folded in a snapshot beside the table (one row per id, checked against
the table's files before its horizon), so a publish reads the snapshot and a bounded number of
days however old the lake is. The day's staged files are read and rewritten one at a time.
Memory follows the number of distinct entities, not of rows. Ids change by extracted id, and
for a state named like a city written as its abbreviation, by article and extracted id.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from claimflow import layout
from claimflow.config import Settings
from claimflow.exceptions import StorageError
from claimflow.identity.files import Identities, KbEntry, load_identities, load_kb
from claimflow.identity.names import packaged_names
from claimflow.identity.resolve import RECENT_DAYS, Known, Resolution, Seen, is_state, recent_since, resolve, state_id
from claimflow.nlp.aliases import name_key, run_aliases
from claimflow.storage.base import ObjectStore
from claimflow.storage.delta import DeltaLake, StagedPart, staged_batches
from claimflow.storage.records import put_parquet, put_table_parquet, read_parquet
from claimflow.tables import REGISTRY_SCHEMA, SCHEMAS

log = logging.getLogger(__name__)

READ_COLUMNS = ["entity_id", "name", "label", "article_count", "merged_into", "kb_id", "dt"]
SNAPSHOT_KEY = "_identity/registry_snapshot.parquet"  # beside the tables: the registry folded up to a horizon
SNAPSHOT_REFRESH_DAYS = 30  # the horizon moves on once the rows read whole span this many days before the recent ones
SNAPSHOT_SCHEMA = pa.schema([
    ("entity_id", pa.string()), ("name", pa.string()), ("label", pa.string()), ("merged_into", pa.string()),
    ("kb_id", pa.string()), ("latest", pa.string()), ("articles", pa.int64()), ("first_day", pa.string()),
    ("kb_day", pa.string()),
])


@dataclass
class _Entry:
    """One id's registry rows folded together, the latest day's name, label and decisions winning."""

    entity_id: str
    latest: str = ""
    name: str = ""
    label: str = ""
    merged_into: str | None = None
    kb_id: str | None = None
    articles: int = 0
    recent: int = 0
    first_day: str = ""
    kb_day: str = ""  # the latest day that gave a kb_id: a day without one keeps the last known

    def add(self, row: dict[str, Any], *, since: str, until: str) -> None:
        day, count = row["dt"], row["article_count"] or 0
        if day >= self.latest:
            self.latest, self.name, self.label, self.merged_into = day, row["name"], row["label"], row["merged_into"]
        if row["kb_id"] and day >= self.kb_day:
            self.kb_id, self.kb_day = row["kb_id"], day
        self.articles += count
        if since <= day <= until:
            self.recent += count
        if count and (not self.first_day or day < self.first_day):
            self.first_day = day


@dataclass(frozen=True)
class _Snapshot:
    """The registry's rows before ``horizon`` folded into one entry per id (no recent articles:
    they are older than any day it serves), valid while the table's files before the horizon
    are those whose ``digest`` it records."""

    horizon: str
    digest: str
    entries: Mapping[str, _Entry]


def _digest(table: Any, horizon: str) -> str:
    """What the table's files before ``horizon`` are: a rerun or backfill of an older day, a
    compaction or a restore changes them, and with them this digest."""
    import hashlib

    uris = sorted(table.file_uris(partition_filters=[("dt", "<", horizon)]))
    return hashlib.sha256("\n".join(uris).encode()).hexdigest()


def _load_snapshot(store: ObjectStore, table: Any) -> _Snapshot | None:
    """The stored snapshot when the table's files before its horizon are still those it folded;
    None when there is none, it is stale, or it cannot be read (it is a cache: the registry is
    then read whole)."""
    if not store.exists(SNAPSHOT_KEY):
        return None
    try:
        stored = read_parquet(store, SNAPSHOT_KEY)
        meta = stored.schema.metadata or {}
        horizon, digest = meta[b"horizon"].decode(), meta[b"digest"].decode()
        stored = stored.select(SNAPSHOT_SCHEMA.names)
        if not stored.schema.remove_metadata().equals(SNAPSHOT_SCHEMA) or any(
                stored.column(c).null_count for c in ("entity_id", "latest", "articles", "first_day", "kb_day")):
            raise ValueError(f"expected columns {SNAPSHOT_SCHEMA.names} with ids, days and counts, got {stored.schema}")
        rows = stored.to_pylist()
    except (KeyError, ValueError, OSError, pa.ArrowException) as error:
        log.warning("registry snapshot %s unreadable, reading the registry whole: %s", SNAPSHOT_KEY, error)
        return None
    if _digest(table, horizon) != digest:
        return None
    return _Snapshot(horizon, digest, {r["entity_id"]: _Entry(**r) for r in rows})


def _save_snapshot(store: ObjectStore, table: Any, horizon: str, entries: Mapping[str, _Entry]) -> None:
    """Store the rows before ``horizon`` folded (``entries``), with the digest of their files."""
    rows = {name: [getattr(e, name) for e in entries.values()] for name in SNAPSHOT_SCHEMA.names}
    schema = SNAPSHOT_SCHEMA.with_metadata({"horizon": horizon, "digest": _digest(table, horizon)})
    put_table_parquet(store, SNAPSHOT_KEY, pa.Table.from_pydict(rows, schema=schema))


def read_registry(lake: DeltaLake, day: str, version: int | None = None,
                  store: ObjectStore | None = None) -> tuple[list[Known], int | None]:
    """The registry as every day but ``day`` left it (a rerun of the day never meets its own first
    run's rows; days published since then count), at ``version`` or the latest, and the version
    read (None: no registry yet).

    With ``store`` (the lake's), the rows older than the recent window come from the snapshot
    beside the table (:data:`SNAPSHOT_KEY`), folded once, and only the days after its horizon
    are read, column-projected and partition-pruned: a publish reads a bounded number of days
    however old the lake. The snapshot moves its horizon every SNAPSHOT_REFRESH_DAYS, from the
    rows this read holds anyway; a day older than the horizon (a backfill) reads the registry whole."""
    import pyarrow.dataset as ds
    from deltalake.exceptions import TableNotFoundError

    try:
        table = lake.table(layout.REGISTRY, version)
    except TableNotFoundError:
        return [], None
    since = recent_since(day)
    snapshot = _load_snapshot(store, table) if store is not None else None
    usable = snapshot if snapshot is not None and snapshot.horizon <= since else None
    entries = dict(usable.entries) if usable else {}  # the snapshot's own entries: it is read for this call alone
    # a new horizon (the recent window's start) when there is none or the current one lags
    refresh = store is not None and version is None and (
        snapshot is None or (usable is not None and _days_after(usable.horizon, SNAPSHOT_REFRESH_DAYS) <= since))
    settled = {i: replace(e) for i, e in entries.items()} if refresh else None
    wanted = ds.field("dt") != day
    if usable:
        wanted &= ds.field("dt") >= usable.horizon
    dataset = table.to_pyarrow_dataset(partitions=[("dt", ">=", usable.horizon)] if usable else None)
    rows = (row for batch in dataset.scanner(columns=READ_COLUMNS, filter=wanted).to_batches() for row in batch.to_pylist())
    window = (since, _days_after(day, RECENT_DAYS))
    for row in rows:
        _fold(entries, row, window)
        if settled is not None and row["dt"] < since:
            _fold(settled, row, window)
    if settled is not None:
        try:
            _save_snapshot(store, table, since, settled)
        except (StorageError, OSError, pa.ArrowException) as error:  # a cache: the next publish folds it again
            log.warning("registry snapshot %s not written day=%s, the registry is read whole until it is: %s",
                        SNAPSHOT_KEY, day, error)
    return _known(entries), table.version()


def _fold(entries: dict[str, _Entry], row: dict[str, Any], window: tuple[str, str]) -> None:
    """Add one registry row to its id's entry (a row without id, name or label counts for nothing)."""
    if row["entity_id"] and row["name"] and row["label"]:
        entries.setdefault(row["entity_id"], _Entry(row["entity_id"])).add(row, since=window[0], until=window[1])


def fold_registry(rows: Iterable[dict[str, Any]], day: str) -> list[Known]:
    """Registry rows of other days than ``day`` folded into one Known per id (its latest row's
    name, label and decisions; articles in all and of the recent days); a merge pointing at a
    merged id is followed to the id that stands."""
    window = (recent_since(day), _days_after(day, RECENT_DAYS))
    entries: dict[str, _Entry] = {}
    for row in rows:
        _fold(entries, row, window)
    return _known(entries)


def _known(entries: Mapping[str, _Entry]) -> list[Known]:
    """The folded entries as the resolver takes them, each merge followed to the id that stands."""
    known = []
    for entry in entries.values():
        target, hops = entry.merged_into, set()
        while target and target in entries and entries[target].merged_into and target not in hops:
            hops.add(target)
            target = entries[target].merged_into
        known.append(Known(entry.entity_id, entry.name, entry.label, entry.articles, entry.recent, entry.first_day,
                           target, entry.kb_id))
    return known


def _days_after(day: str, days: int) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


@dataclass
class _Day:
    """The day's entities by extracted id (name, label, articles), the surface forms of their
    mentions, and the articles whose entity of an extracted id is the state named like a city
    ((article, extracted id) -> the state's id: :func:`claimflow.identity.resolve.is_state`)."""

    seen: dict[str, Seen] = field(default_factory=dict)
    forms: dict[str, Counter] = field(default_factory=dict)
    states: dict[tuple[str, str], str] = field(default_factory=dict)


def _published(table: pa.Table, leaving_out: Collection[str]) -> pa.Table:
    """The rows of ``table`` but those of the articles in ``leaving_out`` (publish's duplicates)."""
    if not leaving_out:
        return table
    return table.filter(pc.invert(pc.is_in(table.column("article_id"), value_set=pa.array(sorted(leaving_out), pa.string()))))


def read_day(store: ObjectStore, entities: Iterable[StagedPart], mentions: Iterable[StagedPart],
             leaving_out: Collection[str] = ()) -> _Day:
    """The day's staged entities and mentions folded by id, but those of the articles in
    ``leaving_out``, one staged file at a time (grouped in Arrow: a file's rows never become
    Python objects, but the mentions of a place named like a city's state); an article that
    writes such a place as the state's abbreviation counts for the state's id instead."""
    day = _Day()
    articles: Counter = Counter()
    names: dict[str, tuple[str, str]] = {}
    for part in entities:
        table = _published(read_parquet(store, part.key, ["entity_id", "name", "label", "article_id"]), leaving_out)
        table = table.select(["entity_id", "name", "label"]).drop_null()
        counted = table.group_by(["entity_id", "name", "label"]).aggregate([([], "count_all")])  # a row per (entity, article)
        for eid, name, label, count in zip(*(counted.column(c).to_pylist() for c in
                                              ("entity_id", "name", "label", "count_all")), strict=True):
            articles[eid] += count
            names.setdefault(eid, (name, label))
    city_states = packaged_names().city_states
    places = pa.array(sorted(i for i, (name, label) in names.items() if label == "GPE" and name_key(name) in city_states),
                      pa.string())
    by_article: dict[tuple[str, str], Counter] = {}  # (article, extracted id) -> forms, of those places only
    for part in mentions:
        table = _published(read_parquet(store, part.key, ["entity_id", "text", "article_id"]), leaving_out).drop_null()
        counted = table.group_by(["entity_id", "text"]).aggregate([([], "count_all")])
        for eid, text, count in zip(*(counted.column(c).to_pylist() for c in ("entity_id", "text", "count_all")), strict=True):
            if eid in names:
                day.forms.setdefault(eid, Counter())[" ".join(text.split())] += count
        if len(places):
            for row in table.filter(pc.is_in(table.column("entity_id"), value_set=places)).to_pylist():
                by_article.setdefault((row["article_id"], row["entity_id"]), Counter())[" ".join(row["text"].split())] += 1
    for (article, eid), forms in sorted(by_article.items()):
        name, label = names[eid]
        if is_state(name, label, forms):
            state = day.states[(article, eid)] = state_id(name)
            names.setdefault(state, (name, label))
            articles[eid] -= 1
            articles[state] += 1
            day.forms[eid].subtract(forms)
            day.forms.setdefault(state, Counter()).update(forms)
    day.forms = {i: +counts for i, counts in day.forms.items()}
    day.seen = {i: Seen(i, *names[i], articles[i]) for i in sorted(names) if articles[i] > 0}
    return day


@dataclass(frozen=True)
class _Renames:
    """The day's ids that change, as Arrow arrays, to map whole columns at once: by extracted id,
    and, first, by article and extracted id (an article's state named like a city)."""

    ids: Mapping[str, str]
    by_article: Mapping[tuple[str, str], str]
    old: pa.Array
    new: pa.Array
    article_old: pa.Array
    article_new: pa.Array

    @classmethod
    def of(cls, ids: Mapping[str, str], by_article: Mapping[tuple[str, str], str] | None = None) -> _Renames:
        by_article = by_article or {}
        return cls(ids, by_article, pa.array(list(ids), pa.string()), pa.array(list(ids.values()), pa.string()),
                   pa.array([_article_key(*k) for k in by_article], pa.string()), pa.array(list(by_article.values()), pa.string()))

    def touches(self, column: pa.ChunkedArray | pa.Array, articles: pa.ChunkedArray | pa.Array) -> bool:
        return (bool(self.ids) and pc.any(pc.is_in(column, value_set=self.old)).as_py() is True) or (
            bool(self.by_article) and pc.any(pc.is_in(self._keys(column, articles), value_set=self.article_old)).as_py() is True)

    def map(self, column: pa.ChunkedArray | pa.Array, articles: pa.ChunkedArray | pa.Array) -> pa.Array:
        at = pc.index_in(column, value_set=self.old)
        mapped = pc.if_else(pc.is_null(at), column, pc.take(self.new, at))
        if not self.by_article:
            return mapped
        at = pc.index_in(self._keys(column, articles), value_set=self.article_old)
        return pc.if_else(pc.is_null(at), mapped, pc.take(self.article_new, at))

    def one(self, article: str, eid: str) -> str:
        """The surviving id of extracted id ``eid`` in ``article``."""
        return self.by_article.get((article, eid)) or self.ids.get(eid, eid)

    @staticmethod
    def _keys(column: pa.ChunkedArray | pa.Array, articles: pa.ChunkedArray | pa.Array) -> pa.Array:
        return pc.binary_join_element_wise(articles, column, ARTICLE_SEPARATOR)


ARTICLE_SEPARATOR = "\x1f"


def _article_key(article: str, eid: str) -> str:
    return f"{article}{ARTICLE_SEPARATOR}{eid}"


def _entities(table: pa.Table, renames: _Renames) -> pa.Table:
    """An entities file with surviving ids; two entities of one article resolved to one id become
    one row (their mentions added up, the name and labels of the one with more mentions)."""
    table = table.set_column(table.schema.get_field_index("entity_id"), "entity_id",
                             renames.map(table.column("entity_id"), table.column("article_id")))
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for row in table.to_pylist():
        key = (row["entity_id"], row["article_id"])
        if (kept := rows.get(key)) is None:
            rows[key] = row
            continue
        total = (kept["n_mentions"] or 0) + (row["n_mentions"] or 0)
        if (row["n_mentions"] or 0) > (kept["n_mentions"] or 0):
            rows[key] = kept = row
        kept["n_mentions"] = total
    return pa.Table.from_pylist(list(rows.values()), schema=SCHEMAS["entities"])


def _claims(table: pa.Table, renames: _Renames) -> pa.Table:
    """A claims file with surviving ids: the source's, and the content's once each, in order."""
    sources = renames.map(table.column("source_entity_id"), table.column("article_id"))
    about = pa.array([None if e is None else list(dict.fromkeys(renames.one(a, i) for i in e))
                      for a, e in zip(table.column("article_id").to_pylist(), table.column("entity_ids").to_pylist(),
                                      strict=True)], type=pa.list_(pa.string()))
    table = table.set_column(table.schema.get_field_index("source_entity_id"), "source_entity_id", sources)
    return table.set_column(table.schema.get_field_index("entity_ids"), "entity_ids", about)


def _changes(table: pa.Table, table_name: str, renames: _Renames) -> bool:
    articles = table.column("article_id")
    if table_name == "claims":
        about = table.column("entity_ids").combine_chunks()
        return renames.touches(table.column("source_entity_id"), articles) or renames.touches(
            about.flatten(), pc.take(articles, pc.list_parent_indices(about)))
    return renames.touches(table.column("entity_id"), articles)


def rewrite(store: ObjectStore, day: str, run_id: str, table_name: str, parts: list[StagedPart],
            renames: _Renames, articles: Counter, leaving_out: Collection[str] = ()) -> list[StagedPart]:
    """The staged files of ``table_name`` (entities, mentions or claims) with surviving ids: a file
    naming no id that changes is kept as it is; for entities, ``articles`` counts each surviving
    id's articles, but the articles in ``leaving_out`` (whose rows publish then drops)."""
    rewritten = []
    for number, part in enumerate(parts):
        table = pa.Table.from_batches(staged_batches(store, [part], SCHEMAS[table_name]), SCHEMAS[table_name])  # hash checked
        if _changes(table, table_name, renames):
            if table_name == "entities":
                table = _entities(table, renames)
            elif table_name == "mentions":
                table = table.set_column(table.schema.get_field_index("entity_id"), "entity_id",
                                         renames.map(table.column("entity_id"), table.column("article_id")))
            else:
                table = _claims(table, renames)
            written = put_table_parquet(store, layout.staged_resolved(day, run_id, table_name, number), table)
            part = StagedPart(written.key, written.rows, written.sha256)
        if table_name == "entities":  # one row per (entity, article): rows per id are its articles
            counted = _published(table, leaving_out).group_by("entity_id").aggregate([([], "count_all")])
            articles.update(dict(zip(counted.column("entity_id").to_pylist(), counted.column("count_all").to_pylist(),
                                     strict=True)))
        rewritten.append(part)
    return rewritten


def registry_rows(resolution: Resolution, day_seen: _Day, articles: Counter, *, day: str,
                  run_id: str) -> Iterator[dict[str, Any]]:
    """The day's registry rows: each surviving id the day named or decided on, and each published
    id the day merged (or unmerged), in id order."""
    forms: dict[str, Counter] = {}
    for day_id, survivor in resolution.ids.items():
        forms.setdefault(survivor, Counter()).update(day_seen.forms.get(day_id, {}))
    decided = {target for target in resolution.merges.values() if target}
    common = {"dt": day, "run_id": run_id}
    for survivor in sorted(set(forms) | decided):
        cluster = resolution.clusters[survivor]
        yield {"entity_id": survivor, "name": cluster.name, "label": cluster.label,
               "aliases": [{"form": f, "count": n} for f, n in sorted(forms.get(survivor, Counter()).items())],
               "article_count": articles.get(survivor, 0), "merged_into": None, "kb_id": cluster.kb_id, **common}
    for merged, target in sorted(resolution.merges.items()):
        cluster = resolution.clusters[target] if target else resolution.clusters[merged]
        yield {"entity_id": merged, "name": cluster.name, "label": cluster.label, "aliases": [], "article_count": 0,
               "merged_into": target, "kb_id": cluster.kb_id, **common}


class _Clock:
    """Seconds per phase, for the log line: where a slow day's time went."""

    def __init__(self) -> None:
        self.last, self.laps = time.monotonic(), {}

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.laps[name], self.last = now - self.last, now

    def __str__(self) -> str:
        return f"{sum(self.laps.values()):.2f}({','.join(f'{k}={v:.2f}' for k, v in self.laps.items())})"


def resolve_day(settings: Settings, store: ObjectStore, day: str, run_id: str,
                parts: Mapping[str, list[StagedPart]], *, lake: DeltaLake | None = None,
                leaving_out: Collection[str] = ()) -> dict[str, list[StagedPart]]:
    """The day's staged parts with surviving entity ids and the registry's rows for the day staged
    (``parts[layout.REGISTRY]``): the step publish runs before committing anything. The articles
    in ``leaving_out`` (duplicates publish found) count for nothing in the registry; ``lake`` is
    the caller's open lake (opened here when None)."""
    clock = _Clock()
    known, version = read_registry(lake or DeltaLake.open(settings), day, store=store)
    clock.lap("registry")
    seen = read_day(store, parts["entities"], parts["mentions"], leaving_out)
    clock.lap("day")
    resolution = resolve(
        known, seen.seen.values(), day=day,
        titles=run_aliases(settings.include_dir).titles,
        identities=load_identities(settings.include_dir), kb=load_kb(settings.entity_kb),
    )
    clock.lap("resolve")
    ids = {i: s for i, s in resolution.ids.items() if i != s}
    renames = _Renames.of(ids, {key: resolution.ids[state] for key, state in seen.states.items()})
    articles: Counter = Counter()
    resolved = dict(parts)
    for table in ("entities", "mentions", "claims"):
        resolved[table] = rewrite(store, day, run_id, table, parts[table], renames, articles, leaving_out)
    clock.lap("rewrite")
    written = put_parquet(store, layout.staged_resolved(day, run_id, layout.REGISTRY, 0),
                          registry_rows(resolution, seen, articles, day=day, run_id=run_id), REGISTRY_SCHEMA)
    resolved[layout.REGISTRY] = [StagedPart(written.key, written.rows, written.sha256)]
    clock.lap("rows")
    log.info("resolved entities day=%s run_id=%s registry_version=%s known=%d seen=%d ids=%d renamed=%d merges=%d seconds=%s",
             day, run_id, version, len(known), len(seen.seen), len(set(resolution.ids.values())), len(ids),
             len(resolution.merges), clock)
    return resolved


def replay(days: Mapping[str, Sequence[Sequence[Seen]]], *, titles: frozenset[str] = frozenset(),
           identities: Identities | None = None, kb: Sequence[KbEntry] = ()) -> dict[str, dict[str, str]]:
    """What a lake publishing ``days`` in day order would count each entity as, in memory: for
    each day, its articles' entities (``Seen`` with ``articles=1``) are resolved against the
    registry the earlier days left, as :func:`resolve_day` does at publish; the answer maps, per
    day, each extracted id to the id the dashboards count it under (its survivor, through every
    merge recorded by the last day). The evaluation's cross-article step."""
    rows: list[dict[str, Any]] = []
    survivors: dict[str, dict[str, str]] = {}
    for day in sorted(days):
        seen: dict[str, Seen] = {}
        per_article = Counter()
        for article in days[day]:
            for entity in {e.entity_id: e for e in article}.values():
                per_article[entity.entity_id] += 1
                seen.setdefault(entity.entity_id, entity)
        resolution = resolve(fold_registry(rows, day), [replace(e, articles=per_article[i]) for i, e in sorted(seen.items())],
                             day=day, titles=titles, identities=identities, kb=kb)
        articles = Counter()
        for article in days[day]:
            articles.update({resolution.ids[e.entity_id] for e in article})
        rows.extend(registry_rows(resolution, _Day(seen), articles, day=day, run_id="replay"))
        survivors[day] = dict(resolution.ids)
    merged = {k.entity_id: k.merged_into for k in fold_registry(rows, max(days, default="1970-01-01")) if k.merged_into}
    return {day: {i: merged.get(s, s) for i, s in ids.items()} for day, ids in survivors.items()}
