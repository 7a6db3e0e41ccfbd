"""The claimflow page in the Airflow 3 UI: a FastAPI app under /claimflow and a Browse menu entry.

Airflow loads it through the ``airflow.plugins`` entry point of the installed package (the
provider's plugin, so a user's own Airflow gets the page with ``pip install``), or, where the
package's metadata lacks that entry point (a checkout mounted into an image), through
``plugins/claimflow_plugin.py``. Thin on purpose: the app lives in ``claimflow.ui.app``.
Importing this module reads nothing from the lake and imports neither spaCy, Great
Expectations, pandas nor pyarrow.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from airflow.configuration import conf
from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends

from claimflow.ui.app import create_claimflow_app
from claimflow.ui.auth import require_airflow_user

URL_PREFIX = "/claimflow"
# Airflow served under a sub-path (``[api] base_url``) serves the app under it too.
BASE_PATH = urlsplit(conf.get("api", "base_url", fallback="") or "").path.rstrip("/")


class ClaimflowPlugin(AirflowPlugin):
    """Mounts the claimflow app and shows it, inside the Airflow UI, under Browse."""

    name = "claimflow"
    fastapi_apps = [
        {
            "app": create_claimflow_app(dependencies=[Depends(require_airflow_user)]),
            "url_prefix": URL_PREFIX,
            "name": "claimflow",
        }
    ]
    external_views = [
        {
            "name": "claimflow",
            "href": f"{BASE_PATH}{URL_PREFIX}/",
            "destination": "nav",
            "category": "browse",
            "url_route": "claimflow",  # shown in an iframe at /plugin/claimflow, in Airflow's frame
        }
    ]
