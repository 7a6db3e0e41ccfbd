"""Great Expectations' import-time chatter stays out of the task logs."""

from __future__ import annotations

import inspect
import logging

from claimflow.quality import GX_REGISTRY_LOGGER


def test_gx_registry_lines_are_silenced_and_its_warnings_kept():
    from great_expectations import _docs_decorators as registry

    assert "Skipping registering function" in inspect.getsource(registry)  # the lines come from this module's logger
    assert registry.logger.name == GX_REGISTRY_LOGGER
    assert not registry.logger.isEnabledFor(logging.INFO) and registry.logger.isEnabledFor(logging.WARNING)
