"""Throughput of the S3 store against a SeaweedFS it starts on loopback: a synthetic day of many
small files and a few large ones, put, copied (the publish step's staging-to-final copy), listed,
read back and deleted.

    python bench/bench_storage.py [--files 5000] [--file-kb 3] [--large-files 3] [--large-mb 64]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT / "tests")]

from seaweed import SeaweedFS  # noqa: E402

from claimflow.config import MiB, Settings  # noqa: E402
from claimflow.storage.s3 import S3Store  # noqa: E402

ROW = "{:<28}{:>8}{:>10}{:>9}{:>9}{:>10}"


def timed(work: Callable[[str], object], keys: Iterable[str], workers: int) -> float:
    """Seconds to run ``work`` on every key with ``workers`` threads sharing one client."""
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        for _ in pool.map(work, keys):
            pass
    return time.perf_counter() - started


def report(name: str, files: int, nbytes: int, seconds: float) -> None:
    mb = nbytes / MiB
    print(ROW.format(name, files, f"{mb:.1f}", f"{seconds:.2f}", f"{mb / seconds:.1f}", f"{files / seconds:.0f}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5_000, help="small files in the synthetic day (10,000: ~2 min)")
    parser.add_argument("--file-kb", type=float, default=3.0, help="size of each small file")
    parser.add_argument("--large-files", type=int, default=3)
    parser.add_argument("--large-mb", type=int, default=64, help="size of each large file (multipart)")
    parser.add_argument("--workers", type=int, default=8, help="threads issuing small-file requests")
    args = parser.parse_args()

    small = os.urandom(int(args.file_kb * 1024))
    small_keys = [f"articles/dt=2024-05-01/part-{i:06d}.json" for i in range(args.files)]
    with tempfile.TemporaryDirectory(prefix="claimflow-bench-") as tmp, SeaweedFS(Path(tmp) / "weed") as s3:
        os.environ.update(s3.env())
        store = S3Store.from_uri(f"s3://{s3.bucket}/bench", s3=Settings.from_env().s3)
        large = Path(tmp) / "large.bin"
        with open(large, "wb") as out:
            for _ in range(args.large_mb):
                out.write(os.urandom(MiB))
        large_keys = [f"claims/dt=2024-05-01/part-{i}.parquet" for i in range(args.large_files)]
        large_bytes = args.large_files * args.large_mb * MiB
        small_bytes = len(small) * args.files
        store.put_bytes("warm-up", small)  # the first write makes SeaweedFS grow its volumes

        parts = f"{store.settings.multipart_chunksize // MiB} MiB x {store.settings.max_concurrency}"
        print(
            f"SeaweedFS {s3.endpoint_url}  small: {args.files} x {len(small)} B, {args.workers} threads;"
            f"  large: {args.large_files} x {args.large_mb} MiB, parts of {parts}"
        )
        print(ROW.format("operation", "files", "MB", "seconds", "MB/s", "files/s"))
        report(
            "put small",
            args.files,
            small_bytes,
            timed(lambda key: store.put_bytes(key, small), small_keys, args.workers),
        )
        report(
            "copy small (server-side)",
            args.files,
            small_bytes,
            timed(lambda key: store.copy(key, "final/" + key), small_keys, args.workers),
        )
        started = time.perf_counter()
        listed = sum(1 for _ in store.list("articles/"))
        report("list small", listed, small_bytes, time.perf_counter() - started)
        report("get small", args.files, small_bytes, timed(store.get_bytes, small_keys, args.workers))
        report(
            "put large (multipart)",
            args.large_files,
            large_bytes,
            timed(lambda key: store.put_file(key, large), large_keys, 1),
        )
        report(
            "copy large (multipart)",
            args.large_files,
            large_bytes,
            timed(lambda key: store.copy(key, "final/" + key), large_keys, 1),
        )
        report(
            "get large",
            args.large_files,
            large_bytes,
            timed(lambda key: store.get_file(key, Path(tmp) / "back.bin"), large_keys, 1),
        )
        started = time.perf_counter()
        deleted = store.delete_prefix("")
        report("delete all (batched)", deleted, small_bytes * 2 + large_bytes * 2, time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the benchmark process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
