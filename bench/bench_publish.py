"""Run a synthetic day through every step against a local SeaweedFS: time and peak memory.

Writes N synthetic articles (about 2.4 KB of text, 5 claims and 10 mentions each) as .txt
files, then runs each step in a fresh process, so that every peak RSS is that step's own:
``stages.ingest``; extract-validate once per shard (``stages.stage_extractions``: the NLP is
left out, its output is generated with exact offsets, so the tables, the suites and the
staging are the real ones); the day's ``stages.validate``; ``stages.publish``. Sizes run one
after the other against the same server.

    python bench/bench_publish.py [--sizes 1000 10000 100000] [--sample-shards 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT / "tests")]

DAY = "2026-11-26"
WORDS = (
    "committee met again on Thursday in the old town hall where residents filled public gallery agenda "
    "ran late into evening as members went through reports budget roads schools water harbour police "
    "council election court trial witness contract union strike talks minister ministry hospital "
    "doctors nurses patients farmers prices market trade border officials spokesman statement"
).split()
PEOPLE = ["Maria Lopez", "John Okafor", "Ian Kelly", "Aiko Tanaka", "Lena Fischer"]
PLACES = ["Cairo", "Lagos", "Lima", "Oslo", "Hanoi"]


def synthetic(i: int) -> tuple[str, dict]:
    """Article ``i``'s text and the extraction record the NLP would give it, with exact offsets."""
    rng = random.Random(i)
    text, claims, mentions = "", [], {}
    for k in range(5):
        person, place = PEOPLE[(i + k) % 5], PLACES[(i + 2 * k) % 5]
        start = len(text)
        content = f"the plan for {place} will cost {i + k} million dollars"
        filler = " ".join(rng.choice(WORDS) for _ in range(60)).capitalize()
        text += f"{person} said {content}. {filler}. "
        cue = start + len(person) + 1
        claims.append({
            "source": {"start": start, "end": start + len(person), "text": person},
            "cue": {"start": cue, "end": cue + 4, "text": "said"},
            "content": [{"start": cue + 5, "end": cue + 5 + len(content), "text": content}],
            "source_kind": "person", "speaker": person, "quote_type": "indirect", "stance": "neutral",
            "hedges": [], "confidence": 0.9, "sentence": k * 3,
        })
        place_at = cue + 5 + len("the plan for ")
        for name, label, at in ((person, "PERSON", start), (place, "GPE", place_at)):
            mentions.setdefault((name, label), []).append({"start": at, "end": at + len(name), "text": name, "label": label})
    entities = [{"name": n, "label": lab, "mentions": ms} for (n, lab), ms in mentions.items()]
    return text.strip(), {"entities": entities, "claims": claims}


def write_sources(folder: Path, n: int) -> None:
    """One .txt file per article, named by its number (the extract step finds its record by it)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"{i:06d}.txt").write_text(synthetic(i)[0], encoding="utf-8")


def extractions(settings, shard_uri: str):
    """The shard's articles, each with the record the NLP would have made of it."""
    from claimflow.models import Article
    from claimflow.storage import open_lake
    from claimflow.storage.records import read_jsonl_gz

    store = open_lake(settings)
    for row in read_jsonl_gz(store, store.key(shard_uri)):
        article = Article.from_dict(row)
        _, record = synthetic(int(Path(article.path).stem))
        yield article, {"path": article.path, "article_id": article.article_id, "title": article.title,
                        "text": article.text, **record}


def step(name: str, run_id: str, arg: str) -> None:
    """Run one step in this fresh process (spawned by a small parent, since Linux carries the
    peak RSS over exec) and print its time and memory as JSON."""
    from claimflow import layout, stages
    from claimflow.config import Settings
    from claimflow.storage import open_lake

    settings = Settings.from_env()
    open_lake(settings).list("_manifests/")  # the S3 client set up before measuring
    base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    info: dict = {}
    if name == "ingest":
        result = json.dumps(stages.ingest(settings, DAY, run_id).shard_uris)
    elif name == "extract":  # the shards named, one after the other
        result = json.dumps([stages.stage_extractions(settings, uri, extractions(settings, uri)) for uri in json.loads(arg)])
    elif name == "validate":
        result = stages.validate(settings, DAY, run_id, json.loads(arg))
    else:
        from claimflow.storage.delta import DeltaLake

        manifest = stages.publish(settings, DAY, run_id, arg)
        tables = DeltaLake.open(settings)
        files = [uri for name in layout.DELTA_TABLES for uri in tables.table(name).file_uris([("dt", "=", DAY)])]
        result = ""
        info = {"files": len(files), "accounting": vars(manifest.accounting),
                "rows": {t: v.rows for t, v in manifest.tables.items()}}
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "base_mb": base_mb, "peak_mb": peak_mb, "result": result, **info}))


def in_child(env: dict[str, str], *args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--step", *args], env=env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def progress(n: int, name: str, measured: dict) -> dict:
    """``measured``, after a line on stderr: a run cut short by a timeout still shows its steps."""
    print(f"size={n} step={name} seconds={measured['seconds']:.1f} peak_mb={measured['peak_mb']:.0f}",
          file=sys.stderr, flush=True)
    return measured


def run_size(weed, n: int, workdir: Path, sample: int | None) -> dict:
    """Every step of a day of ``n`` articles; per step its time and peak. Each shard is
    extracted in its own process, or only the first ``sample`` shards, the rest in one more."""
    sources = workdir / f"sources-{n}"
    write_sources(sources, n)
    env = {**os.environ, **weed.env(), "CLAIMFLOW_LAKE": f"s3://{weed.bucket}/bench-{n}",
           "CLAIMFLOW_SOURCES": str(sources), "CLAIMFLOW_S3_ADDRESSING_STYLE": "path"}
    run_id = f"bench__{n}"
    ingest = progress(n, "ingest", in_child(env, "ingest", run_id, ""))
    uris = json.loads(ingest["result"])
    alone = uris if sample is None else uris[:sample]
    shards = [progress(n, f"extract {uri.rsplit('/', 1)[1]}", in_child(env, "extract", run_id, json.dumps([uri])))
              for uri in alone]
    rest = uris[len(alone):]
    together = progress(n, f"extract {len(rest)} more shards in one process",
                        in_child(env, "extract", run_id, json.dumps(rest))) if rest else None
    results = [u for s in [*shards, *([together] if together else [])] for u in json.loads(s["result"])]
    validate = progress(n, "validate", in_child(env, "validate", run_id, json.dumps(results)))
    publish = progress(n, "publish", in_child(env, "publish", run_id, validate["result"]))
    return {"ingest": ingest, "shards": shards, "together": together, "validate": validate, "publish": publish,
            "count": len(uris)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--sample-shards", type=int, help="extract only this many shards each in its own "
                        "process and the rest in one more (a 100,000-article day has 64 shards)")
    parser.add_argument("--step", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step(*args.step)
        return

    from seaweed import SeaweedFS

    print("seconds and peak RSS (MB) of each step in its own process; extract-validate: shards, "
          "seconds per shard (mean), peak of the largest shard", flush=True)
    print("   size | ingest s  MB | shards  s/shard  total s  max MB | validate s  MB | publish s  MB  files", flush=True)
    with SeaweedFS() as weed, tempfile.TemporaryDirectory(prefix="claimflow-bench-") as tmp:
        for n in args.sizes:
            r = run_size(weed, n, Path(tmp), args.sample_shards)
            shard_s = [s["seconds"] for s in r["shards"]]
            total = sum(shard_s) + (r["together"]["seconds"] if r["together"] else 0)
            ing, val, pub = r["ingest"], r["validate"], r["publish"]
            print(f"{n:>7} | {ing['seconds']:>8.1f} {ing['peak_mb']:>4.0f}"
                  f" | {r['count']:>6} {sum(shard_s) / len(shard_s):>8.1f} {total:>8.1f}"
                  f" {max(s['peak_mb'] for s in r['shards']):>7.0f}"
                  f" | {val['seconds']:>10.2f} {val['peak_mb']:>3.0f}"
                  f" | {pub['seconds']:>9.1f} {pub['peak_mb']:>3.0f} {pub['files']:>6}"
                  f"   accounting {pub['accounting']} rows {pub['rows']}", flush=True)
            if r["together"]:
                print(f"        ({len(shard_s)} shards alone; {r['count'] - len(shard_s)} more in one process: "
                      f"{r['together']['seconds']:.1f} s, peak {r['together']['peak_mb']:.0f} MB)", flush=True)


if __name__ == "__main__":
    main()
