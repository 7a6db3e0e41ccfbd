"""The ``claimflow`` command line: the core without a scheduler.

Each command is a handler taking the parsed arguments and returning an exit code; ``main``
turns the mistakes a user can fix (a bad argument or setting, a missing source, a lake that
cannot be reached) into one line on stderr and exit code 2, so a traceback means a bug.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import secrets
import sys
import traceback
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from claimflow import layout
from claimflow.config import Settings
from claimflow.exceptions import ModelNotInstalled, StorageError
from claimflow.redact import redact_url

if TYPE_CHECKING:
    from claimflow.manifest import Manifest
    from claimflow.storage import ObjectStore

log = logging.getLogger("claimflow")

# Exit codes, shown in ``claimflow --help``.
PUBLISHED = 0
NOT_PUBLISHED = 1
USAGE = 2
CONFLICT = 3
CRASHED = 4
BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a writer whose reader went away

DESCRIPTION = """\
claimflow turns news articles into published tables of entities and attributed claims.
These commands run its core in this process, without Airflow: the same stage functions the
DAG's tasks call, configured by the same CLAIMFLOW_* variables."""

EPILOG = f"""\
commands:
  claimflow extract FILE...                  claims of local files, as JSON lines
  claimflow run --day 2026-11-26             ingest, extract, validate and publish a day
  claimflow summary --day 2026-11-26         what a day's run published
  claimflow report --day 2026-11-26          who said what on a day, as one HTML file
  claimflow evaluate --polnear DIR           score the claim extractor
  claimflow train --polnear DIR              refit its cue lexicon and scorer
  claimflow COMMAND --help                   a command's options

exit codes:
  {PUBLISHED}    done (for run, summary and report: the day is published)
  {NOT_PUBLISHED}    the day is not published: it failed data quality, or has no manifest
  {USAGE}    a mistake to fix: a bad argument or CLAIMFLOW_* setting, a missing source or
       model, a lake that cannot be reached or refuses access (one line on stderr says which)
  {CONFLICT}    another run is publishing the day; run again once it is done
  {CRASHED}    an unexpected error (a bug): its traceback is on stderr
  {BROKEN_PIPE}  the reader of stdout went away (e.g. claimflow summary ... | head)"""

# What a storage error's line adds: the settings that decide where and as whom the store is reached.
STORAGE_HINT = (
    "check the address (--lake or CLAIMFLOW_LAKE, the sources) and, for s3://, the credentials "
    "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE) and, off AWS, the endpoint (AWS_ENDPOINT_URL)"
)


class UsageError(Exception):
    """A mistake in the command line or the environment that the user fixes; exits 2 with the message."""


class OneLineParser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line that names the help to read, not the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def day_argument(value: str) -> str:
    """``--day``'s type: a real ISO date, or an argparse error that shows the expected form."""
    try:
        return layout.check_day(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _settings(args: argparse.Namespace) -> Settings:
    """The environment's settings with the command line's ``--lake`` and ``--sources`` over them."""
    try:
        settings = Settings.from_env()
    except ValueError as error:
        raise UsageError(str(error)) from None
    if getattr(args, "lake", None):
        settings = replace(settings, lake=args.lake.rstrip("/"))
    if getattr(args, "sources", None):
        settings = replace(settings, sources=tuple(s.strip() for arg in args.sources for s in arg.split(",") if s.strip()))
    return settings


def _check_local_sources(sources: list[str] | tuple[str, ...], option: str, day: str | None = None) -> None:
    """Refuse a local source that does not exist before anything slow (the model, the lake)
    starts; of one with date placeholders, the folder every day shares (``archive/`` of
    ``archive/{ds}/``): its day's folder may come late, which ingest records as that source's
    ``missing_source``. Remote ones (``s3://``, ``https://``) are checked where they are read."""
    from claimflow.ingest.windows import expand

    for source in sources:
        try:
            address = expand(source, day) if day else source
        except (KeyError, IndexError, ValueError):
            raise UsageError(  # a web source's secrets stay out of the message
                f"source {redact_url(source)!r} has a placeholder other than {{ds}}, {{yyyy}}, {{mm}} and {{dd}} ({option})"
            ) from None
        if "://" in address and not address.startswith("file://"):
            continue
        if address != source:  # dated: the part before the first placeholder, up to its last '/'
            head = source.removeprefix("file://").split("{", 1)[0]
            shared = head.rsplit("/", 1)[0] + "/" if "/" in head else "."
            if not Path(shared).is_dir():
                raise UsageError(f"source {source!r}: folder {shared!r} does not exist: give an existing folder ({option})")
        elif not Path(address.removeprefix("file://")).exists():
            raise UsageError(f"source {source!r} does not exist: give an existing file or folder ({option})")


def _lake(settings: Settings) -> ObjectStore:
    """The lake's store; a lake URI or S3 setting it refuses is a usage error."""
    from claimflow.storage import open_lake

    try:
        return open_lake(settings)
    except ValueError as error:
        raise UsageError(f"lake {settings.lake!r}: {error}") from None


def _extract(args: argparse.Namespace) -> int:
    from claimflow.ingest.articles import build_articles
    from claimflow.ingest.records import InputLimits, RejectedRecord
    from claimflow.ingest.sources import read_inputs
    from claimflow.nlp.pipeline import extract, load_nlp
    from claimflow.tables import extraction_record

    settings = args.settings
    _check_local_sources(args.paths, "the paths to extract")
    limits = InputLimits.from_settings(settings)
    records = (r for path in args.paths for r in read_inputs(path, limits=limits, s3=settings.s3))
    counts = {"articles": 0, "skipped": 0}

    def articles():  # streamed, so memory does not grow with the input
        for item in build_articles(records, normalize=False):
            if isinstance(item, RejectedRecord):
                counts["skipped"] += 1
                log.warning("skipped input path=%s reason=%s detail=%s", item.name, item.reason, item.detail)
            else:
                counts["articles"] += 1
                yield item

    nlp = load_nlp(args.model or settings.spacy_model, settings.include_dir)
    out_cm = open(args.out, "w", encoding="utf-8") if args.out else nullcontext(sys.stdout)
    with out_cm as out:
        for extraction in extract(nlp, articles(), batch_size=settings.batch_size, n_process=settings.n_process,
                                  progress_every=args.progress_every):
            out.write(json.dumps(extraction_record(extraction), ensure_ascii=False) + "\n")
    log.info("extracted articles=%d skipped=%d", counts["articles"], counts["skipped"])
    return 0 if counts["articles"] or not counts["skipped"] else USAGE


def _summary(args: argparse.Namespace) -> int:
    from claimflow.exceptions import ManifestError
    from claimflow.manifest import read_manifest
    settings = args.settings
    store = _lake(settings)
    try:
        manifest = read_manifest(store, args.day)
    except ManifestError as error:
        print(f"the manifest of {args.day} in {store.root} is unreadable: {error.reason}")
        return NOT_PUBLISHED
    if manifest is None:
        reports = sorted(info.key for info in store.list(layout.quality_prefix(args.day))
                         if (found := layout.parse_quality_file(info.key)) and found.name == layout.REPORT)
        print(f"no manifest for {args.day} in {store.root}: the day is not published")
        for report in reports:
            print(f"  quality report: {store.uri(report)}")
        return NOT_PUBLISHED
    _print_summary(settings, store, manifest)
    return PUBLISHED


def _report(args: argparse.Namespace) -> int:
    from claimflow.exceptions import ManifestError
    from claimflow.explore.report import render_day_report
    from claimflow.manifest import read_manifest
    store = _lake(args.settings)
    try:
        manifest = read_manifest(store, args.day)
    except ManifestError as error:
        print(f"the manifest of {args.day} in {store.root} is unreadable: {error.reason}", file=sys.stderr)
        return NOT_PUBLISHED
    if manifest is None:
        print(f"no manifest for {args.day} in {store.root}: the day is not published", file=sys.stderr)
        return NOT_PUBLISHED
    html = render_day_report(args.settings, manifest)
    if args.out:
        args.out.write_text(html, encoding="utf-8")
        log.info("day report of %s written to %s", args.day, args.out)
    else:
        sys.stdout.write(html)
    return PUBLISHED


def _print_summary(settings: Settings, store: ObjectStore, manifest: Manifest) -> None:
    from claimflow.storage.delta import table_uri

    acc, rows = manifest.accounting, {table: tv.rows for table, tv in manifest.tables.items()}
    print(f"claimflow {manifest.day}  run {manifest.run_id}")
    print(f"  articles ingested {acc.ingested}  published {acc.published}  quarantined {acc.quarantined}")
    print(f"  entities {rows['entities']} (mentions {rows['mentions']})  claims {rows['claims']}")
    print(f"  data quality: {'passed' if manifest.quality.passed else 'FAILED'}  report {store.uri(manifest.quality.report)}")
    print(f"  manifest {store.uri(layout.manifest(manifest.day))}")
    print(f"  raw archive {store.uri(manifest.raw_archive)}")
    for table, tv in manifest.entries().items():
        print(f"  {table:<20} {tv.rows:>6} rows  version {tv.version:>4}  {table_uri(settings, table)}")


def _run(args: argparse.Namespace) -> int:
    from claimflow import stages, staging
    from claimflow.exceptions import BatchFailed, PublishConflict
    settings = args.settings
    _check_local_sources(settings.sources, "--sources or CLAIMFLOW_SOURCES", args.day)
    run_id = args.run_id or default_run_id()
    store = _lake(settings)
    try:
        ingested = stages.ingest(settings, args.day, run_id)
        extracted = [stages.extract(settings, uri) for uri in ingested.shard_uris]
        manifest = stages.publish(settings, args.day, run_id, stages.validate(settings, args.day, run_id, extracted))
    except BatchFailed as error:
        print(f"{args.day} not published: {error}")
        return NOT_PUBLISHED
    except PublishConflict as error:
        print(f"{args.day} not published: {error}")
        return CONFLICT
    finally:  # published or failed, the run's staging goes
        staging.remove_run(store, args.day, run_id)
    _print_summary(settings, store, manifest)
    return PUBLISHED


def default_run_id() -> str:
    """A run id no other run gets, readable and already key-safe: the start time to the
    microsecond and a random suffix (``cli__20261207T181609.123456Z_3f9a1c2e``), so two runs
    started at once never share staging or the publish lease."""
    started = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"cli__{started}_{secrets.token_hex(4)}"


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="claimflow", description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    day_help = "the day, e.g. 2026-11-26"
    lake_help = "lake URI, a folder or s3://bucket/prefix (default: CLAIMFLOW_LAKE or ./lake)"

    extract = commands.add_parser("extract", help="entities and claims of articles, as JSON lines")
    extract.add_argument("paths", nargs="+", help=".txt, .html, .json or .jsonl files (or folders of them)")
    extract.add_argument("--out", type=Path, help="write the JSON lines here instead of stdout")
    extract.add_argument("--model", help="spaCy model (default: CLAIMFLOW_SPACY_MODEL or the small English model)")
    extract.add_argument("--progress-every", type=int, default=200, help="log progress every N articles")
    extract.set_defaults(func=_extract)

    summary = commands.add_parser("summary", help="what a day's run published, from its manifest")
    summary.add_argument("--day", required=True, type=day_argument, help=day_help)
    summary.add_argument("--lake", help=lake_help)
    summary.set_defaults(func=_summary)

    report = commands.add_parser("report", help="who said what on a published day, as one self-contained HTML file")
    report.add_argument("--day", required=True, type=day_argument, help=day_help)
    report.add_argument("--out", type=Path, help="write the HTML here instead of stdout")
    report.add_argument("--lake", help=lake_help)
    report.set_defaults(func=_report)

    run = commands.add_parser("run", help="ingest, extract, validate and publish a day in this process")
    run.add_argument("--day", required=True, type=day_argument, help=day_help)
    run.add_argument("--run-id", help="the run's id (default: cli__<now>_<random>, unique); a day's rerun under one id replaces it")
    run.add_argument("--lake", help=lake_help)
    run.add_argument(
        "--sources",
        action="append",
        metavar="SOURCE[,SOURCE...]",
        help="a folder, file, s3:// prefix or feed URL to read; repeat it or give a comma list "
        "(default: CLAIMFLOW_SOURCES or ./seeds)",
    )
    run.set_defaults(func=_run)

    from claimflow.evaluation.cli import add_parsers

    add_parsers(commands)
    return parser



def _refuse(command: str, message: str) -> int:
    print(f"claimflow {command}: {message}", file=sys.stderr)
    return USAGE


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code listed in ``claimflow --help``."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit:  # --help, or a usage error already printed
        return int(exit.code or 0)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stderr)
    # claimflow's progress lines, not the libraries' (boto's endpoint, Airflow's config) unless asked
    logging.getLogger().setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    log.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    try:
        args.settings = _settings(args)  # read once; every command's CLAIMFLOW_* mistakes are usage errors
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:  # Python's advice: point stdout at devnull so the exit's flush is quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE
    except (UsageError, ModelNotInstalled) as error:
        return _refuse(args.command, str(error))
    except StorageError as error:
        return _refuse(args.command, f"{error}; {STORAGE_HINT}")
    except Exception:  # noqa: BLE001 - the last resort: any other error is a bug, shown with its traceback
        traceback.print_exc()
        print(f"claimflow {args.command}: unexpected error (a bug, please report it with the traceback above)",
              file=sys.stderr)
        return CRASHED


if __name__ == "__main__":
    sys.exit(main())
