"""The four steps as plain functions on a local lake, no scheduler."""

from __future__ import annotations

import re

import pytest

from claimflow import layout, stages
from claimflow.config import Settings
from claimflow.exceptions import BatchFailed
from claimflow.manifest import Manifest, read_manifest
from claimflow.storage import LocalStore, open_lake
from claimflow.storage.delta import DeltaLake
from claimflow.storage.records import get_json, read_parquet
from claimflow.tables import ID_COLUMNS

DAY = "2026-11-26"
RUN = "manual__2026-11-26T00:00:00+00:00"
ARTICLE = "The minister said on Tuesday that the bridge would reopen in May. Critics, however, said the plan was late."


@pytest.fixture
def settings(tmp_path) -> Settings:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(5):
        (src / f"{i}.txt").write_text(f"{ARTICLE} Story number {i}.")
    (src / "copy.txt").write_text(f"{ARTICLE} Story number 0.")  # the same text again
    (src / "empty.txt").write_text("")
    return Settings.from_env({"CLAIMFLOW_LAKE": str(tmp_path / "lake"), "CLAIMFLOW_SOURCES": str(src),
                              "CLAIMFLOW_SHARD_SIZE": "2"})


def run_day(settings: Settings, run_id: str = RUN) -> Manifest:
    ingested = stages.ingest(settings, DAY, run_id)
    extracted = [stages.extract(settings, uri) for uri in ingested.shard_uris]
    return stages.publish(settings, DAY, run_id, stages.validate(settings, DAY, run_id, extracted))


def test_ingest_accounts_for_every_input(settings):
    ingested = stages.ingest(settings, DAY, RUN)
    assert (ingested.records, ingested.articles, ingested.rejected) == (7, 5, 2)
    assert len(ingested.shard_uris) == 3


def staged_tables(settings: Settings, staged_uri: str) -> dict:
    """The staged good rows of each table, all shards together, in id order."""
    import pyarrow as pa

    store = open_lake(settings)
    staged = get_json(store, store.key(staged_uri))
    tables = {}
    for table in layout.TABLES:
        parts = [read_parquet(store, e["key"]) for e in staged["tables"] if e["table"] == table]
        frame = pa.concat_tables(parts).to_pandas().drop(columns="ingested_at", errors="ignore")
        tables[table] = frame.sort_values(ID_COLUMNS[table], ignore_index=True)
    return tables


@pytest.mark.integration  # whole days, three times
def test_tables_stage_the_same_whatever_the_shard_size(tmp_path):
    """Validating shard by shard stages the rows one shard of the whole day stages, dtypes included."""
    import pandas as pd

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("It was reported that the bridge would close in May.")  # a claim with no source
    (src / "b.txt").write_text(ARTICLE)
    loaded = []
    for size in ("1", "100"):
        settings = Settings.from_env({"CLAIMFLOW_LAKE": str(tmp_path / f"lake{size}"), "CLAIMFLOW_SOURCES": str(src),
                                      "CLAIMFLOW_SHARD_SIZE": size})
        ingested = stages.ingest(settings, DAY, RUN)
        extracted = [stages.extract(settings, uri) for uri in ingested.shard_uris]
        assert len(extracted) == (2 if size == "1" else 1)
        loaded.append(staged_tables(settings, stages.validate(settings, DAY, RUN, extracted)))
    sharded, whole = loaded
    assert sharded["claims"]["source_start"].isna().sum() == 1 and len(sharded["claims"]) >= 2
    for table in whole:
        pd.testing.assert_frame_equal(sharded[table], whole[table])


@pytest.mark.integration  # a whole day
def test_a_day_is_published_with_balanced_accounting(settings):
    manifest = run_day(settings)
    assert vars(manifest.accounting) == {"ingested": 7, "published": 5, "quarantined": 2}
    tables = DeltaLake.open(settings)
    for table in layout.TABLES:
        assert tables.read_day(table, DAY).num_rows == manifest.tables[table].rows, table
    assert manifest.tables["claims"].rows >= 5
    assert manifest.quarantine["inputs"].rows == 2
    assert tables.read_day("quarantine/inputs", DAY).num_rows == 2


def lake_files(settings: Settings) -> dict[str, bytes]:
    """Every published object of the lake (tables, logs, raw archives, manifests) with its bytes."""
    store = LocalStore(settings.lake)
    published = [i.key for i in store.list("") if not i.key.startswith(("_staging/", "quality/", "_leases/"))]
    return {key: store.get_bytes(key) for key in published}


@pytest.mark.integration  # a whole day, twice
def test_a_rerun_that_fails_quality_leaves_the_published_day_as_it_was(settings, tmp_path):
    first = run_day(settings)
    before = lake_files(settings)
    assert first.raw_archive in before
    empty = tmp_path / "nothing"
    empty.mkdir()
    failing = Settings.from_env({"CLAIMFLOW_LAKE": settings.lake, "CLAIMFLOW_SOURCES": str(empty)})
    with pytest.raises(BatchFailed):
        run_day(failing, "manual__rerun")
    assert lake_files(settings) == before
    assert read_manifest(LocalStore(settings.lake), DAY) == first


@pytest.mark.integration  # a whole day, twice
def test_rerunning_a_day_gives_the_same_rows(settings):
    def rows(manifest: Manifest) -> dict[str, list]:
        tables = DeltaLake.open(settings)
        columns = {"articles": "article_id", "entities": "entity_id", "mentions": "mention_id", "claims": "claim_id"}
        return {t: sorted(tables.read_day(t, DAY, version=manifest.tables[t].version).column(c).to_pylist())
                for t, c in columns.items()}

    first = run_day(settings)
    second = run_day(settings, "manual__again")
    assert rows(second) == rows(first)
    assert all(second.tables[t].version == first.tables[t].version + 1 for t in layout.TABLES)


STORY_URL = "https://news.example/2026/11/bridge"
CORRECTED = {  # day -> the JSON records of its folder: the story at STORY_URL (in some form) and one other
    "2026-11-24": [{"id": "story", "url": STORY_URL + "?utm_source=rss", "published": "2026-11-24",
                    "text": "Mayor Ann Lee said on Monday that the Elm Street bridge would reopen in May."},
                   {"id": "other", "text": "Council member Bob Stone said the budget vote would take place next week."}],
    "2026-11-25": [{"id": "story", "url": STORY_URL + "/", "published": "2026-11-24",  # the correction
                    "text": "Mayor Ann Lee said on Monday that the Elm Street bridge would reopen in June."},
                   {"id": "other", "text": "Police chief Cy Park said the station would open a new office in March."}],
    "2026-11-26": [{"id": "story", "url": STORY_URL, "published": "2026-11-24",  # the correction again
                    "text": "Mayor Ann Lee said on Monday that the Elm Street bridge would reopen in June."},
                   {"id": "other", "text": "Librarian Dee Marsh said the library would extend its hours in winter."}],
}


@pytest.mark.integration  # three whole days
def test_a_corrected_story_is_published_as_a_revision_and_counted_once(tmp_path):
    """Day 1 publishes the story; day 2, its canonical URL with a changed text, publishes a revision
    linked to the first article; day 3, the same text again, quarantines it as a duplicate; the
    dashboard counts the story once, at its latest revision."""
    import json

    from claimflow import readers
    from claimflow.ingest.articles import article_id

    for day, records in CORRECTED.items():
        (tmp_path / "in" / day).mkdir(parents=True)
        (tmp_path / "in" / day / "news.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    settings = Settings.from_env({"CLAIMFLOW_LAKE": str(tmp_path / "lake"), "CLAIMFLOW_SOURCES": str(tmp_path / "in" / "{ds}"),
                                  "CLAIMFLOW_LATE_DAYS": "0"})
    manifests = {}
    for day in CORRECTED:
        ingested = stages.ingest(settings, day, f"run-{day}")
        extracted = [stages.extract(settings, uri) for uri in ingested.shard_uris]
        manifests[day] = stages.publish(settings, day, f"run-{day}", stages.validate(settings, day, f"run-{day}", extracted))
    first, corrected = (article_id(CORRECTED[day][0]["text"]) for day in ("2026-11-24", "2026-11-25"))
    tables = DeltaLake.open(settings)
    story = {day: tables.read_day("articles", day, columns=["article_id", "revises"]).to_pylist() for day in CORRECTED}
    assert {"article_id": first, "revises": None} in story["2026-11-24"]
    assert {"article_id": corrected, "revises": first} in story["2026-11-25"]  # the revision, linked
    assert corrected not in {row["article_id"] for row in story["2026-11-26"]}
    assert [m.accounting.published for m in manifests.values()] == [2, 2, 1]
    refused = tables.read_day("quarantine/inputs", "2026-11-26", columns=["record_id", "reason", "detail"]).to_pylist()
    assert [(r["reason"], r["detail"]) for r in refused] == [("duplicate", f"first published on 2026-11-25 (article {corrected})")]
    db = readers.connect(settings)
    assert db.execute("SELECT story_id, article_id, revisions FROM stories WHERE story_id = ?", [first]).fetchall() == [
        (first, corrected, 2)]
    speakers = db.execute(readers.dashboard_queries(settings.include_dir)["top_speakers"],
                          {"first_day": "2026-11-24", "last_day": "2026-11-26", "source_kind": "person"}).fetchall()
    ann = [row for row in speakers if "Ann Lee" in row[0]]
    assert ann and all(articles == 1 for _speaker, _claims, _direct, articles, _days in ann)  # one article: the revision


def test_stage_articles_stages_a_teams_own_articles_as_ingest_stages_a_sources(settings):
    from claimflow.models import Article
    from claimflow.storage.records import read_jsonl_gz

    given = [
        Article(article_id="theirs-1", text=f"{ARTICLE} From the desk.", path="cms://desk/1", title="Bridge", authors=("Desk",)),
        {"text": f"{ARTICLE} From the wire.", "title": "Wire", "url": "https://news.example/wire", "id": 7},
        {"text": f"{ARTICLE} From the wire."},  # the same text again
        {"title": "no text"},
        "not a record",
    ]
    ingested = stages.stage_articles(settings, DAY, RUN, iter(given), origin="export.jsonl")
    assert (ingested.records, ingested.articles, ingested.rejected) == (5, 2, 3)
    store = open_lake(settings)
    rows = [row for uri in ingested.shard_uris for row in read_jsonl_gz(store, store.key(uri))]
    assert sorted((r["path"], r["title"], r["external_id"]) for r in rows) == [
        ("cms://desk/1", "Bridge", None), ("export.jsonl#2", "Wire", "7")]
    refused = {r["name"]: r["reason"] for r in read_jsonl_gz(store, layout.staged_file(DAY, RUN, layout.REJECTED))}
    assert refused == {"export.jsonl#3": "duplicate", "export.jsonl#4": "bad_record", "export.jsonl#5": "bad_record"}


def test_a_day_staged_by_stage_articles_publishes_and_is_not_read_from_sources(settings):
    ingested = stages.stage_articles(settings, DAY, RUN, [{"text": f"{ARTICLE} Story {i}."} for i in range(3)])
    extracted = [stages.extract(settings, uri) for uri in ingested.shard_uris]
    manifest = stages.publish(settings, DAY, RUN, stages.validate(settings, DAY, RUN, extracted))
    assert (manifest.accounting.ingested, manifest.accounting.published) == (3, 3)  # the 7 source files untouched


@pytest.mark.parametrize(
    ("number", "shards", "articles", "label", "held"),
    [
        pytest.param(0, 3, 5, "shard 1/3 · articles 1, 4", 2, id="two articles"),
        pytest.param(2, 3, 5, "shard 3/3 · article 3", 1, id="one article"),
        pytest.param(1, 4, 1000, "shard 2/4 · articles 2, 6 … 998 (250)", 250, id="a long shard"),
        pytest.param(3, 4, 3, "shard 4/4 · no articles", 0, id="more shards than articles"),
    ],
)
def test_a_shard_is_labelled_by_its_place_and_its_articles(number, shards, articles, label, held):
    shard = stages._Shard(DAY, RUN, layout.shard_name(number), number, shards, articles)
    assert (shard.label, shard.articles) == (label, held)


def test_extract_names_its_shard_and_logs_what_it_produced(settings, caplog):
    ingested = stages.ingest(settings, DAY, RUN)
    labels = []
    with caplog.at_level("INFO", logger="claimflow.stages"):
        stages.extract(settings, ingested.shard_uris[0], on_label=labels.append)
    assert labels == ["shard 1/3 · articles 1, 4"]
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("extracted ")]
    counts = dict(re.findall(r"(\w+)=(\S+?);?(?:\s|$)", line))
    assert (counts["shard"], counts["articles"], counts["claims"]) == ("shard-00000", "2", "4")  # two claims a story
    assert counts["entities"].isdigit() and counts["mentions"].isdigit()


def test_a_long_shard_logs_its_progress(caplog):
    shard = stages._Shard(DAY, RUN, "shard-00001", 1, 2, 6)
    with caplog.at_level("INFO", logger="claimflow.stages"):
        assert list(stages._progress(iter("abc"), shard, every=0)) == ["a", "b", "c"]
    progress = [r.getMessage() for r in caplog.records if r.getMessage().startswith("extract progress")]
    assert [line.split()[3] for line in progress] == ["articles=1/3", "articles=2/3", "articles=3/3"]
