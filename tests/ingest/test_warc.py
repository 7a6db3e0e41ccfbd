import gzip
import os
import subprocess
import sys
import zlib
from pathlib import Path

import brotli
import pytest
from bad_inputs import http_response, news_page, warc_record

from claimflow.ingest.articles import build_articles
from claimflow.ingest.records import InputLimits, RawRecord, RejectedRecord
from claimflow.ingest.sources import read_sources, split_records
from claimflow.models import Article

DAY = "2026-11-26"
ROOT = Path(__file__).resolve().parents[2]


def crawl(*, gzipped: bool) -> bytes:
    """A day's crawl as a WARC: two HTML pages of the day (one behind a secret-bearing address),
    a PDF, a redirect, a request, a revisit, a metadata record and a page of the day before."""
    records = [
        warc_record("warcinfo", "", f"{DAY}T00:00:00Z", b"software: test\r\n"),
        warc_record("request", "https://news.example/a", f"{DAY}T08:00:00Z", b"GET /a HTTP/1.1\r\n\r\n", http="request"),
        warc_record("response", "https://news.example/a", f"{DAY}T08:00:01Z", http_response(news_page(1))),
        warc_record("response", "https://news.example/report.pdf", f"{DAY}T08:01:00Z", http_response(b"%PDF-1.7 ...", "application/pdf")),
        warc_record("response", "https://news.example/old", f"{DAY}T08:02:00Z", http_response(b"", status="301 Moved Permanently")),
        warc_record("revisit", "https://news.example/a", f"{DAY}T09:00:00Z", b"HTTP/1.1 304 Not Modified\r\n\r\n"),
        warc_record("metadata", "https://news.example/a", f"{DAY}T09:00:01Z", b"outlinks: https://news.example/b\r\n"),
        warc_record(
            "response",
            "https://editor:hunter2@news.example/b?id=7&apikey=SECRET",
            "2026-11-26T23:59:59.500Z",
            http_response(news_page(2), "application/xhtml+xml"),
        ),
        warc_record("response", "https://news.example/c", "2026-11-25T23:59:59Z", http_response(news_page(3))),
    ]
    if gzipped:  # one gzip member per record, as crawlers write them
        return b"".join(gzip.compress(record) for record in records)
    return b"".join(records)


@pytest.mark.parametrize("gzipped", [pytest.param(False, id="warc"), pytest.param(True, id="warc.gz")])
def test_html_responses_of_the_day_become_raw_records(gzipped):
    name = "crawl.warc.gz" if gzipped else "crawl.warc"
    records = list(split_records(name, crawl(gzipped=gzipped), DAY))
    assert records == [
        RawRecord(
            name=f"{name}#3",
            payload=news_page(1),
            content_type="text/html; charset=utf-8",
            url="https://news.example/a",
            fetched_at="2026-11-26T08:00:01+00:00",
        ),
        RawRecord(
            name=f"{name}#8",
            payload=news_page(2),
            content_type="application/xhtml+xml",
            url="https://news.example/b?id=7&apikey=",
            fetched_at="2026-11-26T23:59:59+00:00",
        ),
    ]


def test_the_crawl_date_decides_the_day():
    (record,) = split_records("crawl.warc", crawl(gzipped=False), "2026-11-25")
    assert record.name == "crawl.warc#9" and record.url == "https://news.example/c"
    assert len(list(split_records("crawl.warc", crawl(gzipped=False), None))) == 3  # no day: every page


def test_skipped_records_are_counted_in_the_log(caplog):
    caplog.set_level("INFO", logger="claimflow.ingest.warc")
    list(split_records("crawl.warc", crawl(gzipped=False), DAY))
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("read warc")]
    assert line == (
        "read warc name=crawl.warc records=9 html=2 unreadable=0 "
        "skipped=application/pdf:1,http_301:1,metadata:1,other_day:1,request:1,revisit:1,warcinfo:1"
    )


def test_a_truncated_or_oversized_page_is_quarantined_and_the_rest_read():
    whole = crawl(gzipped=False)
    cut = whole[: whole.index(b"WARC/1.0", whole.index(b"news.example/b?")) - 40]  # inside page b's body
    records = list(split_records("cut.warc", cut, DAY))
    assert [type(r).__name__ for r in records] == ["RawRecord", "RejectedRecord"]
    assert records[1].name == "cut.warc#8" and records[1].reason == "bad_archive"
    small = InputLimits(max_record_bytes=200)
    assert {r.reason for r in split_records("crawl.warc", whole, DAY, limits=small)} == {"too_large"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"hello world\n" * 100, [("bad.warc", "bad_archive")], id="not a warc"),
        pytest.param(b"WARC/1.0\r\nWARC-Type: resp", [("bad.warc", "bad_archive")], id="cut inside the first header"),
        pytest.param(gzip.compress(b"hello world\n" * 100), [("bad.warc", "bad_archive")], id="a gzip member of no warc"),
        pytest.param(b"\x1f\x8b\x08" + b"\0" * 100, [("bad.warc", "bad_archive")], id="a gzip member that does not inflate"),
    ],
)
def test_a_broken_archive_is_quarantined(data, expected):
    assert [(r.name, r.reason) for r in split_records("bad.warc", data, DAY) if isinstance(r, RejectedRecord)] == expected


def chunked(body: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(body[i : i + 100]), body[i : i + 100]) for i in range(0, len(body), 100)) + b"0\r\n\r\n"


def encoded_response(body: bytes, **headers: str) -> bytes:
    """An HTML response with ``headers`` (``Transfer_Encoding="chunked"``...) and ``body`` as sent."""
    lines = "".join(f"{key.replace('_', '-')}: {value}\r\n" for key, value in headers.items())
    return f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n{lines}\r\n".encode() + body


def gzip_bomb(size: int) -> bytes:
    """``size`` bytes of zeros after a tag, gzipped (about 1,000 times smaller)."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [deflate.compress(b"<p>")] + [deflate.compress(bytes(1 << 20)) for _ in range(size >> 20)]
    return b"".join(parts) + deflate.flush()


BROKEN = {  # a record between good ones: its kind -> (its bytes, the reason it is quarantined with)
    "broken chunked body": (
        warc_record("response", "https://editor:hunter2@news.example/x?token=SECRET", f"{DAY}T08:00:05Z",
                    encoded_response(b"ZZZZ\r\n" + news_page(9) + b"\r\n0\r\n\r\n", Transfer_Encoding="chunked")),
        "bad_archive",
    ),
    "chunked body cut short": (
        warc_record("response", "https://news.example/x", f"{DAY}T08:00:05Z",
                    encoded_response(chunked(news_page(9))[:-40], Transfer_Encoding="chunked")),
        "bad_archive",
    ),
    "gzip bomb body": (
        warc_record("response", "https://news.example/x", f"{DAY}T08:00:05Z",
                    encoded_response(gzip_bomb(200 << 20), Content_Encoding="gzip")),
        "too_large",
    ),
    "unknown content coding": (
        warc_record("response", "https://news.example/x", f"{DAY}T08:00:05Z", encoded_response(b"xx", Content_Encoding="compress")),
        "bad_archive",
    ),
    "HTTP header that does not parse": (
        warc_record("response", "https://news.example/x", f"{DAY}T08:00:05Z", b"HTTP/1.1 200 OK\r\n" + b"X" * 40_000 + b"\r\n\r\n<p>"),
        "bad_archive",
    ),
    "garbage record": (b"junk junk junk\r\n\r\nmore junk\r\n", "bad_archive"),
    "header without its length": (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://news.example/x?apikey=SECRET\r\n"
        b"Content-Length: many\r\n\r\nhello\r\n\r\n",
        "bad_archive",
    ),
    "a WARC line inside the garbage": (b"junk\r\nWARC/1.0 is a format\r\nmore junk\r\n", "bad_archive"),
}


def with_broken(kind: str, *, gzipped: bool) -> bytes:
    """Three pages of the day with the ``kind`` of broken record after the first."""
    records = [warc_record("response", f"https://news.example/{i}", f"{DAY}T08:00:0{i}Z", http_response(news_page(i))) for i in (1, 2, 3)]
    records.insert(1, BROKEN[kind][0])
    return b"".join(gzip.compress(r) for r in records) if gzipped else b"".join(records)


@pytest.mark.parametrize("gzipped", [pytest.param(False, id="warc"), pytest.param(True, id="warc.gz")])
@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_record_is_quarantined_and_the_pages_after_it_read(kind, gzipped):
    name = "crawl.warc.gz" if gzipped else "crawl.warc"
    records = list(split_records(name, with_broken(kind, gzipped=gzipped), DAY))
    assert [(r.name, getattr(r, "reason", "page")) for r in records] == [
        (f"{name}#1", "page"), (f"{name}#2", BROKEN[kind][1]), (f"{name}#3", "page"), (f"{name}#4", "page")
    ]
    assert [r.payload for r in records if isinstance(r, RawRecord)] == [news_page(1), news_page(2), news_page(3)]
    assert "hunter2" not in repr(records) and "SECRET" not in repr(records)


def test_a_quarantined_record_names_its_address_without_secrets():
    broken = list(split_records("crawl.warc", with_broken("broken chunked body", gzipped=False), DAY))[1]
    assert broken.detail.endswith("(https://news.example/x?token=)")
    junk = list(split_records("crawl.warc", with_broken("header without its length", gzipped=False), DAY))[1]
    assert "WARC-Target-URI https://news.example/x?apikey=)" in junk.detail and "next record at byte" in junk.detail


def test_a_gzip_member_that_does_not_inflate_costs_only_itself():
    members = [gzip.compress(warc_record("response", f"https://news.example/{i}", f"{DAY}T08:00:0{i}Z", http_response(news_page(i))))
               for i in (1, 2, 3)]
    members[1] = members[1][:30] + bytes(200) + members[1][230:]  # its deflate data overwritten
    records = list(split_records("crawl.warc.gz", b"".join(members), DAY))
    assert [(r.name, getattr(r, "reason", "page")) for r in records] == [
        ("crawl.warc.gz#1", "page"), ("crawl.warc.gz#2", "bad_archive"), ("crawl.warc.gz#3", "page")
    ]


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(encoded_response(chunked(news_page(1)), Transfer_Encoding="chunked"), id="chunked"),
        pytest.param(encoded_response(gzip.compress(news_page(1)), Content_Encoding="gzip"), id="gzip"),
        pytest.param(encoded_response(chunked(gzip.compress(news_page(1))), Transfer_Encoding="chunked", Content_Encoding="x-gzip"),
                     id="chunked x-gzip"),
        pytest.param(encoded_response(zlib.compress(news_page(1))[2:-4], Content_Encoding="deflate"), id="raw deflate"),
        pytest.param(encoded_response(brotli.compress(news_page(1)), Content_Encoding="br"), id="br"),
    ],
)
def test_an_encoded_body_is_decoded(response):
    (record,) = split_records("crawl.warc", warc_record("response", "https://news.example/1", f"{DAY}T08:00:00Z", response), DAY)
    assert record.payload == news_page(1)


def test_warc_pages_become_articles_and_no_secret_of_their_address_is_kept(tmp_path):
    (tmp_path / "crawl.warc.gz").write_bytes(crawl(gzipped=True))
    records = list(read_sources([str(tmp_path)], DAY))
    items = list(build_articles(records))
    assert [a.path.rsplit("/", 1)[-1] for a in items if isinstance(a, Article)] == ["crawl.warc.gz#3", "crawl.warc.gz#8"]
    assert all("hunter2" not in repr(r) and "SECRET" not in repr(r) for r in records + items)


def test_cc_news_files_are_picked_by_the_day_in_their_name(tmp_path):
    """A day's run reads the files named for it, and the day before's last file for the pages
    its crawl fetched after midnight; the WARC-Date of each page decides."""
    month = tmp_path / "cc-news" / "2026" / "11"
    month.mkdir(parents=True)
    files = {  # file name stamp: crawl times of its pages
        "20261125100000": ["2026-11-25T10:00:00Z"],
        "20261125235000": ["2026-11-25T23:55:00Z", "2026-11-26T00:05:00Z"],
        "20261126001500": ["2026-11-26T00:15:00Z"],
        "20261127000000": ["2026-11-27T00:00:01Z"],
    }
    for number, (stamp, times) in enumerate(files.items(), start=1):
        records = [
            warc_record("response", f"https://news.example/{stamp}/{i}", when, http_response(news_page(i)))
            for i, when in enumerate(times)
        ]
        (month / f"CC-NEWS-{stamp}-{number:05d}.warc.gz").write_bytes(b"".join(gzip.compress(r) for r in records))
    (tmp_path / "cc-news" / "2026" / "12").mkdir()
    source = str(tmp_path / "cc-news" / "{yyyy}" / "{mm}")

    def urls(day: str) -> list[str]:
        return [r.url.removeprefix("https://news.example/") for r in read_sources([source], day)]

    assert urls("2026-11-25") == ["20261125100000/0", "20261125235000/0"]
    assert urls("2026-11-26") == ["20261125235000/1", "20261126001500/0"]
    assert urls("2026-11-27") == ["20261127000000/0"]


WARC_PROBE = """
import sys
from claimflow.ingest.sources import read_sources
count = sum(1 for _ in read_sources([sys.argv[1]], "2026-11-26"))
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(count, peak_kb)
"""


def test_a_large_warc_is_streamed_with_bounded_memory(tmp_path):
    """A 50 MB archive of 1 MB pages: read record by record, peak memory far below its size."""
    page = http_response(news_page(1) + b"<!--" + b"x" * (1 << 20) + b"-->")
    with open(tmp_path / "big.warc", "wb") as out:
        for i in range(50):
            out.write(warc_record("response", f"https://news.example/{i}", f"{DAY}T10:00:00Z", page))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    done = subprocess.run([sys.executable, "-c", WARC_PROBE, str(tmp_path)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    count, peak_kb = map(int, done.stdout.split())
    assert count == 50
    assert peak_kb < 150 * 1024, f"peak RSS {peak_kb // 1024} MB"
