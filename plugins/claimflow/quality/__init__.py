"""Data quality for a day's tables: GX suites from ``include/gx``, quarantine and batch gates.

Importing this package does not import Great Expectations; ``validate_shard`` does, once.
"""

from claimflow.quality.suites import SuiteConfigError
from claimflow.quality.validate import QualityOutcome, validate_shard

__all__ = ["QualityOutcome", "SuiteConfigError", "validate_shard"]
