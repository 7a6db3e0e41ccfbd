"""claimflow as an Airflow provider: what ``airflow providers list`` and the UI's Providers page
show about it, found through the ``apache_airflow_provider`` entry point in pyproject.toml.

Plain data, no Airflow import: the ProvidersManager calls :func:`get_provider_info` while it
scans every installed package, so it must be cheap and safe where Airflow is only partly set up.
"""

from __future__ import annotations

from typing import Any

from claimflow import __version__

PACKAGE_NAME = "claimflow"  # the distribution name in pyproject.toml; Airflow checks they match
PLUGIN_MODULE, PLUGIN_NAME = "claimflow.ui.plugin", "ClaimflowPlugin"
PLUGIN_CLASS = f"{PLUGIN_MODULE}.{PLUGIN_NAME}"  # as provider info names a class
PLUGIN_ENTRY_POINT = f"{PLUGIN_MODULE}:{PLUGIN_NAME}"  # the ``airflow.plugins`` entry point's value


def get_provider_info() -> dict[str, Any]:
    """The provider's description in the form of Airflow's ``provider_info.schema.json``.

    No ``connection-types``: claimflow has no hook of its own; on S3 it uses the Amazon provider's
    ``aws`` connection (``CLAIMFLOW_AWS_CONN_ID``, default ``aws_default``).
    """
    return {
        "package-name": PACKAGE_NAME,
        "name": "claimflow",
        "description": (
            "News claims for Airflow 3: named entities and attributed claims (who said what) "
            "extracted with spaCy, checked with Great Expectations, published as Delta Lake tables."
        ),
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": "claimflow",
                "tags": ["nlp", "news", "delta-lake"],
            }
        ],
        "plugins": [{"name": "claimflow", "plugin-class": PLUGIN_CLASS}],
    }
