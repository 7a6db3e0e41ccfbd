"""What the day view, the entity view and the day report show, read from the published lake.

Every day is read as its manifest says: each table's rows of the day from the run the manifest
names, and nothing of a run that has not written its manifest (see :class:`Published` for why
that is the manifest's versions' rows, read from the latest version). Entities are counted
through the same derived views as the dashboard SQL (``stories``, ``entity_registry``,
``canonical_entities``), and where a dashboard query answers a question (the most quoted, claims
by source kind, who is quoted about an entity) its SQL file is run as is.

Speed on a long history (``bench/bench_explorer.py``): each table is opened once per process and
brought up to date per request; a view reads each table once, with the columns it counts with,
and keeps it in memory for its queries; the day report publish makes reads the registry rows of the
day's ids only; the server's views share the whole ``entity_registry``, which needs every day's
registry file, computed once per registry version; claim texts are read only for the claims shown.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from claimflow import layout, readers
from claimflow.config import Settings
from claimflow.manifest import Manifest
from claimflow.storage.delta import storage_options, table_uri
from claimflow.tables import schema_of

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset

log = logging.getLogger(__name__)

TOP = 20  # rows of each "most" list
SHOWN_CLAIMS = 100  # claims listed in full per section; the counts cover them all
MAX_PERIOD_DAYS = 366  # an entity view's longest period
STANCES_SHOWN = ("doubtful", "denial")
# what the entity view keeps of the period's claims in memory: the counting columns, no text
LEAN_CLAIMS = ("claim_id", "article_id", "source_entity_id", "entity_ids", "source_kind", "speaker", "quote_type")
SHOWN_CLAIM_COLUMNS = ("claim_id", "article_id", "dt", "source_entity_id", "speaker", "source_kind", "source_text",
                       "cue_text", "content_text", "quote_type", "stance", "hedges")
# the columns each view reads (the dashboard queries' too); text only for the claims shown
DAY_COLUMNS = {
    "articles": ("article_id", "title", "site", "published", "revises"),
    "entities": ("entity_id", "article_id", "name", "label", "n_mentions"),
    "claims": ("claim_id", "article_id", "sentence", "source_entity_id", "entity_ids", "source_kind", "speaker",
               "quote_type", "stance", "hedges"),
}
PERIOD_COLUMNS = {"articles": ("article_id", "title", "published", "revises"), "claims": LEAN_CLAIMS}


class EntityNotFound(LookupError):
    """No published day of the period names the entity, and the registry does not know it."""

    def __init__(self, entity_id: str, first: str, last: str) -> None:
        super().__init__(f"entity {entity_id!r} is not in the lake from {first} to {last}")
        self.entity_id, self.first, self.last = entity_id, first, last


@dataclass(frozen=True)
class DayData:
    """One published day as the day view and the day report show it."""

    day: str
    run_id: str
    articles: int  # stories of the day (each at its latest revision)
    claims: int
    quoted: list[dict[str, Any]]  # top_entities_day: name, label, quoted, claims, anonymous_share, entity_id
    source_kinds: list[dict[str, Any]]  # claims_by_source_kind: source_kind, claims
    anonymous_share: float | None  # anonymous_share.sql; None without claims
    stance_counts: dict[str, int]  # doubtful, denial, hedged
    flagged: list[dict[str, Any]]  # doubtful, denial or hedged claims, with source and article
    mentioned: list[dict[str, Any]]  # entity_id, name, label, articles, mentions
    article_rows: list[dict[str, Any]]  # article_id, title, site, published, claims, anonymous


@dataclass(frozen=True)
class EntityData:
    """One entity (every id merged with it) over a period of published days."""

    entity_id: str  # the id asked for
    canonical_id: str  # the id it counts as
    name: str | None
    label: str | None
    kb_id: str | None
    merged_ids: list[str]  # other ids that count as it
    first: str
    last: str
    days: list[str]  # the published days of the period, oldest first
    per_day: list[dict[str, Any]]  # dt, said, about (every published day, zeros too)
    quoted_with: list[dict[str, Any]]  # entity_id, name, label, articles, claims
    said: list[dict[str, Any]]  # its claims, newest first, with their articles
    said_total: int
    about: list[dict[str, Any]]  # others' claims naming it, newest first
    about_total: int
    about_sources: list[dict[str, Any]]  # quoted_about_entity.sql: source, source_kind, claims, articles, source_entity_id
    aliases: list[dict[str, Any]]  # form, count


class _Latest:
    """Each Delta table of a lake opened once per process and brought up to date before each
    read (``update_incremental`` reads only the log entries since): a time-travel open replays the
    log from a checkpoint, about 0.3 s per table, the whole budget of a day view."""

    DATASETS_KEPT = 32

    def __init__(self) -> None:
        self._tables: dict[str, Any] = {}
        self._datasets: dict[tuple[str, int, tuple[str, ...]], pyarrow.dataset.Dataset] = {}
        self._lock = threading.Lock()

    def table(self, settings: Settings, options: dict[str, str], table: str) -> Any:
        """The DeltaTable of ``table`` at its latest version, None where it does not exist."""
        from deltalake import DeltaTable
        from deltalake.exceptions import DeltaError, TableNotFoundError

        uri = table_uri(settings, table)
        with self._lock:  # one thread at a time moves a shared DeltaTable forward
            delta = self._tables.get(uri)
            try:
                if delta is None:
                    delta = DeltaTable(uri, storage_options=options)
                else:
                    delta.update_incremental()
            except TableNotFoundError:
                self._tables.pop(uri, None)
                return None
            except DeltaError as error:  # the table was replaced under us: open it again
                log.info("explorer reopens table=%s reason=%s", table, error)
                delta = DeltaTable(uri, storage_options=options)
            self._tables[uri] = delta
            return delta

    def dataset(self, delta: Any, table: str, days: Sequence[str] | None) -> pyarrow.dataset.Dataset:
        """``delta`` as a dataset of the files of ``days`` (all when None), with every current
        column; the newest few kept per version and days (deltalake builds one fragment per file
        in Python: 90 days of three tables cost about a second)."""
        key = (delta.table_uri, delta.version(), tuple(days or ()))
        with self._lock:
            dataset = self._datasets.pop(key, None)
            if dataset is None:
                pruning = [("dt", "in", list(days))] if days else None
                dataset = readers.with_columns(delta.to_pyarrow_dataset(file_pruning_predicate=pruning), schema_of(table))
            self._datasets[key] = dataset  # the newest use last
            while len(self._datasets) > self.DATASETS_KEPT:
                self._datasets.pop(next(iter(self._datasets)))
        return dataset


_LATEST = _Latest()


class _Registries:
    """The ``entity_registry`` view over the whole registry, computed once per registry version
    (it reads every day's registry file; each publish makes a new version). Only the newest is
    kept: a page asks for the latest version, and a worker that publishes must not hoard old ones."""

    KEPT = 1

    def __init__(self) -> None:
        self._views: dict[tuple[str, int | None], pa.Table] = {}
        self._lock = threading.Lock()

    def view(self, settings: Settings, options: dict[str, str]) -> pa.Table:
        import duckdb

        delta = _LATEST.table(settings, options, layout.REGISTRY)
        key = (table_uri(settings, layout.REGISTRY), delta.version() if delta is not None else None)
        with self._lock:  # one computation per version, however many requests ask at once
            if key not in self._views:
                con = duckdb.connect()
                con.register(readers.sql_name(layout.REGISTRY), _LATEST.dataset(delta, layout.REGISTRY, None)
                             if delta is not None else schema_of(layout.REGISTRY).empty_table())
                con.execute(readers.derived_views(settings.include_dir)[0])
                self._views[key] = con.sql("SELECT * FROM entity_registry").to_arrow_table()
                while len(self._views) > self.KEPT:
                    self._views.pop(next(iter(self._views)))
            return self._views[key]


_REGISTRIES = _Registries()


def _registry_of(settings: Settings, options: dict[str, str], ids: pa.Array) -> pa.Table:
    """The ``entity_registry`` view's rows of ``ids`` and of the ids they are merged into, read
    from the registry's rows of those ids only: a day report (inside the publish lease) and a day
    view cost the day's ids, not the lake's age. The view groups by entity id, so its rows of an
    id are the same as over the whole registry."""
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc

    delta = _LATEST.table(settings, options, layout.REGISTRY)
    empty = schema_of(layout.REGISTRY).empty_table()
    dataset = _LATEST.dataset(delta, layout.REGISTRY, None) if delta is not None else None
    con = duckdb.connect()
    con.register(readers.sql_name(layout.REGISTRY), empty)
    con.execute(readers.derived_views(settings.include_dir)[0])
    found = [con.sql("SELECT * FROM entity_registry").to_arrow_table()]  # none: the view's columns
    wanted = pc.unique(ids.drop_null())
    while dataset is not None and len(wanted):  # the ids asked, then the ids they are merged into
        con.register(readers.sql_name(layout.REGISTRY), dataset.to_table(filter=pc.field("entity_id").isin(wanted)))
        found.append(con.sql("SELECT * FROM entity_registry").to_arrow_table())
        seen = pa.chunked_array([table.column("entity_id") for table in found], pa.string())
        targets = pc.unique(found[-1].column("merged_into").drop_null())
        wanted = targets.filter(pc.invert(pc.is_in(targets, value_set=seen)))
    return pa.concat_tables(found)


class Published:
    """A DuckDB connection over the published days of ``manifests``: each table read once (the
    columns asked for) and kept in memory with each day's rows of its manifest's run only,
    ``stories`` over the articles, ``entity_registry`` and ``canonical_entities`` over the registry.

    The tables are read at their latest version, each day limited to the run its manifest names:
    the rows that run committed, which the manifest's versions hold (a day's rows change only by
    a publish, which writes a new manifest; compaction rewrites files, not rows), without a log
    replay per version, and still there once maintenance vacuumed those versions. A day whose
    latest rows are all another run's (a rerun committed before its manifest, or crashed) is
    read at its manifest's version instead: a published day never shows as empty. The registry
    is read at its latest version, so the newest merges apply to every day shown: whole with
    ``whole_registry``, else only for the ids :meth:`registry_of` is given.
    """

    def __init__(self, settings: Settings, manifests: Sequence[Manifest], columns: dict[str, Sequence[str]],
                 *, whole_registry: bool = True) -> None:
        import duckdb
        import pyarrow as pa
        import pyarrow.compute as pc

        self.settings = settings
        self.days = sorted(m.day for m in manifests)
        self.options = storage_options(settings)
        self.con = duckdb.connect()
        self.raw: dict[str, pyarrow.dataset.Dataset | None] = {}
        self.torn: dict[str, list[tuple[Manifest, pyarrow.dataset.Dataset]]] = {}
        runs = pa.array(sorted({m.run_id for m in manifests}), pa.string())
        self.runs = pc.field("run_id").isin(runs)
        self.con.register("_published", pa.table({"dt": [m.day for m in manifests], "run_id": [m.run_id for m in manifests]}))
        if whole_registry:
            self.con.register("entity_registry", _REGISTRIES.view(settings, self.options))
        self.keys = pa.array(sorted(f"{m.day}/{m.run_id}" for m in manifests), pa.string())
        by_run = {m.run_id: m.day for m in manifests}
        self.day_of_run = ((pa.array(list(by_run), pa.string()), pa.array(list(by_run.values()), pa.string()))
                           if len(by_run) == len(manifests) else None)
        for table in ("articles", "entities", "claims"):
            delta = _LATEST.table(settings, self.options, table)
            self.raw[table] = _LATEST.dataset(delta, table, self.days) if delta is not None else None
            self.torn[table] = self._torn(table, manifests)
            if table in columns:  # the period's claims of an entity view: checked where they are counted
                self.register(table, self.read(table, columns[table]), exact=not (table == "claims" and len(self.days) > 1))
        self.con.execute((settings.include_dir / "sql" / readers.STORIES).read_text())
        # kept as a table: every query filters by it, and the view's window would run each time
        self.con.execute("CREATE TABLE _stories AS SELECT * FROM stories; DROP VIEW stories; "
                         "ALTER TABLE _stories RENAME TO stories")

    def _torn(self, table: str, manifests: Sequence[Manifest]) -> list[tuple[Manifest, pyarrow.dataset.Dataset]]:
        """The days whose manifest says ``table`` has rows while the latest version holds none of
        its run (a rerun committed and has not written its manifest yet, or crashed), each with
        its files at the manifest's version: the day shows what its manifest published."""
        import pyarrow.compute as pc
        from deltalake.exceptions import DeltaError

        dataset = self.raw[table]
        expected = [m for m in manifests if table in m.tables and m.tables[table].rows > 0]
        if dataset is None or not expected:
            return []
        present = dataset.to_table(columns=["dt", "run_id"], filter=self.runs)
        held = set(pc.unique(pc.binary_join_element_wise(present.column("dt"), present.column("run_id"), "/")).to_pylist())
        torn = []
        for manifest in expected:
            if f"{manifest.day}/{manifest.run_id}" in held:
                continue
            version = manifest.tables[table].version
            try:
                old = readers.open_table(table_uri(self.settings, table), options=self.options, version=version,
                                         day=manifest.day)
            except DeltaError as error:  # its log entries are gone: the latest version is all there is
                log.warning("explorer reads %s day=%s at the latest: version %s unreadable: %s", table, manifest.day,
                            version, error)
                continue
            if old is not None:
                log.info("explorer reads %s day=%s at its manifest's version %s: the latest holds another run's rows",
                         table, manifest.day, version)
                torn.append((manifest, readers.with_columns(old, schema_of(table))))
        return torn

    def read(self, table: str, columns: Sequence[str], where: pc.Expression | None = None) -> pa.Table:
        """The period's rows of ``table`` from its manifests' runs (and ``where``), ``columns`` only;
        a torn day's from its manifest's version."""
        import pyarrow as pa
        import pyarrow.compute as pc

        dataset = self.raw[table]
        wanted = list(dict.fromkeys([*columns, "dt", "run_id"]))
        if dataset is None:
            return schema_of(table).empty_table().select(wanted)
        rows = dataset.to_table(columns=wanted, filter=self.runs if where is None else self.runs & where)
        for manifest, old in self.torn.get(table, ()):
            run = pc.field("run_id") == manifest.run_id
            rows = pa.concat_tables([rows, old.to_table(columns=wanted, filter=run if where is None else run & where)
                                     .cast(rows.schema)])
        return rows

    def register(self, table: str, rows: pa.Table, *, exact: bool = True) -> None:
        """``rows`` as the table ``table``, each day's rows of its manifest's run only (checked
        exactly: a run id may be one another day's manifest names); not ``exact``, the caller
        checks the rows it counts (``SEMI JOIN _published``), for a table too long to check whole."""
        import pyarrow.compute as pc

        if not exact:
            self.con.register(table, rows)
            return
        if self.day_of_run is not None:  # each run published one day: a row is its run's if it is of that day
            mask = pc.equal(rows.column("dt"), pc.take(self.day_of_run[1], pc.index_in(rows.column("run_id"), self.day_of_run[0])))
        else:
            mask = pc.is_in(pc.binary_join_element_wise(rows.column("dt"), rows.column("run_id"), "/"), value_set=self.keys)
        self.con.register(table, rows.filter(mask))

    def registry_of(self, ids_sql: str) -> None:
        """``entity_registry`` as the rows of the ids ``ids_sql`` selects and the ids they are merged into."""
        ids = self.con.sql(ids_sql).to_arrow_table().column(0).combine_chunks()
        self.con.register("entity_registry", _registry_of(self.settings, self.options, ids))

    def identities(self, ids_sql: str) -> None:
        """``canonical_entities`` (its view over ``entities`` and ``entity_registry``) kept as a
        table of the ids ``ids_sql`` selects and the ids they count as: every query joins it,
        and the view would be computed again for each join."""
        self.con.execute("DROP TABLE IF EXISTS canonical_entities")
        self.con.execute(readers.derived_views(self.settings.include_dir)[1].replace(
            "VIEW canonical_entities", "VIEW _canonical_entities"))
        self.con.execute(f"""CREATE TABLE canonical_entities AS
            WITH asked AS (SELECT * FROM _canonical_entities WHERE entity_id IN ({ids_sql}))
            SELECT * FROM asked
            UNION ALL
            SELECT * FROM _canonical_entities
            WHERE entity_id IN (SELECT canonical_id FROM asked) AND entity_id NOT IN (SELECT entity_id FROM asked)""")

    def query(self, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows of the dashboard query ``name`` (``include/sql/<name>.sql``) on this connection."""
        return readers.rows(self.con, (self.settings.include_dir / "sql" / f"{name}.sql").read_text(), params)

    def shown_claims(self, picked: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The full rows of the claims ``picked`` (claim_id, dt), in that order, with their
        articles' titles and their sources counted through the registry: only their days' files are read."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if not picked:
            return []
        days = pa.array(sorted({row["dt"] for row in picked}), pa.string())
        ids = pa.array([row["claim_id"] for row in picked], pa.string())
        where = pc.field("dt").isin(days) & pc.field("claim_id").isin(ids)
        self.con.register("_shown", self.read("claims", SHOWN_CLAIM_COLUMNS, where))
        self.con.register("_order", pa.table({"claim_id": ids, "position": pa.array(range(len(picked)), pa.int64())}))
        return readers.rows(self.con, f"""
            SELECT {', '.join(f's.{c}' for c in SHOWN_CLAIM_COLUMNS)}, a.title,
                   coalesce(n.name, s.speaker) AS source, k.canonical_id AS source_id
            FROM _shown s
            JOIN _order o USING (claim_id)
            SEMI JOIN _published p ON s.dt = p.dt AND s.run_id = p.run_id
            LEFT JOIN articles a USING (article_id)
            LEFT JOIN canonical_entities k ON k.entity_id = s.source_entity_id
            LEFT JOIN canonical_entities n ON n.entity_id = k.canonical_id
            ORDER BY o.position""")


def day_data(settings: Settings, manifest: Manifest, *, whole_registry: bool = False) -> DayData:
    """The day view of ``manifest``'s day: who was quoted, by which kinds of sources, which claims
    doubt, deny or hedge, which entities were named most, and the day's articles.

    The registry rows of the day's ids only are read (the report publish makes, inside the lake's
    lease, costs the day, not the lake's age); with ``whole_registry``, the process's view of the
    whole registry, computed once per registry version, which a server asked many pages reuses."""
    lake = Published(settings, [manifest], DAY_COLUMNS, whole_registry=whole_registry)
    ids = "SELECT entity_id FROM entities UNION SELECT source_entity_id FROM claims UNION SELECT unnest(entity_ids) FROM claims"
    if not whole_registry:
        lake.registry_of(ids)
    lake.identities(ids)
    con = lake.con
    kinds = lake.query("claims_by_source_kind")
    total = sum(row["claims"] for row in kinds)
    shares = lake.query("anonymous_share")
    counts = readers.rows(con, """
        SELECT count(*) FILTER (WHERE stance = 'doubtful') AS doubtful, count(*) FILTER (WHERE stance = 'denial') AS denial,
               count(*) FILTER (WHERE len(hedges) > 0) AS hedged
        FROM claims WHERE article_id IN (SELECT article_id FROM stories)""")[0]
    flagged = readers.rows(con, """
        SELECT claim_id, dt FROM claims
        WHERE article_id IN (SELECT article_id FROM stories) AND (stance IN ('doubtful', 'denial') OR len(hedges) > 0)
        ORDER BY stance = 'denial' DESC, stance = 'doubtful' DESC, article_id, sentence, claim_id LIMIT $limit""",
                    {"limit": SHOWN_CLAIMS})
    mentioned = readers.rows(con, """
        SELECT c.canonical_id AS entity_id, n.name, n.label, count(DISTINCT x.article_id) AS articles,
               sum(x.n_mentions)::BIGINT AS mentions
        FROM entities x
        JOIN canonical_entities c USING (entity_id)
        JOIN canonical_entities n ON n.entity_id = c.canonical_id
        WHERE x.article_id IN (SELECT article_id FROM stories)
        GROUP BY c.canonical_id, n.name, n.label
        ORDER BY articles DESC, mentions DESC, n.name, entity_id LIMIT $limit""", {"limit": TOP})
    articles = readers.rows(con, """
        SELECT a.article_id, a.title, a.site, a.published, s.revisions,
               coalesce(k.claims, 0) AS claims, coalesce(k.anonymous, 0) AS anonymous
        FROM articles a
        JOIN stories s USING (article_id)
        LEFT JOIN (SELECT article_id, count(*) AS claims, count(*) FILTER (WHERE source_kind = 'anonymous') AS anonymous
                   FROM claims GROUP BY article_id) k USING (article_id)
        ORDER BY claims DESC, a.title, a.article_id""")
    return DayData(
        day=manifest.day,
        run_id=manifest.run_id,
        articles=len(articles),
        claims=total,
        quoted=lake.query("top_entities_day"),
        source_kinds=[{"source_kind": row["source_kind"], "claims": row["claims"]} for row in kinds],
        anonymous_share=shares[0]["anonymous_share"] if shares else None,
        stance_counts={name: int(counts[name]) for name in ("doubtful", "denial", "hedged")},
        flagged=lake.shown_claims(flagged),
        mentioned=mentioned,
        article_rows=articles,
    )


def period(first: str | None, last: str | None, published: Iterable[str], *, default_days: int) -> tuple[str, str]:
    """The period ``first``..``last`` (both checked days, both included); a missing end is the
    newest published day, a missing start ``default_days`` before the end. ValueError names what
    is wrong (an end before the start, a period longer than MAX_PERIOD_DAYS)."""
    days = sorted(published)
    last = layout.check_day(last) if last else (days[-1] if days else dt.date.today().isoformat())
    first = layout.check_day(first) if first else (dt.date.fromisoformat(last) - dt.timedelta(days=default_days - 1)).isoformat()
    if first > last:
        raise ValueError(f"expected from <= to, got from={first} to={last}")
    if (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days >= MAX_PERIOD_DAYS:
        raise ValueError(f"expected a period of at most {MAX_PERIOD_DAYS} days, got from={first} to={last}")
    return first, last


def entity_data(settings: Settings, manifests: Sequence[Manifest], entity_id: str, first: str, last: str) -> EntityData:
    """The entity view of ``entity_id`` (and every id merged with it) over the published days of
    ``manifests`` (those of ``first``..``last``): its claims per day, who it is quoted with, what it
    said, what others said about it, its aliases. EntityNotFound when no day or registry names it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def entities_of(ids: Iterable[str]) -> None:
        """The period's entities rows of ``ids``: the names of ids the registry never saw."""
        lake.register("entities", lake.read("entities", DAY_COLUMNS["entities"],
                                            pc.field("entity_id").isin(pa.array(sorted(ids), pa.string()))))

    lake = Published(settings, manifests, PERIOD_COLUMNS)
    con = lake.con
    if not readers.rows(con, "SELECT 1 FROM entity_registry WHERE entity_id = $id", {"id": entity_id}):
        entities_of([entity_id])  # a lake older than the registry: the name is the entities table's
    else:
        lake.register("entities", schema_of("entities").empty_table())  # names from the registry
    con.register("_asked", pa.table({"entity_id": pa.array([entity_id], pa.string())}))
    lake.identities("""  -- the id asked for, the id it counts as, and every id merged into that one
        WITH counted AS (SELECT coalesce(r.merged_into, a.entity_id) AS entity_id
                         FROM _asked a LEFT JOIN entity_registry r USING (entity_id))
        SELECT entity_id FROM _asked UNION SELECT entity_id FROM counted
        UNION SELECT entity_id FROM entity_registry WHERE merged_into IN (SELECT entity_id FROM counted)""")
    found = readers.rows(con, """
        SELECT c.canonical_id, c.name, c.label, c.kb_id FROM canonical_entities c WHERE c.entity_id = $id""",
                  {"id": entity_id})
    if not found:
        raise EntityNotFound(entity_id, first, last)
    canonical = found[0]["canonical_id"]
    wanted = [row["entity_id"] for row in readers.rows(
        con, "SELECT entity_id FROM canonical_entities WHERE canonical_id = $c ORDER BY entity_id", {"c": canonical})]
    params = {"wanted": wanted}
    con.execute("""CREATE TABLE mine AS SELECT c.* FROM claims c SEMI JOIN _published p ON c.dt = p.dt AND c.run_id = p.run_id
                   WHERE c.article_id IN (SELECT article_id FROM stories)
                     AND (c.source_entity_id IN (SELECT unnest($wanted)) OR list_has_any(c.entity_ids, $wanted))""", params)
    con.execute("""CREATE TABLE cowritten AS SELECT c.article_id, c.source_entity_id
                   FROM claims c SEMI JOIN _published p ON c.dt = p.dt AND c.run_id = p.run_id
                   WHERE c.source_entity_id IS NOT NULL
                     AND c.article_id IN (SELECT article_id FROM mine WHERE source_entity_id IN (SELECT unnest($wanted)))""",
                params)
    unregistered = [row["id"] for row in readers.rows(con, """
        SELECT source_entity_id AS id FROM cowritten UNION SELECT source_entity_id FROM mine WHERE source_entity_id IS NOT NULL
        EXCEPT SELECT entity_id FROM entity_registry""")]
    if unregistered:
        entities_of([entity_id, *wanted, *unregistered])
    con.register("_wanted", pa.table({"entity_id": pa.array(wanted, pa.string())}))
    lake.identities("SELECT entity_id FROM _wanted UNION SELECT source_entity_id FROM cowritten "
                    "UNION SELECT source_entity_id FROM mine")
    per_day = {row["dt"]: row for row in readers.rows(con, """
        SELECT dt, count(*) FILTER (WHERE source_entity_id IN (SELECT unnest($wanted))) AS said,
               count(*) FILTER (WHERE list_has_any(entity_ids, $wanted)) AS about
        FROM mine GROUP BY dt""", params)}
    quoted_with = readers.rows(con, """
        SELECT k.canonical_id AS entity_id, n.name, n.label, count(DISTINCT w.article_id) AS articles, count(*) AS claims
        FROM cowritten w
        JOIN canonical_entities k ON k.entity_id = w.source_entity_id
        JOIN canonical_entities n ON n.entity_id = k.canonical_id
        WHERE k.canonical_id <> $c
        GROUP BY k.canonical_id, n.name, n.label
        ORDER BY articles DESC, claims DESC, n.name, entity_id LIMIT $limit""", {"c": canonical, "limit": TOP})
    said = readers.rows(con, """SELECT claim_id, dt FROM mine WHERE source_entity_id IN (SELECT unnest($wanted))
                         ORDER BY dt DESC, article_id, claim_id""", params)
    about = readers.rows(con, """SELECT claim_id, dt FROM mine
                          WHERE list_has_any(entity_ids, $wanted)
                            AND (source_entity_id IS NULL OR source_entity_id NOT IN (SELECT unnest($wanted)))
                          ORDER BY dt DESC, article_id, claim_id""", params)
    aliases = readers.rows(con, """
        SELECT a.form, sum(a.count)::BIGINT AS count FROM entity_registry, unnest(aliases) AS u(a)
        WHERE entity_id IN (SELECT unnest($wanted)) GROUP BY a.form ORDER BY count DESC, a.form LIMIT 50""", params)
    # every claim naming it is in ``mine``: the dashboard query counts over those alone
    con.unregister("claims")
    con.register("claims", con.sql("SELECT * FROM mine").to_arrow_table())
    about_sources = lake.query("quoted_about_entity", {"entity": canonical})
    zero = {"said": 0, "about": 0}
    return EntityData(
        entity_id=entity_id,
        canonical_id=canonical,
        name=found[0]["name"],
        label=found[0]["label"],
        kb_id=found[0]["kb_id"],
        merged_ids=[i for i in wanted if i != canonical],
        first=first,
        last=last,
        days=lake.days,
        per_day=[{"dt": day, **{k: per_day.get(day, zero)[k] for k in zero}} for day in lake.days],
        quoted_with=quoted_with,
        said=lake.shown_claims(said[:SHOWN_CLAIMS]),
        said_total=len(said),
        about=lake.shown_claims(about[:SHOWN_CLAIMS]),
        about_total=len(about),
        about_sources=about_sources,
        aliases=aliases,
    )

