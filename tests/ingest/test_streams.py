"""Tests of claimflow.ingest.streams: a gzip bomb read under the caps, in a worker whose peak
memory is measured."""

import os
import subprocess
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

GZ_BOMB_PROBE = """
import sys
from claimflow.ingest.articles import build_articles
from claimflow.ingest.sources import read_sources
items = list(build_articles(read_sources([sys.argv[1]], "2026-11-26")))
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(sorted((item.name.rsplit("/", 1)[-1], item.reason) for item in items), peak_kb)
"""


def _gzip_of(path: Path, block: bytes, total: int) -> None:
    """A gzip file of ``total`` bytes of repeated ``block``, compressed as a stream."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(path, "wb") as out:
        for _ in range(total // len(block)):
            out.write(packer.compress(block))
        out.write(packer.flush())


def test_a_gzip_bomb_is_refused_with_bounded_memory(tmp_path):
    """400 MB inside 400 KB: refused as too_large, the worker's peak memory under 300 MB."""
    _gzip_of(tmp_path / "zeros.txt.gz", b"\0" * (1 << 20), 400 << 20)
    _gzip_of(tmp_path / "lines.jsonl.gz", b" " * ((1 << 20) - 1) + b"\n", 400 << 20)
    assert (tmp_path / "zeros.txt.gz").stat().st_size < 500_000
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    done = subprocess.run(
        [sys.executable, "-c", GZ_BOMB_PROBE, str(tmp_path)], capture_output=True, text=True, env=env, timeout=300, check=True
    )
    found, peak_kb = done.stdout.strip().rsplit(" ", 1)
    assert found == str([("lines.jsonl.gz", "too_large"), ("zeros.txt.gz", "too_large")])
    assert int(peak_kb) < 300 * 1024, f"peak RSS {int(peak_kb) // 1024} MB"
