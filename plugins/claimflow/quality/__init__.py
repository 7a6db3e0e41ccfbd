"""Data quality for a day's tables: GX suites from ``include/gx``, quarantine and batch gates.

Importing this package does not import Great Expectations; ``validate_shard`` does, once.
"""

import logging

from claimflow.quality.suites import SuiteConfigError
from claimflow.quality.validate import QualityOutcome, validate_shard

# While it imports, GX logs "Skipping registering function ..." at INFO for each function of its
# public-API registry (214 of the 229 lines of an extract task's log); its warnings still show.
GX_REGISTRY_LOGGER = "great_expectations._docs_decorators"
logging.getLogger(GX_REGISTRY_LOGGER).setLevel(logging.WARNING)

__all__ = ["QualityOutcome", "SuiteConfigError", "validate_shard"]
