import pytest

from claimflow.exceptions import RejectedInput
from claimflow.ingest.articles import article_id, build_articles, to_article
from claimflow.ingest.records import RawRecord, RejectedRecord

TEXT = "The mayor said on Monday that the new bridge would open in May, two months late."


def test_ids_are_content_addressed():
    assert article_id(TEXT) == article_id(TEXT) != article_id(TEXT + " ")
    assert len(article_id(TEXT)) == 16


def test_a_text_file_becomes_an_article():
    article = to_article(RawRecord(name="a.txt", payload=TEXT.encode()))
    assert (article.text, article.path, article.language) == (TEXT, "a.txt", "en")


def test_a_json_record_keeps_its_metadata():
    record = RawRecord(name="f.jsonl#3", fields={"id": 7, "title": "Bridge", "url": "http://x", "published": "2026-11-26", "text": TEXT})
    article = to_article(record)
    assert (article.title, article.url, article.published, article.external_id) == ("Bridge", "http://x", "2026-11-26", "7")


@pytest.mark.parametrize(
    "fields, detail",
    [
        pytest.param({"title": "no text"}, "missing required field 'text'", id="missing text"),
        pytest.param({"text": 42}, "field 'text' must be a string, got int", id="text not a string"),
        pytest.param({"text": TEXT, "title": ["x"]}, "field 'title' must be a string, got list", id="title not a string"),
    ],
)
def test_bad_json_records_are_refused_with_the_reason(fields, detail):
    with pytest.raises(RejectedInput, match=detail) as info:
        to_article(RawRecord(name="f.json", fields=fields))
    assert info.value.reason == "bad_record"


def test_the_same_text_twice_is_refused_as_a_duplicate_naming_the_first():
    records = [RawRecord(name="a.txt", payload=TEXT.encode()), RawRecord(name="b.json", fields={"id": "other", "text": TEXT})]
    first, second = build_articles(records)
    assert first.path == "a.txt"
    assert isinstance(second, RejectedRecord) and second.reason == "duplicate" and "a.txt" in second.detail


def test_without_normalization_the_text_is_kept_exactly():
    raw = "Line one.  \r\nLine two said he.\r\n"
    assert to_article(RawRecord(name="a.txt", payload=raw.encode()), normalize=False).text == raw
    assert to_article(RawRecord(name="a.txt", payload=raw.encode())).text != raw


PAGE = ('<html><head><link rel="canonical" href="https://n.example/story?token=t0k3n&amp;id=7"></head>'
        "<body><article><p>" + TEXT + "</p></article></body></html>").encode()


@pytest.mark.parametrize(
    "record, url, external_id",
    [
        pytest.param(RawRecord(name="https://n.example/story", payload=PAGE, content_type="text/html", url="https://n.example/story"),
                     "https://n.example/story?id=7&token=", None, id="a canonical link echoing a token"),
        pytest.param(RawRecord(name="f.jsonl#1", fields={"text": TEXT, "url": "https://n.example/s?api_key=k3y&token[]=t&id=1",
                                                         "id": "https://n.example/s;jsessionid=S3SS"}),
                     "https://n.example/s?api_key=&token[]=&id=1", "https://n.example/s", id="a JSON record's url and id"),
        pytest.param(RawRecord(name="f.jsonl#2", fields={"text": TEXT, "url": "https://u:pa?ss@n.example/s", "id": "a?token=kept"}),
                     "https://n.example/s", "a?token=kept", id="a password holding ?; an id that is no address kept"),
    ],
)
def test_an_articles_addresses_are_redacted_whoever_named_them(record: RawRecord, url: str, external_id: str | None) -> None:
    article = to_article(record)
    assert (article.url, article.external_id) == (url, external_id)
