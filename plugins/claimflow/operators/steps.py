"""claimflow's steps as Airflow operators: ingest, extract (mapped over shards), validate, publish,
remove staging; and :func:`stage_articles` for a task that brings its own articles.

Each operator calls one function of :mod:`claimflow.stages` in ``execute`` and passes only
object-store URIs through XCom, so any worker runs any step. The heavy libraries (spaCy, GX,
pandas, pyarrow, deltalake, boto3) load there, never when a DAG file using these is parsed.

Settings come from the arguments first (``lake``, ``sources``, ``spacy_model``, ``aws_conn_id``,
then ``settings``: any ``CLAIMFLOW_*`` name to its text), then the Airflow Variables
``claimflow_lake``, ``claimflow_sources`` and ``claimflow_spacy_model`` (and the Airflow connection
``aws_conn_id`` names, for S3), then the environment (:func:`claimflow.airflow_glue.task_settings`).
Every argument but ``settings``' keys is templated. The day is ``day`` (templated, e.g.
``"{{ ds }}"``) or, when None, the run's (:func:`claimflow.days.run_day`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import Asset, BaseOperator, get_current_context
from airflow.sdk.exceptions import AirflowFailException

from claimflow.airflow_glue import task_settings
from claimflow.days import run_day
from claimflow.layout import TABLES
from claimflow.operators import lineage

if TYPE_CHECKING:
    from collections.abc import Iterable

    from claimflow.config import Settings
    from claimflow.models import Article

# One asset per published table, named rather than tied to a lake URI (which is configuration);
# each event's extra says where that day's partition is and how many rows it holds.
TABLE_ASSETS = {table: Asset(name=f"claimflow_{table}") for table in TABLES}

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def claimflow_settings(*, lake: str | None = None, sources: str | Sequence[str] | None = None,
                       spacy_model: str | None = None, aws_conn_id: str | None = None,
                       settings: Mapping[str, str] | None = None) -> Settings:
    """The settings of a step: these arguments, then ``settings`` (``CLAIMFLOW_*`` names), then
    Variables and connections, then the environment; an argument rendered empty (a template of
    an unset param) counts as not given. Call it inside a task only."""
    overrides = dict(settings or {})
    if not_text := sorted(f"{name}={value!r}" for name, value in overrides.items() if not isinstance(value, str)):
        raise TypeError(f"expected settings' values as text, as in the environment (e.g. '8'), got {', '.join(not_text)}")
    named = {"CLAIMFLOW_LAKE": lake, "CLAIMFLOW_SPACY_MODEL": spacy_model, "CLAIMFLOW_AWS_CONN_ID": aws_conn_id,
             "CLAIMFLOW_SOURCES": _sources_text(sources)}
    overrides.update({name: value for name, value in named.items() if value})
    return task_settings(overrides)


def _sources_text(sources: str | Sequence[str] | None) -> str | None:
    """``sources`` as CLAIMFLOW_SOURCES' comma-separated text."""
    if sources is None or isinstance(sources, str):
        return sources
    if not all(isinstance(source, str) for source in sources):
        raise TypeError(f"expected sources as a string or a list of strings, got {sources!r}")
    if any("," in source for source in sources):
        raise ValueError(f"expected source addresses without commas (sources are comma-separated), got {list(sources)!r}")
    return ",".join(sources)


def step_day(day: str | None, context: Mapping[str, Any]) -> str:
    """The day a step processes: ``day`` when given (``YYYY-MM-DD``), else the run's."""
    if day is None:
        return run_day(context.get("logical_date"), context.get("data_interval_start"))
    if not isinstance(day, str) or not _DAY.fullmatch(day):
        raise AirflowFailException(f"expected day as YYYY-MM-DD (e.g. '{{{{ ds }}}}' or '2026-11-26'), got {day!r}")
    try:
        dt.date.fromisoformat(day)
    except ValueError as exc:
        raise AirflowFailException(f"expected a calendar day as YYYY-MM-DD, got {day!r}: {exc}") from exc
    return day


class ClaimflowOperator(BaseOperator):
    """A claimflow step: its settings and day from the arguments (see the module docstring)."""

    template_fields: Sequence[str] = ("day", "lake", "sources", "spacy_model", "aws_conn_id", "settings")
    ui_color = "#e8f0fe"
    # what each step shows and does unless the caller says otherwise (a task group's ``partial``
    # of a mapped step passes them explicitly)
    step_defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, *, day: str | None = None, lake: str | None = None, sources: str | Sequence[str] | None = None,
                 spacy_model: str | None = None, aws_conn_id: str | None = None,
                 settings: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(**{**self.step_defaults, **kwargs})
        self.day = day
        self.lake = lake
        self.sources = sources
        self.spacy_model = spacy_model
        self.aws_conn_id = aws_conn_id
        self.settings = dict(settings or {})
        self._lineage: lineage.Seen | None = None

    def claimflow_settings(self) -> Settings:
        """This step's settings (at run time: Variables are read here)."""
        return claimflow_settings(lake=self.lake, sources=self.sources, spacy_model=self.spacy_model,
                                  aws_conn_id=self.aws_conn_id, settings=self.settings)

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """What the step read and wrote, as OpenLineage datasets (the provider calls this when
        it is installed; without it nothing here runs)."""
        return lineage.operator_lineage(self._lineage)


class IngestOperator(ClaimflowOperator):
    """Read, normalize and de-duplicate the day's articles from ``sources``; stage them in
    shards. Returns the shards' URIs (what :class:`ExtractOperator` maps over)."""

    step_defaults: ClassVar[dict[str, Any]] = {
        "task_display_name": "Ingest articles",
        "doc_md": "Read, normalize and de-duplicate the day's articles; archive them raw; stage shards.",
    }

    def execute(self, context: Any) -> list[str]:
        from claimflow import stages

        settings = self.claimflow_settings()
        day = step_day(self.day, context)
        ingested = stages.ingest(settings, day, context["run_id"])
        self._lineage = lineage.Seen(inputs=lineage.source_datasets(settings, day))
        return ingested.shard_uris


class ExtractOperator(ClaimflowOperator):
    """Run spaCy and the claim component over one staged shard; validate and stage its tables.
    Returns the URI of the shard's result (what :class:`ValidateOperator` reads)."""

    template_fields: Sequence[str] = (*ClaimflowOperator.template_fields, "shard_uri")
    step_defaults: ClassVar[dict[str, Any]] = {
        "task_display_name": "Extract entities and claims",
        "doc_md": "Run spaCy and the claim component over one shard of articles; validate the shard's tables "
                  "with the Great Expectations suites and stage them.",
        # "shard 2/4 · articles 2, 6 … 998 (250)" in the grid instead of "2", set by execute()
        "map_index_template": "{{ shard_label | default('') }}",
    }

    def __init__(self, *, shard_uri: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shard_uri = shard_uri

    def execute(self, context: Any) -> str:
        from claimflow import stages

        def name_the_task(label: str) -> None:
            context["shard_label"] = label  # what map_index_template renders once the task ends

        return stages.extract(self.claimflow_settings(), self.shard_uri, on_label=name_the_task)


class ValidateOperator(ClaimflowOperator):
    """Check the day from its shards' results; fail the day (no retry) on a critical problem.
    Returns the URI of the staged file list (what :class:`PublishOperator` commits)."""

    template_fields: Sequence[str] = (*ClaimflowOperator.template_fields, "extracted")
    step_defaults: ClassVar[dict[str, Any]] = {
        "task_display_name": "Validate data quality",
        "doc_md": "Check the day from its shards' results: volume, article ids across shards, accounting; "
                  "write the report; fail the day on any critical problem.",
        "trigger_rule": "none_failed",  # a day of no shards (extract skipped) still gets its verdict
    }

    def __init__(self, *, extracted: Sequence[str] | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.extracted = extracted

    def execute(self, context: Any) -> str:
        from claimflow import stages
        from claimflow.exceptions import BatchFailed

        try:
            return stages.validate(self.claimflow_settings(), step_day(self.day, context), context["run_id"],
                                   list(self.extracted or []))
        except BatchFailed as exc:  # a bad batch stays bad on retry: fail now, visibly
            raise AirflowFailException(str(exc)) from exc


class PublishOperator(ClaimflowOperator):
    """Commit the validated day to the lake's Delta tables (one commit each) and its manifest;
    one asset event per table, its extra the day's rows, version and table URI. Returns the
    day, the manifest's address and the accounting."""

    template_fields: Sequence[str] = (*ClaimflowOperator.template_fields, "staged_uri")
    step_defaults: ClassVar[dict[str, Any]] = {
        "task_display_name": "Publish to the lake",
        "doc_md": (
            "Take the lake's publish lease (waiting for another publish) and the day's, roll back "
            "torn days, quarantine what another day published meanwhile, replace the day in every "
            "Delta table (one commit each), keep the raw archive under this run's key, write the "
            "manifest with each table's Delta version last. Fails with PublishConflict while a "
            "crashed run's lease holds the day; the retries publish it afterwards."
        ),
        # a crashed run's lease expires after CLAIMFLOW_PUBLISH_LEASE_MINUTES: retry past it
        "retries": 6,
        "retry_delay": dt.timedelta(minutes=1),
        "max_retry_delay": dt.timedelta(minutes=15),
    }

    def __init__(self, *, staged_uri: str, assets: Mapping[str, Asset] | None = None, **kwargs: Any) -> None:
        self.assets = dict(TABLE_ASSETS if assets is None else assets)
        if unknown := sorted(set(self.assets) - set(TABLES)):
            raise ValueError(f"expected assets keyed by table ({', '.join(TABLES)}), got {', '.join(unknown)}")
        kwargs.setdefault("outlets", list(self.assets.values()))
        super().__init__(**kwargs)
        self.staged_uri = staged_uri

    def execute(self, context: Any) -> dict[str, Any]:
        from claimflow import layout, stages
        from claimflow.storage.delta import table_uri

        day, run_id, settings = step_day(self.day, context), context["run_id"], self.claimflow_settings()
        manifest = stages.publish(settings, day, run_id, self.staged_uri)
        for table, asset in self.assets.items():
            context["outlet_events"][asset].extra = {
                "day": day,
                "run_id": run_id,
                "rows": manifest.tables[table].rows,
                "version": manifest.tables[table].version,
                "table_uri": table_uri(settings, table),
            }
        self._lineage = lineage.Seen(outputs=lineage.published_datasets(settings, manifest))
        return {"day": day, "manifest": f"{manifest.lake}/{layout.manifest(day)}", **vars(manifest.accounting)}


class RemoveStagingOperator(ClaimflowOperator):
    """Delete the run's staged files (a teardown: whether the day published or failed).
    Returns how many files it removed."""

    step_defaults: ClassVar[dict[str, Any]] = {
        "task_display_name": "Remove staging",
        "doc_md": "Delete the run's staged files, whether the day published or failed.",
    }

    def execute(self, context: Any) -> int:
        from claimflow import staging
        from claimflow.storage import open_lake

        return staging.remove_run(open_lake(self.claimflow_settings()), step_day(self.day, context), context["run_id"])


def stage_articles(articles: Iterable[Article | Mapping[str, Any]], *, day: str | None = None, origin: str = "articles",
                   **settings: Any) -> list[str]:
    """Stage a team's own articles for claimflow's extract, from inside an Airflow task: each an
    :class:`~claimflow.models.Article` or a JSON-like mapping (``text`` required; ``title``,
    ``url``, ``published``, ``site``, ``description``, ``id``, ``authors`` optional), checked and
    de-duplicated like a source's (refusals are quarantined, not raised). ``settings`` are
    :func:`claimflow_settings`' arguments. Returns the shards' URIs: return them from the task and
    hand its output to :class:`ExtractOperator` or to ``ClaimflowTaskGroup(shards=...)``."""
    from claimflow import stages

    context = get_current_context()
    config = claimflow_settings(**settings)
    return stages.stage_articles(config, step_day(day, context), context["run_id"], articles, origin=origin).shard_uris
