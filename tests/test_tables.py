import pyarrow as pa

from claimflow.models import Article, Claim, Entity, Extraction, Mention, Span, entity_id
from claimflow.tables import QUARANTINE_COLUMNS, QUARANTINE_SCHEMA, SCHEMAS, article_row, extraction_record, extraction_rows

TEXT = 'Ian Kelly said "no". Officials denied it.'


def _record() -> dict:
    claim = Claim(cue=Span.of(TEXT, 10, 14), content=(Span.of(TEXT, 16, 18),), source=Span.of(TEXT, 0, 9),
                  source_kind="person", speaker="Ian Kelly", quote_type="direct")
    entity = Entity("Ian Kelly", "PERSON", (Mention(0, 9, "Ian Kelly", "PERSON"),))
    article = Article(article_id="a" * 16, text=TEXT, path="x.txt")
    return extraction_record(Extraction(article, (entity,), (claim,)))


def test_rows_fit_the_table_schemas():
    rows = extraction_rows(_record(), day="2026-11-26", run_id="r")
    for table, table_rows in rows.items():
        assert pa.Table.from_pylist(table_rows, schema=SCHEMAS[table]).num_rows == 1
    art = article_row(Article(article_id="a" * 16, text=TEXT, path="x.txt"), day="2026-11-26", run_id="r", ingested_at="t")
    assert pa.Table.from_pylist([art], schema=SCHEMAS["articles"]).num_rows == 1
    assert art["n_words"] == 7 and len(art["content_sha256"]) == 64


def test_ids_are_stable_across_runs_and_link_the_tables():
    first = extraction_rows(_record(), day="2026-11-26", run_id="run-1")
    second = extraction_rows(_record(), day="2026-11-26", run_id="run-2")
    assert first["claims"][0]["claim_id"] == second["claims"][0]["claim_id"]
    assert first["mentions"][0]["entity_id"] == first["entities"][0]["entity_id"]


def test_claim_rows_flatten_spans_and_keep_the_content_list():
    (claim,) = extraction_rows(_record(), day="2026-11-26", run_id="r")["claims"]
    assert (claim["source_text"], claim["cue_text"], claim["content_text"]) == ("Ian Kelly", "said", "no")
    assert claim["content"] == [{"start": 16, "end": 18, "text": "no"}]


def test_a_claim_without_source_has_null_source_columns():
    record = _record()
    record["claims"][0]["source"] = None
    (claim,) = extraction_rows(record, day="2026-11-26", run_id="r")["claims"]
    assert claim["source_start"] is None and claim["source_text"] is None


def test_an_entity_has_the_same_id_in_every_article_and_one_row_per_article():
    first = _record()
    second = {**_record(), "article_id": "b" * 16}
    rows = [extraction_rows(r, day="2026-11-26", run_id="r") for r in (first, second)]
    ids = {row["entities"][0]["entity_id"] for row in rows}
    assert ids == {entity_id("Ian Kelly", "PERSON")}
    assert [(row["entities"][0]["article_id"], row["mentions"][0]["article_id"]) for row in rows] == [
        ("a" * 16, "a" * 16), ("b" * 16, "b" * 16)]
    assert rows[0]["mentions"][0]["mention_id"] != rows[1]["mentions"][0]["mention_id"]


def test_a_record_without_entity_ids_gets_the_canonical_derivation():
    record = _record()
    del record["entities"][0]["entity_id"]
    (row,) = extraction_rows(record, day="2026-11-26", run_id="r")["entities"]
    assert row["entity_id"] == entity_id("Ian Kelly", "PERSON")


def test_claim_rows_carry_their_entity_links():
    record = _record()
    record["claims"][0].update(source_entity_id="e" * 16, entity_ids=["f" * 16])
    (claim,) = extraction_rows(record, day="2026-11-26", run_id="r")["claims"]
    assert (claim["source_entity_id"], claim["entity_ids"]) == ("e" * 16, ["f" * 16])


def test_the_quarantine_schema_is_strings_in_the_quality_columns_order():
    assert QUARANTINE_COLUMNS == ("table", "record_id", "article_id", "reason", "detail", "record", "dt")
    assert QUARANTINE_SCHEMA.names == list(QUARANTINE_COLUMNS)
    assert {str(field.type) for field in QUARANTINE_SCHEMA} == {"string"}
