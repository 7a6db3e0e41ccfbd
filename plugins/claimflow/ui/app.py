"""The claimflow UI as a FastAPI app: a page and a small JSON API over one lake.

Airflow 3 mounts it through ``claimflow.ui.plugin``; it also runs on its own
(``uvicorn --factory claimflow.ui.app:create_claimflow_app``) and in tests with TestClient.
Creating the app reads no object: the lake is opened on the first request, so an import in
any Airflow component stays cheap and works with the lake unreachable.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi import Path as FastAPIPath
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.params import Depends
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from claimflow import layout
from claimflow.config import Settings
from claimflow.exceptions import ManifestError, StorageError
from claimflow.storage import open_lake
from claimflow.ui import claims
from claimflow.ui.article_page import render_article
from claimflow.ui.lake import DaySummary, LakeView, UnreadableDay
from claimflow.ui.page import render_page
from claimflow.ui.search_page import render_search

if TYPE_CHECKING:  # claimflow.manifest imports pyarrow, which the plugin's import must not
    from claimflow.manifest import Manifest

log = logging.getLogger(__name__)

DEFAULT_DAYS = 14
MAX_ID = 200  # characters of an entity id in a URL (the lake's are 16)
MAX_DAYS = 1000
# The page and the reports run no script and load nothing from elsewhere; the report is HTML
# built from article text, so this keeps any markup that slipped through inert.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"

Limit = Annotated[int, Query(ge=1, le=MAX_DAYS, description="how many days, newest first")]
Term = Annotated[str, Query(max_length=claims.MAX_TERM_CHARS)]


class _LazyLake:
    """The LakeView of the configured lake, opened once on first use (thread-safe)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._view: LakeView | None = None
        self._lock = threading.Lock()

    def __call__(self) -> LakeView:
        with self._lock:
            if self._view is None:
                self._view = LakeView(open_lake(self.settings), self.settings)
            return self._view


def _error(status: int, message: str, **context: Any) -> JSONResponse:
    return JSONResponse(status_code=status, content=jsonable_encoder({"error": message, **context}))


def _checked_day(day: str) -> str:
    """``day`` if it is a real ISO date; else a 422 that shows the expected form."""
    try:
        return layout.check_day(day)
    except ValueError as error:
        raise HTTPException(422, {"error": str(error), "day": day}) from None


def _install_error_handlers(app: FastAPI) -> None:
    """Every error leaves as JSON with an ``error`` message, whatever raised it."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, dict) else {"error": str(exc.detail)}
        return JSONResponse(status_code=exc.status_code, content=jsonable_encoder(detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(part) for part in e["loc"]), "message": e["msg"], "got": e.get("input")}
            for e in exc.errors()
        ]
        return _error(422, "invalid request", problems=problems)

    @app.exception_handler(StorageError)
    async def lake_down(_request: Request, exc: StorageError) -> JSONResponse:
        log.warning("claimflow UI could not read the lake: %s", exc)
        return _error(503, "the lake could not be read", detail=str(exc))

    @app.exception_handler(ManifestError)
    async def unreadable_manifest(_request: Request, exc: ManifestError) -> JSONResponse:
        log.warning("manifest unreadable day=%s reason=%s", exc.day, exc.reason)
        return _error(500, "the manifest of this day is unreadable", day=exc.day)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("claimflow UI failed")  # the detail stays in the log: it may name paths or data
        return _error(500, "internal error")


def create_claimflow_app(lake: str | None = None, *, dependencies: Sequence[Depends] = ()) -> FastAPI:
    """The UI app over ``lake`` (default: ``CLAIMFLOW_LAKE`` as the pipeline reads it).

    Args:
        lake: A folder or ``s3://bucket/prefix``; None takes ``Settings.from_env().lake``.
        dependencies: Run before every route, e.g. the Airflow auth check the plugin adds.

    Returns:
        The app; nothing of the lake is read until the first request.
    """
    settings = Settings.from_env()
    if lake is not None:
        settings = replace(settings, lake=lake.rstrip("/"))
    view = _LazyLake(settings)
    app = FastAPI(
        title="claimflow",
        summary="Published days, failed days, trends, and who said what, of the claimflow news-claims lake.",
        dependencies=list(dependencies),
        docs_url=None,  # Swagger UI and ReDoc load from a CDN
        redoc_url=None,
        openapi_url=None,  # FastAPI's own route would skip ``dependencies``: served below, behind them
    )
    _install_error_handlers(app)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi() -> dict[str, Any]:
        return app.openapi()

    @app.get("/", response_class=HTMLResponse, summary="The claimflow page")
    def page(days: Limit = DEFAULT_DAYS) -> HTMLResponse:
        lake_view = view()
        entries = lake_view.days(days)  # read once for both the runs and the trends
        manifests = [e for e in entries if not isinstance(e, UnreadableDay)]
        html = render_page(
            lake_view.store.root,
            [DaySummary.of(m) for m in manifests],
            lake_view.failed_days(days),
            [lake_view.trend_point(m) for m in reversed(manifests)],
            unreadable=[e for e in entries if isinstance(e, UnreadableDay)],
        )
        return HTMLResponse(html, headers={"Content-Security-Policy": CSP})

    @app.get("/api/days", summary="Published days, newest first; days whose manifest is unreadable apart")
    def list_days(limit: Limit = 30) -> dict[str, Any]:
        entries = view().days(limit)
        summaries = [vars(DaySummary.of(e)) for e in entries if not isinstance(e, UnreadableDay)]
        unreadable = [e.to_dict() for e in entries if isinstance(e, UnreadableDay)]
        return {"days": summaries, "count": len(summaries), "unreadable": unreadable}

    @app.get("/api/days/{day}", summary="The manifest of one day")
    def day_manifest(day: str) -> dict[str, Any]:
        day = _checked_day(day)
        manifest = view().manifest(day)
        if manifest is None:
            runs = [run.to_dict() for run in view().quality_runs(day)]
            raise HTTPException(404, {"error": "no manifest: the day is not published", "day": day, "quality_runs": runs})
        return manifest.to_dict()

    @app.get("/api/days/{day}/report", response_class=HTMLResponse, summary="A day's data-quality report")
    def day_report(
        day: str, run: Annotated[str | None, Query(description="a run key, for an unpublished day")] = None
    ) -> HTMLResponse:
        day = _checked_day(day)
        try:
            key = view().report_key(day, run)
            html = view().store.get_bytes(key).decode("utf-8")
        except ValueError as error:
            raise HTTPException(422, {"error": str(error), "day": day, "run": run}) from None
        except FileNotFoundError:
            raise HTTPException(404, {"error": "no quality report", "day": day, "run": run}) from None
        return HTMLResponse(html, headers={"Content-Security-Policy": CSP})

    @app.get("/day/{day}", response_class=HTMLResponse, summary="Who said what on a published day")
    def day_page(day: str) -> HTMLResponse:
        from claimflow.explore.data import day_data
        from claimflow.ui.day_page import render_day_page

        manifest = _published(day)
        has_report = manifest.day_report == layout.day_report(manifest.day, manifest.run_id)
        # the server keeps the whole registry's view per version: each page then reads no registry
        html = render_day_page(day_data(view().settings, manifest, whole_registry=True), has_report=has_report)
        return HTMLResponse(html, headers={"Content-Security-Policy": CSP})

    @app.get("/day/{day}/report", response_class=HTMLResponse, summary="The day report publish wrote (one HTML file)")
    def stored_day_report(day: str) -> HTMLResponse:
        manifest = _published(day)
        key = layout.day_report(manifest.day, manifest.run_id)
        try:
            if manifest.day_report != key:  # none written, or a key that is not this day's report
                raise FileNotFoundError(key)
            html = view().store.get_bytes(key).decode("utf-8")
        except FileNotFoundError:
            raise HTTPException(404, {"error": "no day report for this day's run", "day": day}) from None
        return HTMLResponse(html, headers={"Content-Security-Policy": CSP})

    @app.get("/entity/{entity_id}", response_class=HTMLResponse, summary="One entity over a period")
    def entity_page(
        entity_id: Annotated[str, FastAPIPath(min_length=1, max_length=MAX_ID)],
        first: Annotated[str | None, Query(alias="from", description="first day (default: 30 days before to)")] = None,
        last: Annotated[str | None, Query(alias="to", description="last day (default: the newest published)")] = None,
    ) -> HTMLResponse:
        from claimflow.explore.data import EntityNotFound, entity_data, period
        from claimflow.explore.html import ENTITY_DAYS
        from claimflow.ui.entity_page import render_entity_page

        lake_view = view()
        try:
            first, last = period(first, last, lake_view.published_days(), default_days=ENTITY_DAYS)
        except ValueError as error:
            raise HTTPException(422, {"error": str(error), "from": first, "to": last}) from None
        try:
            data = entity_data(lake_view.settings, lake_view.manifests_between(first, last), entity_id, first, last)
        except EntityNotFound as error:
            raise HTTPException(404, {"error": str(error), "entity_id": entity_id, "from": first, "to": last}) from None
        return HTMLResponse(render_entity_page(data), headers={"Content-Security-Policy": CSP})

    def _published(day: str) -> Manifest:
        """The manifest of ``day``; a 422 for a day that is not a date, a 404 when it is not published."""
        day = _checked_day(day)
        manifest = view().manifest(day)
        if manifest is None:
            raise HTTPException(404, {"error": "no manifest: the day is not published", "day": day})
        return manifest

    @app.get("/article/{article_id}", response_class=HTMLResponse, summary="An article with its claims highlighted")
    def article(article_id: str, day: Annotated[str, Query(description="the day that published it")]) -> HTMLResponse:
        day = _checked_day(day)
        try:
            found = claims.read_article(view(), article_id, day)
        except ValueError as error:
            raise HTTPException(422, {"error": str(error), "day": day}) from None
        if found is None:
            raise HTTPException(404, {"error": "the day did not publish this article", "day": day, "article_id": article_id})
        return HTMLResponse(render_article(*found), headers={"Content-Security-Policy": CSP})

    @app.get("/search", response_class=HTMLResponse, summary="Claims by speaker, entity, words, kind, stance and days")
    def search(
        speaker: Term = "", entity: Term = "", words: Term = "", source_kind: str = "", stance: str = "",
        hedged: Annotated[str, Query(pattern="^(yes|no)?$")] = "",
        first_day: Annotated[str, Query(alias="from")] = "", last_day: Annotated[str, Query(alias="to")] = "",
        page: Annotated[int, Query(ge=1, le=claims.MAX_PAGE)] = 1,
        page_size: Annotated[int, Query(ge=1, le=claims.MAX_PAGE_SIZE)] = 50,
    ) -> HTMLResponse:
        lake_view = view()
        lake = claims.published(lake_view)
        if not first_day or not last_day:
            default_first, default_last = claims.default_range(lake[0])
            first_day, last_day = first_day or default_first, last_day or default_last
        try:
            query = claims.SearchQuery(
                first_day=first_day, last_day=last_day, speaker=speaker.strip() or None, entity=entity.strip() or None,
                words=claims.words_of(words), source_kind=source_kind or None, stance=stance or None,
                hedged={"": None, "yes": True, "no": False}[hedged], page=page, page_size=page_size,
            )
        except ValueError as error:
            raise HTTPException(422, {"error": str(error)}) from None
        return HTMLResponse(render_search(claims.search(lake_view, query, lake)), headers={"Content-Security-Policy": CSP})

    @app.get("/api/trends", summary="Volumes and ratios per published day, oldest first")
    def trends(days: Limit = DEFAULT_DAYS) -> dict[str, Any]:
        points = view().trends(days)
        return {"days": [vars(p) for p in points], "count": len(points)}

    @app.get("/api/failed", summary="Days validated but not published, newest first")
    def failed(limit: Limit = 30) -> dict[str, Any]:
        found = view().failed_days(limit)
        return {"days": [f.to_dict() for f in found], "count": len(found)}

    return app
