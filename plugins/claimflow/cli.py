"""The ``claimflow`` command: the core without a scheduler.

``claimflow extract`` runs the NLP over files and prints one JSON line per article;
``claimflow run`` runs a day's ingest → extract → validate → publish in this process (the same
stage functions the DAG's tasks call); ``claimflow summary`` prints what a day's run published;
``claimflow evaluate`` scores the claim extractor on PolNeAR-format data.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import datetime as dt
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from claimflow import layout
from claimflow.config import Settings

if TYPE_CHECKING:
    from claimflow.manifest import Manifest
    from claimflow.storage import ObjectStore

log = logging.getLogger("claimflow")


def _extract(args: argparse.Namespace) -> int:
    from claimflow.ingest.articles import build_articles
    from claimflow.ingest.records import InputLimits, RejectedRecord
    from claimflow.ingest.sources import read_inputs
    from claimflow.nlp.pipeline import extract, load_nlp
    from claimflow.tables import extraction_record

    settings = Settings.from_env()
    limits = InputLimits.from_settings(settings)
    records = (r for path in args.paths for r in read_inputs(path, limits=limits))
    counts = {"articles": 0, "skipped": 0}

    def articles():  # streamed, so memory does not grow with the input
        for item in build_articles(records, normalize=False):
            if isinstance(item, RejectedRecord):
                counts["skipped"] += 1
                log.warning("skipped input path=%s reason=%s detail=%s", item.name, item.reason, item.detail)
            else:
                counts["articles"] += 1
                yield item

    nlp = load_nlp(args.model or settings.spacy_model)
    out_cm = open(args.out, "w", encoding="utf-8") if args.out else nullcontext(sys.stdout)
    with out_cm as out:
        for extraction in extract(nlp, articles(), batch_size=settings.batch_size, n_process=settings.n_process,
                                  progress_every=args.progress_every):
            out.write(json.dumps(extraction_record(extraction), ensure_ascii=False) + "\n")
    log.info("extracted articles=%d skipped=%d", counts["articles"], counts["skipped"])
    return 0 if counts["articles"] or not counts["skipped"] else 2


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    return replace(settings, lake=args.lake.rstrip("/")) if args.lake else settings


def _summary(args: argparse.Namespace) -> int:
    from claimflow import stages
    from claimflow.exceptions import ManifestError
    from claimflow.manifest import read_manifest

    settings = _settings(args)
    store = stages.lake(settings)
    try:
        manifest = read_manifest(store, args.day)
    except ManifestError as error:
        print(f"the manifest of {args.day} in {store.root} is unreadable: {error.reason}")
        return 1
    if manifest is None:
        reports = sorted(info.key for info in store.list(layout.quality_prefix(args.day)) if info.key.endswith(".html"))
        print(f"no manifest for {args.day} in {store.root}: the day is not published")
        for report in reports:
            print(f"  quality report: {store.uri(report)}")
        return 1
    _print_summary(settings, store, manifest)
    return 0


def _print_summary(settings: Settings, store: ObjectStore, manifest: Manifest) -> None:
    from claimflow.storage.delta import table_uri

    acc, rows = manifest.accounting, {table: tv.rows for table, tv in manifest.tables.items()}
    print(f"claimflow {manifest.day}  run {manifest.run_id}")
    print(f"  articles ingested {acc.ingested}  published {acc.published}  quarantined {acc.quarantined}")
    print(f"  entities {rows['entities']} (mentions {rows['mentions']})  claims {rows['claims']}")
    print(f"  data quality: {'passed' if manifest.quality.passed else 'FAILED'}  report {store.uri(manifest.quality.report)}")
    print(f"  manifest {store.uri(layout.manifest(manifest.day))}")
    print(f"  raw archive {store.uri(manifest.raw_archive)}")
    for table, version in manifest.versions().items():
        tv = manifest.tables.get(table) or manifest.quarantine[table.removeprefix("quarantine/")]
        print(f"  {table:<20} {tv.rows:>6} rows  version {version:>4}  {table_uri(settings, table)}")


def _run(args: argparse.Namespace) -> int:
    from claimflow import staging, stages
    from claimflow.exceptions import BatchFailed, PublishConflict

    settings = _settings(args)
    run_id = args.run_id or f"cli__{dt.datetime.now(dt.timezone.utc).isoformat(timespec='seconds')}"
    store = stages.lake(settings)
    try:
        ingested = stages.ingest(settings, args.day, run_id)
        extracted = [stages.extract(settings, uri) for uri in ingested.shard_uris]
        manifest = stages.publish(settings, args.day, run_id, stages.validate(settings, args.day, run_id, extracted))
    except BatchFailed as error:
        print(f"{args.day} not published: {error}")
        return 1
    except PublishConflict as error:
        print(f"{args.day} not published: {error}")
        return 3
    finally:  # published or failed, the run's staging goes
        staging.remove_run(store, args.day, run_id)
    _print_summary(settings, store, manifest)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimflow", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    commands = parser.add_subparsers(dest="command", required=True)

    extract = commands.add_parser("extract", help="entities and claims of articles, as JSON lines")
    extract.add_argument("paths", nargs="+", help=".txt, .html, .json or .jsonl files (or folders of them)")
    extract.add_argument("--out", type=Path, help="write the JSON lines here instead of stdout")
    extract.add_argument("--model", help="spaCy model (default: CLAIMFLOW_SPACY_MODEL or the small English model)")
    extract.add_argument("--progress-every", type=int, default=200, help="log progress every N articles")
    extract.set_defaults(func=_extract)

    summary = commands.add_parser("summary", help="what a day's run published, from its manifest")
    summary.add_argument("--day", required=True, type=layout.check_day, help="the day, e.g. 2026-11-26")
    summary.add_argument("--lake", help="lake URI (default: CLAIMFLOW_LAKE or ./lake)")
    summary.set_defaults(func=_summary)

    run = commands.add_parser("run", help="ingest, extract, validate and publish a day in this process")
    run.add_argument("--day", required=True, type=layout.check_day, help="the day, e.g. 2026-11-26")
    run.add_argument("--run-id", help="the run's id (default: cli__<now>); a day's rerun under one id replaces it")
    run.add_argument("--lake", help="lake URI (default: CLAIMFLOW_LAKE or ./lake)")
    run.set_defaults(func=_run)

    from claimflow.evaluation.cli import add_parsers

    add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
