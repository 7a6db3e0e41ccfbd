"""What a step read and wrote, as OpenLineage datasets, when the OpenLineage provider is installed.

The steps record plain :class:`Dataset` values as they run (no OpenLineage import); only
:func:`operator_lineage`, which the provider calls through ``get_openlineage_facets_on_complete``,
imports it, so claimflow runs unchanged without the provider. Names follow OpenLineage's naming
conventions: ``s3://bucket`` and the key for S3, ``file`` and the absolute path for a local file
or folder, ``scheme://host[:port]`` and the path for a web address (credentials and secret
parameters redacted first).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from claimflow.redact import redact_url

if TYPE_CHECKING:
    from claimflow.config import Settings
    from claimflow.manifest import Manifest
    from claimflow.quality.suites import Check

log = logging.getLogger(__name__)

# a check's level (claimflow.quality.suites) as OpenLineage's assertion severity
SEVERITIES = {"critical": "error", "record": "warn"}


@dataclass(frozen=True)
class Assertion:
    """One Great Expectations check of a table on the day: its expectation type, outcome,
    column (if any), severity (``error`` fails the day, ``warn`` quarantines rows), name in
    the suite, description and what it observed."""

    assertion: str
    success: bool
    column: str | None = None
    severity: str | None = None
    name: str | None = None
    description: str | None = None
    actual: str | None = None


@dataclass(frozen=True)
class Dataset:
    """A dataset as OpenLineage names it, with what the run knows of it (schema, rows, checks)."""

    namespace: str
    name: str
    fields: tuple[tuple[str, str], ...] = ()  # (column, type) of its schema
    rows: int | None = None
    assertions: tuple[Assertion, ...] = ()


@dataclass(frozen=True)
class Seen:
    """What one step read and wrote."""

    inputs: tuple[Dataset, ...] = field(default_factory=tuple)
    outputs: tuple[Dataset, ...] = field(default_factory=tuple)


def named(address: str) -> tuple[str, str]:
    """OpenLineage's (namespace, name) of a storage or web address: ``s3://bucket/key`` is
    (``s3://bucket``, ``key``), a local path or ``file://`` URI is (``file``, absolute path)."""
    address = redact_url(address)
    parts = urlsplit(address)
    if parts.scheme in ("s3", "s3a", "gs", "gcs"):
        return f"{parts.scheme}://{parts.netloc}", parts.path.lstrip("/")
    if parts.scheme in ("http", "https"):
        return f"{parts.scheme}://{parts.netloc}", parts.path or "/"
    path = parts.path if parts.scheme == "file" else address
    return "file", str(Path(path).resolve())


def source_datasets(settings: Settings, day: str) -> tuple[Dataset, ...]:
    """The day's sources as read (date placeholders expanded for the day and its late window), once each."""
    from claimflow.days import window
    from claimflow.ingest.windows import addresses

    seen = dict.fromkeys(named(resolved) for _, resolved, _ in addresses(settings.sources, window(day, settings.late_days)))
    return tuple(Dataset(namespace, name) for namespace, name in seen)


def published_datasets(settings: Settings, manifest: Manifest) -> tuple[Dataset, ...]:
    """The four Delta tables the day was published to: schema, the day's rows, and the day's
    Great Expectations results (from the run's ``validation.json``)."""
    from claimflow.quality.suites import load_config
    from claimflow.storage import open_lake
    from claimflow.storage.delta import table_uri
    from claimflow.storage.records import get_json
    from claimflow.tables import SCHEMAS

    checks = get_json(open_lake(settings), manifest.quality.results).get("checks", {})
    suites = load_config(settings.include_dir / "gx").suites
    datasets = []
    for table, version in manifest.tables.items():
        namespace, name = named(table_uri(settings, table))
        fields = tuple((f.name, str(f.type)) for f in SCHEMAS[table])
        configured = {check.name: check for check in suites[table].checks}
        assertions = tuple(_assertion(check, configured.get(check["name"]), SCHEMAS[table].names)
                           for check in checks.get(table, []))
        datasets.append(Dataset(namespace, name, fields, version.rows, assertions))
    return tuple(datasets)


def _assertion(check: dict[str, Any], configured: Check | None, columns: list[str]) -> Assertion:
    """The assertion of one check of ``validation.json`` (a :class:`~claimflow.quality.report.CheckOutcome`):
    the expectation type and column its suite gives it (a day-level check of claimflow's own,
    absent from the suite, is named as itself); a derived ``dq_`` column is no column of the table."""
    name = str(check["name"])
    observed = check.get("observed") or (f"{check['unexpected']} unexpected rows" if check.get("unexpected") is not None else None)
    column = configured.column if configured else None
    return Assertion(configured.config["type"] if configured else name, bool(check["success"]),
                     column if column in columns else None, SEVERITIES.get(check.get("level", "")), name,
                     check.get("description") or None, observed)


def operator_lineage(seen: Seen | None) -> Any:
    """The OperatorLineage of what a step saw; None where the step saw nothing, or where the
    OpenLineage provider is not installed."""
    if seen is None:
        return None
    try:
        from airflow.providers.openlineage.extractors import OperatorLineage
    except ImportError:
        log.debug("no OpenLineage provider: no lineage")
        return None
    return OperatorLineage(inputs=[_ol_dataset(d, output=False) for d in seen.inputs],
                           outputs=[_ol_dataset(d, output=True) for d in seen.outputs])


def _ol_dataset(dataset: Dataset, *, output: bool) -> Any:
    """An OpenLineage dataset with its schema, statistics and data-quality facets."""
    from openlineage.client.event_v2 import InputDataset, OutputDataset
    from openlineage.client.facet_v2 import data_quality_assertions_dataset, output_statistics_output_dataset, schema_dataset

    facets: dict[str, Any] = {}
    if dataset.fields:
        facets["schema"] = schema_dataset.SchemaDatasetFacet(
            fields=[schema_dataset.SchemaDatasetFacetFields(name=name, type=kind) for name, kind in dataset.fields])
    if dataset.assertions:
        facets["dataQualityAssertions"] = data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(
            assertions=[data_quality_assertions_dataset.Assertion(
                assertion=a.assertion, success=a.success, column=a.column, severity=a.severity, name=a.name,
                description=a.description, actual=a.actual) for a in dataset.assertions])
    if not output:
        return InputDataset(namespace=dataset.namespace, name=dataset.name, facets=facets)
    output_facets = {}
    if dataset.rows is not None:
        output_facets["outputStatistics"] = output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
            rowCount=dataset.rows)
    return OutputDataset(namespace=dataset.namespace, name=dataset.name, facets=facets, outputFacets=output_facets)
