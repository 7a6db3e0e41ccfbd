"""Validation split between the extract tasks (per shard) and the day's validate (aggregates)."""

from __future__ import annotations

import tracemalloc
from collections import Counter

import pytest

from claimflow import layout, stages
from claimflow.config import Settings
from claimflow.exceptions import BatchFailed
from claimflow.layout import TABLES
from claimflow.models import Article
from claimflow.quality.day import ShardResult
from claimflow.quality.report import CheckOutcome, TableOutcome
from claimflow.quality.suites import load_config
from claimflow.storage import open_lake
from claimflow.storage.records import get_json, put_json, put_jsonl_gz, read_jsonl_gz
from claimflow.ui.lake import LakeView

DAY = "2026-11-26"
RUN = "manual__2026-11-26T00:00:00+00:00"
ARTICLE = "The minister said on Tuesday that the bridge would reopen in May. Critics, however, said the plan was late."


@pytest.fixture
def settings(tmp_path) -> Settings:
    src = tmp_path / "in"
    src.mkdir()
    for i in range(5):
        (src / f"{i}.txt").write_text(f"{ARTICLE} Story number {i}.")
    (src / "empty.txt").write_text("")
    return Settings.from_env({"CLAIMFLOW_LAKE": str(tmp_path / "lake"), "CLAIMFLOW_SOURCES": str(src),
                              "CLAIMFLOW_SHARD_SIZE": "2"})


def quality_files(settings: Settings) -> dict:
    """The run's validation.json, its report and the verdict the UI reads from the quality folder."""
    store = open_lake(settings)
    (run,) = LakeView(store, settings).quality_runs(DAY)
    return {
        "results": get_json(store, layout.quality_file(DAY, RUN, layout.VALIDATION)),
        "report": store.get_bytes(layout.quality_file(DAY, RUN, layout.REPORT)).decode(),
        "verdict": run.verdict,
    }


def repeated_entity(article: Article) -> dict:
    """An extraction record naming the same entity twice: hostile NLP output, same ids twice."""
    at = article.text.index("Tuesday")
    entity = {"name": "Tuesday", "label": "DATE", "mentions": [{"start": at, "end": at + 7, "text": "Tuesday", "label": "DATE"}]}
    return {"path": article.path, "article_id": article.article_id, "title": article.title, "text": article.text,
            "entities": [entity, entity], "claims": []}


def test_a_shard_stages_its_rows_and_a_small_result(settings):
    ingested = stages.ingest(settings, DAY, RUN)
    store = open_lake(settings)
    result = ShardResult.from_dict(get_json(store, store.key(stages.extract(settings, ingested.shard_uris[0]))))
    assert result.shard == "shard-00000" and not result.failures and len(result.article_ids) == 2
    assert [e["table"] for e in result.staged_tables] == list(layout.TABLES)
    assert {e["key"] for e in result.staged_tables} == {
        f"{layout.staging(DAY, RUN)}tables/{t}/shard-00000.parquet" for t in layout.TABLES
    }
    assert result.outcome("articles").rows_good == 2 and store.exists(result.results)


def test_a_critical_failure_in_one_shard_fails_the_day_with_its_reason_in_the_report(settings):
    ingested = stages.ingest(settings, DAY, RUN)
    store = open_lake(settings)
    extracted = [stages.extract(settings, uri) for uri in ingested.shard_uris[:-1]]
    last = ingested.shard_uris[-1]
    articles = [Article.from_dict(row) for row in read_jsonl_gz(store, store.key(last))]
    extracted.append(stages.stage_extractions(settings, last, [(a, repeated_entity(a)) for a in articles]))

    with pytest.raises(BatchFailed, match="shard-00002: entities.entity_id_unique failed"):
        stages.validate(settings, DAY, RUN, extracted)
    found = quality_files(settings)
    assert found["verdict"] == "failed" and found["results"]["passed"] is False
    assert "shard-00002: entities.entity_id_unique failed" in found["report"]
    assert "shard-00002: mentions.mention_id_unique failed" in found["report"]
    assert not store.exists(layout.staged_file(DAY, RUN, layout.STAGED))


def test_a_missing_shard_fails_the_accounting_and_shows_as_failed(settings):
    ingested = stages.ingest(settings, DAY, RUN)
    extracted = [stages.extract(settings, uri) for uri in ingested.shard_uris]
    with pytest.raises(BatchFailed, match=r"accounting does not balance: ingested 6 != published 3 \+ quarantined 1"):
        stages.validate(settings, DAY, RUN, extracted[1:])
    found = quality_files(settings)
    assert found["verdict"] == "failed" and "DOES NOT BALANCE" in found["report"]
    assert found["results"]["accounting"] == {"ingested": 6, "published": 3, "quarantined": 1}


def test_a_passing_day_stages_one_entry_per_shard_and_table(settings):
    ingested = stages.ingest(settings, DAY, RUN)
    extracted = [stages.extract(settings, uri) for uri in ingested.shard_uris]
    store = open_lake(settings)
    staged = get_json(store, store.key(stages.validate(settings, DAY, RUN, extracted)))
    assert Counter(e["table"] for e in staged["tables"]) == dict.fromkeys(layout.TABLES, 3)
    assert Counter(e["table"] for e in staged["quarantine"]) == {"inputs": 1, **dict.fromkeys(layout.TABLES, 3)}
    assert all(set(e) == {"table", "key", "rows", "bytes", "sha256"} for e in staged["tables"] + staged["quarantine"])
    assert staged["accounting"] == {"ingested": 6, "published": 5, "quarantined": 1}
    assert sum(e["rows"] for e in staged["tables"] if e["table"] == "articles") == 5
    assert staged["quality"]["passed"] is True and staged["quality"]["statistics"]["articles"]["good"] == 5
    assert quality_files(settings)["verdict"] == "not published"


SHARD_ARTICLES = 250


def fake_day(settings: Settings, run_id: str, shards: int) -> list[str]:
    """What ``shards`` extract tasks of SHARD_ARTICLES good articles each would leave for validate."""
    store = open_lake(settings)
    config = load_config(settings.include_dir / "gx")
    checks = {t: [CheckOutcome(c.name, c.level, c.description, True, 0) for c in s.checks] for t, s in config.suites.items()}
    uris = []
    for shard in range(shards):
        name = layout.shard_name(shard)
        entry = {"rows": SHARD_ARTICLES, "bytes": 1, "sha256": "0" * 64}
        result = ShardResult(
            shard=name,
            outcomes=[TableOutcome(t, SHARD_ARTICLES, SHARD_ARTICLES, checks[t], Counter()) for t in TABLES],
            failures=[],
            article_ids=[f"{shard * SHARD_ARTICLES + i:016x}" for i in range(SHARD_ARTICLES)],
            staged_tables=[{"table": t, "key": layout.staged_table(DAY, run_id, t, name), **entry} for t in TABLES],
            staged_quarantine=[
                {"table": t, "key": layout.staged_quarantine(DAY, run_id, t, name), **entry} for t in TABLES
            ],
        )
        key = layout.validated_shard(DAY, run_id, name)
        put_json(store, key, result.to_dict())
        uris.append(store.uri(key))
    records = shards * SHARD_ARTICLES
    put_json(store, layout.staged_file(DAY, run_id, layout.INGEST),
             {"day": DAY, "run_id": run_id, "records": records, "articles": records})
    put_jsonl_gz(store, layout.staged_file(DAY, run_id, layout.REJECTED), [])
    return uris


def test_validate_memory_does_not_grow_with_the_number_of_shards(settings):
    stages.validate(settings, DAY, "warm-up", fake_day(settings, "warm-up", 1))  # imports and caches
    peaks = {}
    for shards in (4, 40):
        uris = fake_day(settings, f"run-{shards}", shards)
        tracemalloc.start()
        staged = stages.validate(settings, DAY, f"run-{shards}", uris)
        peaks[shards] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        store = open_lake(settings)
        assert len(get_json(store, store.key(staged))["tables"]) == 4 * shards  # every shard's files listed
    assert peaks[40] < 1.5 * peaks[4], peaks


def test_a_result_that_is_not_a_shards_is_refused_with_its_uri(settings):
    ingested = stages.ingest(settings, DAY, RUN)
    with pytest.raises(ValueError, match=r"shard result .*shard-00000\.jsonl\.gz: not what extract writes"):
        stages.validate(settings, DAY, RUN, ingested.shard_uris[:1])  # an articles shard, not a result
