"""What one long article costs ``claimflow extract``, per character, from 20,000 characters to the limit.

Each article is the PolNeAR train texts (``--corpus``; the seeds when ../shared lacks them) joined
with blank lines until it reaches its size, so it holds as many speakers, names and quotations per
character as news does. Each size runs in a fresh process (its peak RSS is its own) through
``nlp.pipeline.extract`` with the default batch size; the time is CPU time, so that a busy
machine slows every size alike. The ratio is each size's CPU seconds per character over the
20,000-character article's (the goal: at most 2 at the limit).

``--shard`` measures the extract task itself instead: ingest a day of the seeds plus one article at
the limit into a temporary lake, then run ``stages.extract`` on its shard in a fresh process with
the default settings (``CLAIMFLOW_BATCH_SIZE`` 64) and print its peak RSS (the goal: under 2 GB).

    python bench/bench_long.py [--sizes 20000 50000 100000 200000 990000] [--shard]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from claimflow.models import MAX_ARTICLE_CHARS  # noqa: E402

POLNEAR_TRAIN = ROOT.parent / "shared" / "data" / "polnear" / "train" / "text"
SIZES = (20_000, 50_000, 100_000, 200_000, MAX_ARTICLE_CHARS - 10_000)
DAY = "2026-12-01"


def long_text(size: int, folder: Path) -> str:
    """The texts of ``folder`` joined by blank lines (over again if need be), cut at the last
    paragraph break before ``size``."""
    texts = [path.read_text(encoding="utf-8").strip() for path in sorted(folder.glob("*.txt"))]
    parts: list[str] = []
    total = 0
    while total < size:
        for text in texts:
            parts.append(text)
            total += len(text) + 2
            if total >= size:
                break
    joined = "\n\n".join(parts)
    cut = joined.rfind("\n\n", 0, size)
    return joined[: cut if cut > 0 else size]


def one(size: int, folder: Path) -> dict:
    """Extract one article of ``size`` characters; CPU and wall seconds, claims, peak RSS."""
    from claimflow.config import Settings
    from claimflow.models import Article
    from claimflow.nlp.pipeline import extract, load_nlp

    settings = Settings.from_env()
    nlp = load_nlp(settings.spacy_model, settings.include_dir)
    list(extract(nlp, [Article("warm-up", "Officials said the talks would resume.", "warm-up")]))
    text = long_text(size, folder)
    cpu, wall = time.process_time(), time.perf_counter()
    (result,) = extract(nlp, [Article("long", text, "long")], batch_size=settings.batch_size)
    return {
        "chars": len(text),
        "cpu": time.process_time() - cpu,
        "wall": time.perf_counter() - wall,
        "claims": len(result.claims),
        "entities": len(result.entities),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True, env=env)
    return done.stdout.splitlines()[-1]


def sizes(chosen: list[int], folder: Path) -> None:
    print(f"articles made of {folder}")
    rows = [json.loads(child("--one", str(size), "--corpus", str(folder))) for size in chosen]
    base = rows[0]["cpu"] / rows[0]["chars"]
    print(f"{'chars':>9}{'CPU s':>8}{'wall s':>8}{'us/char':>9}{'ratio':>7}{'claims':>8}{'peak MB':>9}")
    for row in rows:
        per_char = row["cpu"] / row["chars"]
        print(f"{row['chars']:>9,}{row['cpu']:>8.1f}{row['wall']:>8.1f}{per_char * 1e6:>9.1f}"
              f"{per_char / base:>7.2f}{row['claims']:>8}{row['peak_mb']:>9.0f}")
    print(f"per-character cost at {rows[-1]['chars']:,} over {rows[0]['chars']:,}: {rows[-1]['cpu'] / rows[-1]['chars'] / base:.2f} (goal <= 2)")


def shard(folder: Path) -> None:
    """Ingest the seeds and one article at the limit, then time ``stages.extract`` on the shard."""
    folder = Path(tempfile.mkdtemp(prefix="claimflow-long-"))
    try:
        sources = folder / "sources"
        shutil.copytree(ROOT / "seeds", sources)
        (sources / "at-the-limit.txt").write_text(long_text(MAX_ARTICLE_CHARS - 10_000, folder), encoding="utf-8")
        env = {**os.environ, "CLAIMFLOW_LAKE": str(folder / "lake"), "CLAIMFLOW_SOURCES": str(sources)}
        uris = json.loads(child("--ingest", env=env))
        started = time.perf_counter()
        uri = child("--extract", uris[0], env=env)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"extract of {uris[0].rsplit('/', 1)[-1]} ({len(os.listdir(sources))} articles, one of "
              f"{MAX_ARTICLE_CHARS - 10_000:,} characters): {time.perf_counter() - started:.0f} s, peak RSS {peak:.0f} MB -> {uri}")
    finally:
        shutil.rmtree(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="article sizes in characters")
    parser.add_argument("--shard", action="store_true", help="measure the extract task's peak RSS at the limit")
    parser.add_argument("--corpus", type=Path, default=POLNEAR_TRAIN if POLNEAR_TRAIN.is_dir() else ROOT / "seeds",
                        help="folder of .txt files the articles are made of (default: PolNeAR train, else the seeds)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--ingest", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--extract", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.corpus)))
    elif args.ingest or args.extract:
        from claimflow import stages
        from claimflow.config import Settings

        settings = Settings.from_env()
        if args.ingest:
            print(json.dumps(stages.ingest(settings, DAY, "bench-long").shard_uris))
        else:
            print(stages.extract(settings, args.extract))
    elif args.shard:
        shard(args.corpus)
    else:
        sizes(args.sizes, args.corpus)


if __name__ == "__main__":
    main()
