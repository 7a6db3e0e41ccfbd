import gzip
import io
import zlib

import brotli
import pytest
from fastwarc.stream_io import ZstdWriter

from claimflow.exceptions import RejectedInput
from claimflow.ingest.http_body import decoded_body

PAGE = b"<p>The council approved the budget.</p>" * 50
CAP = 1 << 20


def zstd(data: bytes) -> bytes:
    out = io.BytesIO()
    writer = ZstdWriter(out)
    writer.write(data)
    writer.close()
    return out.getvalue()


def chunked(body: bytes, size: int = 100) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size]) for i in range(0, len(body), size)) + b"0\r\n\r\n"


@pytest.mark.parametrize(
    ("raw", "transfer", "content"),
    [
        pytest.param(PAGE, None, None, id="as is"),
        pytest.param(PAGE, None, "identity", id="identity"),
        pytest.param(chunked(PAGE), "chunked", None, id="chunked"),
        pytest.param(chunked(PAGE).replace(b"\r\n", b"\n", 1), "Chunked", None, id="chunked, a bare newline"),
        pytest.param(gzip.compress(PAGE), None, "gzip", id="gzip"),
        pytest.param(zlib.compress(PAGE), None, "deflate", id="deflate"),
        pytest.param(zlib.compress(PAGE)[2:-4], None, "deflate", id="deflate without its zlib wrapper"),
        pytest.param(brotli.compress(PAGE), None, "br", id="br"),
        pytest.param(zstd(PAGE), None, "zstd", id="zstd"),
        pytest.param(brotli.compress(gzip.compress(PAGE)), None, "gzip, br", id="gzip then br"),
        pytest.param(chunked(gzip.compress(PAGE)), "gzip, chunked", None, id="gzip as a transfer coding"),
    ],
)
def test_a_body_is_decoded(raw, transfer, content):
    assert decoded_body(raw, transfer_encoding=transfer, content_encoding=content, cap=CAP, limit="CLAIMFLOW_MAX_RECORD_BYTES") == PAGE


@pytest.mark.parametrize(
    ("raw", "transfer", "content", "reason", "detail"),
    [
        pytest.param(b"ZZZZ\r\n" + PAGE + b"\r\n0\r\n\r\n", "chunked", None, "bad_archive", "invalid chunk size", id="bad chunk"),
        pytest.param(chunked(PAGE)[:-5], "chunked", None, "bad_archive", "without its last chunk", id="no last chunk"),
        pytest.param(chunked(PAGE)[:500], "chunked", None, "bad_archive", "inside a chunk", id="chunk cut short"),
        pytest.param(b"f" * 16 + b"\r\nab", "chunked", None, "too_large", "more than", id="a chunk of 2**64 bytes"),
        pytest.param(gzip.compress(PAGE)[:-30], None, "gzip", "bad_archive", "cut short", id="gzip cut short"),
        pytest.param(b"not gzip" * 10, None, "gzip", "bad_archive", "does not decompress", id="not gzip"),
        pytest.param(brotli.compress(PAGE)[:-5], None, "br", "bad_archive", "cut short", id="br cut short"),
        pytest.param(b"not zstd" * 10, None, "zstd", "bad_archive", "does not decompress", id="not zstd"),
        pytest.param(zstd(bytes(8 << 20)), None, "zstd", "too_large", "more than", id="zstd bomb"),
        pytest.param(PAGE, None, "compress", "bad_archive", "unknown Content-Encoding", id="unknown coding"),
        pytest.param(gzip.compress(bytes(8 << 20)), None, "gzip", "too_large", "more than", id="gzip bomb"),
        pytest.param(brotli.compress(bytes(8 << 20)), None, "br", "too_large", "more than", id="br bomb"),
    ],
)
def test_a_body_that_does_not_decode_is_refused(raw, transfer, content, reason, detail):
    with pytest.raises(RejectedInput, match=detail) as refused:
        decoded_body(raw, transfer_encoding=transfer, content_encoding=content, cap=CAP, limit="CLAIMFLOW_MAX_RECORD_BYTES")
    assert refused.value.reason == reason
