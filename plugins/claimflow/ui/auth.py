"""Airflow's own login in front of the claimflow app.

Airflow mounts plugin apps without any check, so the plugin adds this dependency: the page is
readable by exactly the users who may see the Airflow UI. Airflow's security module is
imported on the first request, not when the plugin is imported by every Airflow component.
"""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.security import HTTPBearer

_bearer = HTTPBearer(auto_error=False)


async def require_airflow_user(request: Request) -> None:
    """Let through a user Airflow's auth manager authenticates (bearer token or the UI's session
    cookie) and allows to view the website; else 401/403 as Airflow's own API answers."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
    from airflow.api_fastapi.core_api.security import get_user

    user = await get_user(request, None, await _bearer(request))
    if not get_auth_manager().is_authorized_view(access_view=AccessView.WEBSITE, user=user):
        raise HTTPException(403, {"error": "forbidden: this Airflow user may not view the claimflow page"})
