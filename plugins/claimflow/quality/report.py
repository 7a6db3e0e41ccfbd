"""A self-contained HTML page that says what a day's validation found, for people.

GX Data Docs need a file-backed context and a site build; one page with inline CSS is
enough to link from the manifest and open from the lake or the Airflow UI.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from html import escape
from typing import Any


@dataclass(frozen=True)
class CheckOutcome:
    """How one expectation fared on one table."""

    name: str
    level: str  # "critical" or "record"
    description: str
    success: bool
    unexpected: int | None  # rows that failed it (None for table-level expectations)
    observed: str = ""  # observed value of a table-level expectation, or the error it raised

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckOutcome:
        return cls(**data)


@dataclass(frozen=True)
class TableOutcome:
    """One table's validation: rows in and out, each expectation, and why rows were quarantined."""

    table: str
    rows_in: int
    rows_good: int
    checks: list[CheckOutcome] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def rows_quarantined(self) -> int:
        return sum(self.reasons.values())

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "rows_in": self.rows_in, "rows_good": self.rows_good,
                "checks": [c.to_dict() for c in self.checks], "reasons": dict(self.reasons)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TableOutcome:
        checks = [CheckOutcome.from_dict(c) for c in data["checks"]]
        return cls(data["table"], data["rows_in"], data["rows_good"], checks, Counter(data["reasons"]))

    def statistics(self) -> dict[str, int]:
        """The counts the manifest and validation.json carry for this table."""
        return {
            "rows": self.rows_in,
            "good": self.rows_good,
            "quarantined": self.rows_quarantined,
            "expectations": len(self.checks),
            "failed_expectations": sum(not c.success for c in self.checks),
        }


_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1f24}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.8em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #d0d7de;padding:.25em .6em;text-align:left}
th{background:#f6f8fa}.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}
.verdict{padding:.6em 1em;border-radius:6px;display:inline-block}
.ok{background:#dafbe1}.bad{background:#ffebe9}.num{text-align:right}
"""


def _status(ok: bool) -> str:
    return '<span class="pass">pass</span>' if ok else '<span class="fail">FAIL</span>'


def _table_section(t: TableOutcome) -> str:
    rows = "".join(
        f"<tr><td>{escape(c.name)}</td><td>{escape(c.level)}</td><td>{_status(c.success)}</td>"
        f'<td class="num">{"" if c.unexpected is None else c.unexpected}</td>'
        f"<td>{escape(c.description)}</td><td>{escape(c.observed)}</td></tr>"
        for c in t.checks
    )
    reasons = "".join(f'<tr><td>{escape(r)}</td><td class="num">{n}</td></tr>' for r, n in sorted(t.reasons.items()))
    return (
        f'<h2 id="{escape(t.table)}">{escape(t.table)}</h2>'
        f"<p>{t.rows_in} rows in, {t.rows_good} good, {t.rows_quarantined} quarantined.</p>"
        "<table><tr><th>expectation</th><th>level</th><th>result</th><th>failing rows</th>"
        f"<th>what it checks</th><th>observed</th></tr>{rows}</table>"
        + (f"<table><tr><th>quarantine reason</th><th>rows</th></tr>{reasons}</table>" if reasons else "")
    )


def render_report(day: str, tables: list[TableOutcome], failures: list[str], *, notes: Sequence[str] = ()) -> str:
    """The HTML page for one day: the verdict, the batch failures, ``notes`` (one paragraph
    each), then one section per table."""
    verdict = (
        '<p class="verdict ok">PASSED: the day can be published.</p>'
        if not failures
        else '<p class="verdict bad">FAILED: nothing of this day is published as good.</p>'
        + "<ul>"
        + "".join(f"<li>{escape(f)}</li>" for f in failures)
        + "</ul>"
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>claimflow data quality {escape(day)}</title><style>{_CSS}</style></head><body>"
        f"<h1>claimflow data quality, dt={escape(day)}</h1>{verdict}"
        + "".join(f"<p>{escape(note)}</p>" for note in notes)
        + "".join(_table_section(t) for t in tables)
        + "</body></html>"
    )
