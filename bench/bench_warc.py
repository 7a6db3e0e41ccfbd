"""Streaming a large web archive: records per second and the reader's peak memory, on a
synthetic CC-NEWS-like ``.warc.gz`` (per page a request, an HTML response and a metadata record,
one gzip member each) of at least 1 GB uncompressed, written to a temporary folder.

    python bench/bench_warc.py [--size-mb 1024] [--page-kb 60] [--plain]

The reading runs in a fresh interpreter so its peak RSS (VmHWM) is the reader's alone.
"""

from __future__ import annotations

import argparse
import gzip
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT / "tests")]

from bad_inputs import http_response, warc_record  # noqa: E402

DAY = "2026-11-26"
WORDS = (
    "council budget mayor said according to officials vote reporters city plan million years road "
    "repairs minister government election court police report statement spokesman health school"
).split()

READER = """
import sys, time
from claimflow.ingest.records import RawRecord
from claimflow.ingest.sources import read_sources
started, cpu = time.perf_counter(), time.process_time()
pages = other = 0
for record in read_sources([sys.argv[1]], sys.argv[2]):
    if isinstance(record, RawRecord):
        pages += 1
    else:
        other += 1
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(pages, other, seconds, cpu, peak_kb)
"""


def page(rng: random.Random, number: int, size: int) -> bytes:
    """An HTML page of about ``size`` bytes of varied words (so it compresses like text)."""
    paragraphs = []
    length = 0
    while length < size:
        text = " ".join(rng.choices(WORDS, k=80))
        paragraphs.append(f"<p>{text}.</p>\n")
        length += len(paragraphs[-1])
    return f"<html><head><title>Story {number}</title></head><body>{''.join(paragraphs)}</body></html>".encode()


def write_archive(path: Path, size_mb: int, page_kb: int, plain: bool) -> tuple[int, int]:
    """Write the archive; returns (pages, uncompressed bytes)."""
    rng = random.Random(7)
    bodies = [page(rng, number, page_kb << 10) for number in range(64)]  # varied text, cycled
    written = pages = 0
    with open(path, "wb") as out:
        while written < size_mb << 20:
            uri = f"https://news.example/{pages}"
            when = f"{DAY}T{pages // 3600 % 24:02d}:{pages // 60 % 60:02d}:{pages % 60:02d}Z"
            for record in (
                warc_record("request", uri, when, f"GET /{pages} HTTP/1.1\r\nHost: news.example\r\n\r\n".encode(), http="request"),
                warc_record("response", uri, when, http_response(bodies[pages % 64])),
                warc_record("metadata", uri, when, b"fetchTimeMs: 120\r\n"),
            ):
                written += len(record)
                out.write(record if plain else gzip.compress(record, compresslevel=1))
            pages += 1
    return pages, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="uncompressed archive size (default 1024)")
    parser.add_argument("--page-kb", type=int, default=60, help="HTML page size (default 60)")
    parser.add_argument("--plain", action="store_true", help="write .warc instead of .warc.gz")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="claimflow-bench-warc-") as tmp:
        path = Path(tmp) / ("CC-NEWS-20261126000000-00001.warc" + ("" if args.plain else ".gz"))
        started = time.perf_counter()
        pages, raw = write_archive(path, args.size_mb, args.page_kb, args.plain)
        print(f"wrote {path.name}: {pages} pages, {raw / 2**20:.0f} MiB uncompressed, "
              f"{path.stat().st_size / 2**20:.0f} MiB on disk, in {time.perf_counter() - started:.0f} s")
        env_path = str(ROOT / "plugins")
        done = subprocess.run(
            [sys.executable, "-c", READER, tmp, DAY],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
        )
        read_pages, other, seconds, cpu, peak_kb = done.stdout.split()
        wall, busy = float(seconds), float(cpu)
        print(f"read {read_pages} HTML records (+{other} refused) of {pages * 3} WARC records in {wall:.1f} s "
              f"({busy:.1f} s CPU): {int(read_pages) / busy:.0f} pages/s, {pages * 3 / busy:.0f} records/s, "
              f"{raw / 2**20 / busy:.0f} MiB/s uncompressed per CPU second; peak RSS {int(peak_kb) / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
