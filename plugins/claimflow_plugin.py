"""The claimflow page for an Airflow whose plugins folder is this one, where the installed
claimflow package does not register it already.

The plugin itself is ``claimflow.ui.plugin.ClaimflowPlugin``, which the package's ``airflow.plugins``
entry point (pyproject.toml) hands to Airflow wherever claimflow is installed with its metadata.
Airflow refuses a second plugin of the same name and reports it as an import error, so this file
offers the class only where that entry point is absent: a checkout on ``PYTHONPATH`` or mounted
into an image that installed only the requirements.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from claimflow.provider import PLUGIN_ENTRY_POINT

if not any(ep.value == PLUGIN_ENTRY_POINT for ep in entry_points(group="airflow.plugins")):
    from claimflow.ui.plugin import ClaimflowPlugin

    __all__ = ["ClaimflowPlugin"]
