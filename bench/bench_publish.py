"""Validate and publish a synthetic day to a local SeaweedFS: throughput and peak memory.

Stages a day of N synthetic articles (about 3 KB of text, 5 claims and 20 mentions each) as
ingest and extract would, then runs ``stages.validate`` and ``stages.publish`` each in a fresh
process, so every peak RSS is that step's own. Sizes 1,000 and 10,000 run in the same
invocation against the same server.

    python bench/bench_publish.py [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
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


def synthetic(i: int) -> tuple[dict, dict]:
    """One article and its extraction record, with exact offsets."""
    from claimflow.ingest.articles import article_id

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
    aid = article_id(text)
    article = {"article_id": aid, "text": text, "path": f"synthetic/{i}.txt", "title": None, "url": None,
               "published": DAY, "language": "en", "meta": {}}
    entities = [{"name": n, "label": lab, "mentions": ms} for (n, lab), ms in mentions.items()]
    return article, {"path": article["path"], "article_id": aid, "title": None, "text": text,
                     "entities": entities, "claims": claims}


def stage(settings, n: int, run_id: str) -> list[str]:
    """Write what ingest and extract would have written for a day of ``n`` articles."""
    from claimflow import layout, stages
    from claimflow.storage.records import put_json, put_jsonl_gz

    store = stages.lake(settings)
    pairs = [synthetic(i) for i in range(n)]
    shards = stages._shards(pairs, settings)
    uris = []
    for index, shard in enumerate(shards):
        put_jsonl_gz(store, layout.staged_shard(DAY, run_id, "articles", index), (a for a, _ in shard))
        key = layout.staged_shard(DAY, run_id, "extracted", index)
        put_jsonl_gz(store, key, (r for _, r in shard))
        uris.append(store.uri(key))
    put_jsonl_gz(store, layout.staging(DAY, run_id) + "rejected.jsonl.gz", [])
    put_json(store, layout.staging(DAY, run_id) + "ingest.json", {"records": n, "articles": n, "rejected": 0})
    return uris


def step(name: str, run_id: str, arg: str) -> None:
    """Run one step in this fresh process (spawned by a small parent, since Linux carries the
    peak RSS over exec) and print its time and memory as JSON."""
    from claimflow import stages
    from claimflow.config import Settings

    settings = Settings.from_env()
    stages.lake(settings).list("_manifests/")  # the S3 client set up before measuring
    base_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    info: dict = {}
    if name == "stage":
        result = json.dumps(stage(settings, int(arg), run_id))
    elif name == "validate":
        result = stages.validate(settings, DAY, run_id, json.loads(arg))
    else:
        manifest = stages.publish(settings, DAY, run_id, arg)
        files = [f for part in ("tables", "quarantine") for t in manifest[part].values() for f in t["files"]]
        result, info = "", {"files": len(files), "bytes": sum(f["bytes"] for f in files)}
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "base_mb": base_mb, "peak_mb": peak_mb, "result": result, **info}))


def in_child(env: dict[str, str], *args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--step", *args], env=env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--step", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step(*args.step)
        return

    from seaweed import SeaweedFS

    print("peak MB = the step's peak resident memory; +MB = its growth over the process after imports")
    print("  size  stage s  validate s  peak MB   +MB | publish s  files/s   MB/s  peak MB   +MB")
    with SeaweedFS() as weed:
        for n in args.sizes:
            env = {**os.environ, **weed.env(), "CLAIMFLOW_LAKE": f"s3://{weed.bucket}/bench-{n}",
                   "CLAIMFLOW_S3_ADDRESSING_STYLE": "path"}
            run_id = f"bench__{n}"
            staged = in_child(env, "stage", run_id, str(n))
            val = in_child(env, "validate", run_id, staged["result"])
            pub = in_child(env, "publish", run_id, val["result"])
            mb = pub["bytes"] / 1e6
            print(f"{n:>6} {staged['seconds']:>8.1f} {val['seconds']:>11.1f} {val['peak_mb']:>8.0f} {val['peak_mb'] - val['base_mb']:>5.0f} | "
                  f"{pub['seconds']:>9.2f} {pub['files'] / pub['seconds']:>8.1f} {mb / pub['seconds']:>6.1f} "
                  f"{pub['peak_mb']:>8.0f} {pub['peak_mb'] - pub['base_mb']:>5.0f}   ({mb:.1f} MB, {pub['files']} files)")


if __name__ == "__main__":
    main()
