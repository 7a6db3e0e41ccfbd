"""Every way claimflow can refuse or fail, one small class each.

``RejectedInput`` is record-level (the record goes to quarantine, the run goes on);
``BatchFailed`` is batch-level (the day is not published); storage errors split into
transient (worth a retry) and terminal.
"""

from __future__ import annotations


class ClaimflowError(Exception):
    """Base class of claimflow's own errors."""


class RejectedInput(ClaimflowError):
    """An input record that cannot become a clean article; it is quarantined with ``reason``."""

    def __init__(self, reason: str, detail: str = "", *, article_id: str | None = None) -> None:
        self.reason = reason  # machine-readable code, e.g. "empty", "binary", "invalid_utf8"
        self.detail = detail
        self.article_id = article_id
        where = f"article {article_id}: " if article_id else ""
        super().__init__(f"{where}{reason}" + (f" ({detail})" if detail else ""))


class BatchFailed(ClaimflowError):
    """A day's batch broke a critical expectation; nothing of that day is published as good."""

    def __init__(self, day: str, failures: list[str]) -> None:
        self.day = day
        self.failures = failures
        super().__init__(f"batch {day} failed data quality: " + "; ".join(failures))


class StorageError(ClaimflowError):
    """An object-store operation failed for good (bad credentials, missing bucket...)."""


class TransientStorageError(StorageError):
    """An object-store operation failed in a way a retry may fix (throttling, 5xx, reset)."""


class TableMaintenanceFailed(ClaimflowError):
    """A step of a Delta table's upkeep (compact, vacuum, checkpoint) failed; the steps after it did not run."""

    def __init__(self, table: str, step: str, reason: str) -> None:
        self.table = table
        self.step = step
        self.reason = reason
        super().__init__(f"table {table}: {step} failed: {reason}")


class ModelNotInstalled(ClaimflowError):
    """The configured spaCy model is not installed; nothing is downloaded at run time."""


class ComponentNotInitialized(ClaimflowError):
    """The claim component ran before ``initialize()`` or ``from_disk``/``from_bytes`` gave it its data."""


class ManifestError(ClaimflowError):
    """A day's manifest exists but cannot be read as one (not JSON, missing or mistyped fields)."""

    def __init__(self, day: str, reason: str) -> None:
        self.day = day
        self.reason = reason
        super().__init__(f"manifest of {day} is unreadable: {reason}")


class PublishConflict(TransientStorageError):
    """Another run is publishing the same day, or has published it since this run began; a retry
    publishes once that run is done (a day is committed by one run at a time)."""

    def __init__(self, day: str, run_id: str, reason: str, *, holder: str | None = None) -> None:
        self.day = day
        self.run_id = run_id
        self.holder = holder
        super().__init__(f"run {run_id} cannot publish {day}: {reason}; a retry publishes it after that run")
