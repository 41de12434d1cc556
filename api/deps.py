"""Dependencies for the routes, as Annotated aliases.

All are `async def`: they only read app state, and FastAPI would hand a plain `def` to a worker
thread on every request (measured: a fifth of the event loop's time under load).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.errors import public_reason
from api.settings import Settings
from index.advisor import Advisor
from index.batching import MicroBatcher
from index.cache import AnswerCache


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_advisor(request: Request) -> Advisor:
    advisor: Advisor | None = request.app.state.advisor
    if advisor is None:
        raise HTTPException(
            503,
            detail=f"The Advisor is not ready: {public_reason(request.app.state.load_error)}",
            headers={"Retry-After": "5"},
        )
    return advisor


async def get_batcher(request: Request, advisor: Annotated[Advisor, Depends(get_advisor)]) -> MicroBatcher:
    """The lifespan starts a batcher with every loaded Advisor: needing the Advisor checks readiness."""
    batcher: MicroBatcher = request.app.state.batcher
    return batcher


async def get_answer_cache(request: Request) -> AnswerCache:
    answers: AnswerCache = request.app.state.answers
    return answers


async def get_base_url(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return settings.public_url or str(request.base_url)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
AdvisorDep = Annotated[Advisor, Depends(get_advisor)]
BaseUrlDep = Annotated[str, Depends(get_base_url)]
BatcherDep = Annotated[MicroBatcher, Depends(get_batcher)]
AnswerCacheDep = Annotated[AnswerCache, Depends(get_answer_cache)]
