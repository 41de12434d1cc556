"""The FastAPI application: the Advisor is loaded once, in the lifespan."""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.config import STARTUP_FAILURE

from api import docs, drafts, feedback, hardening, pages, plan, routes, widget
from api.metrics import observing_batches
from api.pages import STATIC_DIR
from api.serving.batching import MicroBatcher
from api.serving.cache import AnswerCache
from api.settings import Settings, get_settings
from index.answer.advisor import Advisor
from index.errors import AdvisorError, SettingsError
from index.model.embeddings import Embedder
from index.reader.encoder import question_encoder
from index.store.vectors import search_one_query_per_thread

log = logging.getLogger("advisor")

EmbedderFactory = Callable[[], Embedder]


def create_app(settings: Settings | None = None, embedder_factory: EmbedderFactory | None = None) -> FastAPI:
    settings = settings or get_settings()
    make_embedder = embedder_factory or partial(question_encoder, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.advisor, app.state.load_error = None, "starting"
        try:
            app.state.advisor = Advisor.load(settings.content_dir, settings.index_dir, make_embedder())
            app.state.load_error = None
            log.info(
                "advisor ready: %d chunks, content %s",
                app.state.advisor.manifest.chunk_count,
                app.state.advisor.content_version,
            )
        except AdvisorError as exc:
            # Refuse to answer rather than serve stale or wrong answers; /healthz says why.
            app.state.load_error = str(exc)
            log.error("advisor not ready: %s", exc)
        app.state.answers = AnswerCache(settings.cache_size)
        app.state.feedback = await feedback.open_store(settings)
        if app.state.advisor is not None:
            search_one_query_per_thread()
            app.state.batcher = MicroBatcher(
                observing_batches(app.state.advisor.embedder.encode),
                settings.batch_max_size,
                settings.batch_max_wait_ms / 1000,
                settings.model_workers,
            )
            await app.state.batcher.start()
        # Everything loaded so far lives as long as the service: kept out of the collector's full passes,
        # which otherwise walk it every few seconds under load (measured: 75-85 ms each, the p99 at 16 clients).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            if app.state.batcher is not None:
                await app.state.batcher.aclose()
            app.state.feedback.close()

    app = FastAPI(
        title="The Advisor",
        version="0.1.0",
        summary=(
            "Answers residency applicants' questions from Residency Advisor's guides, citing the guide's own words."
        ),
        lifespan=lifespan,
        docs_url=None,  # served by api/docs.py from local files, not a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.advisor, app.state.load_error = None, "starting"
    app.state.batcher, app.state.answers = None, AnswerCache(0)
    app.include_router(routes.router)
    app.include_router(pages.router)
    app.include_router(widget.router)
    app.include_router(feedback.router)
    app.include_router(drafts.router)
    docs.install(app)
    app.include_router(plan.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    hardening.install(app, settings)
    return app


def app_factory() -> FastAPI:
    """For `uvicorn --factory api.main:app_factory`."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return create_app()
    except SettingsError as exc:  # uvicorn would print a traceback: the operator needs the variable's name
        print(f"error: {exc}", file=sys.stderr)
        # uvicorn's STARTUP_FAILURE: with --workers, its supervisor restarts a worker that exits with any other code
        raise SystemExit(STARTUP_FAILURE) from None
