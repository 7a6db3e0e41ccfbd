"""The registry's folded snapshot: a publish reads it and the days after its horizon, and gets
what reading the whole registry gives, whatever was rewritten before the horizon since."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa
import pytest

from claimflow import layout
from claimflow.config import Settings
from claimflow.identity import registry
from claimflow.identity.registry import SNAPSHOT_KEY, read_registry
from claimflow.identity.resolve import recent_since
from claimflow.storage import open_lake
from claimflow.storage.delta import DeltaLake
from claimflow.tables import REGISTRY_SCHEMA

START = dt.date(2026, 1, 1)
DAYS = 90


def day(n: int) -> str:
    return (START + dt.timedelta(days=n)).isoformat()


def rows_of(n: int) -> list[dict]:
    """Day ``n``'s registry rows: a pool of ids seen again and again, names and kb ids that change,
    and merges, drawn from a seed so every run writes the same lake."""
    rng = random.Random(n)
    rows = []
    for i in rng.sample(range(60), 12):
        merged = f"e{i - 1:03d}" if i % 7 == 0 and i else None
        rows.append({"entity_id": f"e{i:03d}", "name": f"Name {i} v{n % 3}", "label": "PERSON" if i % 2 else "ORG",
                     "aliases": [], "article_count": 0 if merged else rng.randint(1, 5), "merged_into": merged,
                     "kb_id": f"Q{i}" if n % 5 == 0 else None, "dt": day(n), "run_id": f"r{n}"})
    return rows


def write_days(settings: Settings, days: range, *, mode: str = "append") -> None:
    from deltalake import write_deltalake

    rows = [row for n in days for row in rows_of(n)]
    table = pa.Table.from_pylist(rows, schema=REGISTRY_SCHEMA)
    predicate = f"dt = '{day(days.start)}'" if mode == "overwrite" else None
    write_deltalake(DeltaLake.open(settings).uri(layout.REGISTRY), table, mode=mode, partition_by=["dt"], predicate=predicate)


@pytest.fixture
def lake(tmp_path) -> Settings:
    settings = Settings(lake=str(tmp_path / "lake"))
    write_days(settings, range(DAYS))
    return settings


def known(settings: Settings, on: str, *, snapshot: bool) -> list:
    store = open_lake(settings) if snapshot else None
    found, _ = read_registry(DeltaLake.open(settings), on, store=store)
    return sorted(found, key=lambda k: k.entity_id)


def test_the_snapshot_reads_as_the_whole_registry(lake):
    first = day(DAYS)
    assert known(lake, first, snapshot=True) == known(lake, first, snapshot=False)  # writes the snapshot
    assert open_lake(lake).exists(SNAPSHOT_KEY)
    for later in (day(DAYS + 1), day(DAYS + 20), day(DAYS - 5)):  # the snapshot serves each
        assert known(lake, later, snapshot=True) == known(lake, later, snapshot=False)


def test_a_publish_reads_only_the_days_after_the_horizon(lake, monkeypatch):
    known(lake, day(DAYS), snapshot=True)
    horizon = recent_since(day(DAYS))
    folded = []
    fold = registry._fold
    monkeypatch.setattr(registry, "_fold", lambda entries, row, window: (folded.append(row["dt"]), fold(entries, row, window)))
    known(lake, day(DAYS + 1), snapshot=True)
    assert folded and min(folded) >= horizon
    assert len(folded) == sum(len(rows_of(n)) for n in range(DAYS) if day(n) >= horizon)


def test_a_day_rewritten_before_the_horizon_makes_the_snapshot_stale(lake):
    known(lake, day(DAYS), snapshot=True)
    from deltalake import write_deltalake

    old = [dict(r, name=f"{r['name']} renamed", kb_id="Q-new") for r in rows_of(3)]
    write_deltalake(DeltaLake.open(lake).uri(layout.REGISTRY), pa.Table.from_pylist(old, schema=REGISTRY_SCHEMA),
                    mode="overwrite", partition_by=["dt"], predicate=f"dt = '{day(3)}'")
    assert known(lake, day(DAYS + 1), snapshot=True) == known(lake, day(DAYS + 1), snapshot=False)


def test_a_backfill_older_than_the_horizon_reads_the_registry_whole(lake):
    known(lake, day(DAYS), snapshot=True)
    written = open_lake(lake).get_bytes(SNAPSHOT_KEY)
    assert known(lake, day(10), snapshot=True) == known(lake, day(10), snapshot=False)
    assert open_lake(lake).get_bytes(SNAPSHOT_KEY) == written  # an old day does not move the horizon back


def test_an_unreadable_snapshot_is_read_around(lake, caplog):
    open_lake(lake).put_bytes(SNAPSHOT_KEY, b"not parquet")
    assert known(lake, day(DAYS), snapshot=True) == known(lake, day(DAYS), snapshot=False)
    assert "unreadable" in caplog.text
    assert known(lake, day(DAYS + 1), snapshot=True) == known(lake, day(DAYS + 1), snapshot=False)


def test_a_snapshot_of_another_shape_is_read_around(lake, caplog):
    import pyarrow.parquet as pq

    path = lake.lake + "/" + SNAPSHOT_KEY
    known(lake, day(DAYS), snapshot=True)
    stored = pq.read_table(path)
    pq.write_table(stored.drop_columns(["articles"]), path)
    assert known(lake, day(DAYS + 1), snapshot=True) == known(lake, day(DAYS + 1), snapshot=False)
    assert "unreadable" in caplog.text


def test_a_snapshot_that_cannot_be_written_never_fails_the_read(lake, monkeypatch, caplog):
    from claimflow.exceptions import StorageError

    def refuse(*_args, **_kwargs):
        raise StorageError(f"upload {SNAPSHOT_KEY}: AccessDenied")

    monkeypatch.setattr(registry, "put_table_parquet", refuse)
    assert known(lake, day(DAYS), snapshot=True) == known(lake, day(DAYS), snapshot=False)
    assert "not written" in caplog.text and not open_lake(lake).exists(SNAPSHOT_KEY)
