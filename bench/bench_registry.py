"""Registry read time at publish as the lake ages: N days of registry rows, whole versus snapshot.

Writes a local registry table of N days (ROWS entity rows a day, drawn from a pool of POOL ids,
one file per day as publish writes them), then times ``read_registry`` for the next day: read
whole (no store: what every publish did before the snapshot), the first read with the lake's
store (reads whole and writes the snapshot), and the reads of the following days (snapshot plus
the days after its horizon). Each size in a fresh temporary lake.

    python bench/bench_registry.py [--days 100 1000] [--rows 500] [--pool 20000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins")]

START = dt.date(2024, 1, 1)


def day(n: int) -> str:
    return (START + dt.timedelta(days=n)).isoformat()


def write_registry(settings, days: int, rows: int, pool: int) -> None:
    """``days`` days of registry rows, ``rows`` ids a day from ``pool``, in one commit (one file a day)."""
    import pyarrow as pa
    from deltalake import write_deltalake

    from claimflow import layout
    from claimflow.storage.delta import DeltaLake
    from claimflow.tables import REGISTRY_SCHEMA

    rng = random.Random(days)
    batch = []
    for n in range(days):
        for i in rng.sample(range(pool), rows):
            batch.append({"entity_id": f"{i:016x}", "name": f"Entity {i}", "label": "PERSON" if i % 3 else "ORG",
                          "aliases": [{"form": f"Entity {i}", "count": 2}], "article_count": rng.randint(1, 9),
                          "merged_into": None, "kb_id": None, "dt": day(n), "run_id": f"run-{n}"})
    write_deltalake(DeltaLake.open(settings).uri(layout.REGISTRY), pa.Table.from_pylist(batch, schema=REGISTRY_SCHEMA),
                    partition_by=["dt"])


def timed(fn) -> tuple[float, int]:
    started = time.perf_counter()
    known, _ = fn()
    return round(time.perf_counter() - started, 3), len(known)


def measure(days: int, rows: int, pool: int, following: int) -> dict:
    from claimflow.config import Settings
    from claimflow.identity.registry import read_registry
    from claimflow.storage import open_lake
    from claimflow.storage.delta import DeltaLake

    with tempfile.TemporaryDirectory(prefix="claimflow-bench-registry-") as tmp:
        settings = Settings(lake=str(Path(tmp) / "lake"))
        write_registry(settings, days, rows, pool)
        lake, store = DeltaLake.open(settings), open_lake(settings)
        whole, ids = timed(lambda: read_registry(lake, day(days)))
        first, _ = timed(lambda: read_registry(lake, day(days), store=store))
        later = [timed(lambda n=n: read_registry(lake, day(n), store=store))[0] for n in range(days + 1, days + 1 + following)]
        return {"days": days, "rows": days * rows, "ids": ids, "whole_s": whole, "first_with_snapshot_s": first,
                "snapshot_s": round(sum(later) / len(later), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--pool", type=int, default=20000)
    parser.add_argument("--following", type=int, default=3, help="days read after the snapshot is written (mean)")
    args = parser.parse_args()
    results = [measure(n, args.rows, args.pool, args.following) for n in args.days]
    for result in results:
        print(json.dumps(result))
    if len(results) > 1:
        small, large = results[0], results[-1]
        print(json.dumps({f"ratio_{large['days']}_vs_{small['days']}": {
            "whole": round(large["whole_s"] / small["whole_s"], 2),
            "snapshot": round(large["snapshot_s"] / small["snapshot_s"], 2)}}))


if __name__ == "__main__":
    main()
