"""Lineage as OpenLineage names it: sources in, the four Delta tables out with schema, the day's
rows and its Great Expectations results; nothing at all without the provider."""

from __future__ import annotations

import sys

import pytest

from claimflow import stages
from claimflow.config import Settings
from claimflow.layout import TABLES
from claimflow.operators import lineage
from claimflow.tables import SCHEMAS

DAY = "2026-11-26"
RUN = "manual__2026-11-26T00:00:00+00:00"
ARTICLE = "The minister said on Tuesday that the bridge would reopen in May. Critics, however, said the plan was late."


@pytest.mark.parametrize(("address", "expected"), [
    pytest.param("s3://news-lake/claimflow/claims", ("s3://news-lake", "claimflow/claims"), id="S3 object"),
    pytest.param("/srv/lake/claims", ("file", "/srv/lake/claims"), id="local path"),
    pytest.param("file:///srv/lake/claims", ("file", "/srv/lake/claims"), id="file URI"),
    pytest.param("https://reader:hunter2@news.example:8443/feed.xml?api_key=s3cr3t",
                 ("https://news.example:8443", "/feed.xml"), id="web address, credentials dropped"),
])
def test_addresses_are_named_as_openlineage_names_them(address, expected):
    assert lineage.named(address) == expected


def test_names_agree_with_the_openlineage_clients_naming():
    naming = pytest.importorskip("openlineage.client.naming.dataset")
    for address, named in (("s3://bucket/a/b", naming.S3("bucket", "a/b")), ("/srv/lake", naming.LocalFileSystem("/srv/lake"))):
        assert lineage.named(address) == (named.get_namespace(), named.get_name())


def test_sources_are_the_days_addresses_once_each(tmp_path):
    settings = Settings(lake=str(tmp_path), sources=("s3://news/{ds}/", str(tmp_path / "in"), str(tmp_path / "in")),
                        late_days=1)
    assert [(d.namespace, d.name) for d in lineage.source_datasets(settings, DAY)] == [
        ("s3://news", "2026-11-25/"), ("s3://news", "2026-11-26/"), ("file", str(tmp_path / "in"))]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Settings, object]:
    """A small day published to a local lake through the four steps."""
    lake = tmp_path_factory.mktemp("lake")
    settings = Settings(lake=str(lake))
    ingested = stages.stage_articles(settings, DAY, RUN, [{"text": f"{ARTICLE} Story {i}."} for i in range(3)])
    extracted = [stages.extract(settings, uri) for uri in ingested.shard_uris]
    return settings, stages.publish(settings, DAY, RUN, stages.validate(settings, DAY, RUN, extracted))


def test_outputs_are_the_four_tables_with_schema_rows_and_checks(published):
    settings, manifest = published
    datasets = {d.name.rsplit("/", 1)[1]: d for d in lineage.published_datasets(settings, manifest)}
    assert set(datasets) == set(TABLES)
    for table, dataset in datasets.items():
        assert dataset.namespace == "file"
        assert dataset.rows == manifest.tables[table].rows
        assert [name for name, _ in dataset.fields] == SCHEMAS[table].names
        assert dataset.assertions and all(a.severity in ("error", "warn") for a in dataset.assertions)
    assert any(a.column == "article_id" for a in datasets["articles"].assertions)


def test_operator_lineage_carries_the_facets(published):
    pytest.importorskip("airflow.providers.openlineage")
    from openlineage.client.serde import Serde

    settings, manifest = published
    result = lineage.operator_lineage(lineage.Seen(outputs=lineage.published_datasets(settings, manifest)))
    claims = next(Serde.to_dict(d) for d in result.outputs if d.name.endswith("/claims"))
    assert claims["outputFacets"]["outputStatistics"]["rowCount"] == manifest.tables["claims"].rows
    assert [f["name"] for f in claims["facets"]["schema"]["fields"]] == SCHEMAS["claims"].names
    assertions = claims["facets"]["dataQualityAssertions"]["assertions"]
    assert assertions and {"assertion", "success"} <= set(assertions[0])


def test_without_the_provider_there_is_no_lineage(monkeypatch, published):
    settings, manifest = published
    monkeypatch.setitem(sys.modules, "airflow.providers.openlineage.extractors", None)  # import fails
    assert lineage.operator_lineage(lineage.Seen(outputs=lineage.published_datasets(settings, manifest))) is None
