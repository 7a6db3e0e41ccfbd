"""Throughput of ``claimflow extract`` against raw spaCy ``nlp.pipe``, in one run.

Same model, same texts, same batch size and process count for both; the two are timed in
alternation, ``--repeat`` times each, and the best time of each is compared, so a noisy
neighbour hurts both alike. Texts: the PolNeAR dev split when ../shared has it, else the seeds.

The corpus is read ``--copies`` times over and sent in batches of 16: 84 texts once, in batches
of 64, gave one process 64 texts and the other 20, and each run paid for starting its worker
processes, so the ratio swung from 0.84 to 1.02 between runs of the same code.

    python bench/bench_extract.py [--processes 2] [--repeat 3] [--batch-size 16] [--copies 3]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from claimflow.config import Settings  # noqa: E402
from claimflow.ingest.articles import build_articles  # noqa: E402
from claimflow.ingest.records import RejectedRecord  # noqa: E402
from claimflow.ingest.sources import read_inputs  # noqa: E402
from claimflow.nlp.pipeline import extract, load_nlp  # noqa: E402
from claimflow.tables import extraction_record  # noqa: E402

POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev" / "text"


def corpus() -> tuple[str, list]:
    folder = POLNEAR_DEV if POLNEAR_DEV.is_dir() else ROOT / "seeds"
    records = read_inputs(str(folder))
    articles = [a for a in build_articles(records, normalize=False) if not isinstance(a, RejectedRecord)]
    return str(folder), articles


def run_raw(nlp, texts: list[str], batch_size: int, processes: int) -> float:
    started = time.perf_counter()
    for _doc in nlp.pipe(texts, batch_size=batch_size, n_process=processes):
        pass
    return time.perf_counter() - started


def run_claimflow(nlp, articles: list, batch_size: int, processes: int) -> float:
    """What ``claimflow extract`` does after reading its files: NLP, claims, JSON lines out."""
    out = io.StringIO()
    started = time.perf_counter()
    for extraction in extract(nlp, articles, batch_size=batch_size, n_process=processes, progress_every=10**9):
        out.write(json.dumps(extraction_record(extraction), ensure_ascii=False) + "\n")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="nlp.pipe processes (default: all cores)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16, help="texts per nlp.pipe batch (default: 16)")
    parser.add_argument("--copies", type=int, default=3, help="times the corpus is read over (default: 3)")
    args = parser.parse_args()

    import spacy

    settings = Settings.from_env()
    model = settings.spacy_model
    folder, articles = corpus()
    articles = articles * args.copies
    texts = [a.text for a in articles]
    words = sum(len(t.split()) for t in texts)
    raw_nlp = spacy.load(model)
    claimflow_nlp = load_nlp(model, settings.include_dir)
    raw_times, cf_times = [], []
    for _ in range(args.repeat):
        raw_times.append(run_raw(raw_nlp, texts, args.batch_size, args.processes))
        cf_times.append(run_claimflow(claimflow_nlp, articles, args.batch_size, args.processes))
    raw, cf = min(raw_times), min(cf_times)
    print(f"corpus: {folder}  articles={len(texts)}  words={words}  model={model}  processes={args.processes}")
    print(f"{'':<18}{'seconds':>9}{'articles/s':>12}{'words/s':>10}")
    for name, seconds in (("raw nlp.pipe", raw), ("claimflow extract", cf)):
        print(f"{name:<18}{seconds:>9.2f}{len(texts) / seconds:>12.1f}{words / seconds:>10.0f}")
    print(f"throughput ratio claimflow/raw: {raw / cf:.3f} (goal >= 0.9)")


if __name__ == "__main__":
    main()
