"""Dependencies for the routes, as Annotated aliases.

All are `async def`: they only read app state, and FastAPI would hand a plain `def` to a worker
thread on every request (measured: a fifth of the event loop's time under load). The answering
routes take one `Serving` instead of four dependencies: FastAPI's dependency solving was a third
of the event loop's time on a cached answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.errors import public_reason
from api.serving.batching import MicroBatcher
from api.serving.cache import AnswerCache
from api.settings import Settings
from index.answer.advisor import Advisor


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


def base_url(request: Request) -> str:
    """The base of the links in answers: the configured public URL, else the one the request came to."""
    settings: Settings = request.app.state.settings
    return settings.public_url or str(request.base_url)


@dataclass(frozen=True)
class Serving:
    """What answering a question needs: the loaded Advisor, its model batcher, the answer cache, the link base."""

    advisor: Advisor
    batcher: MicroBatcher
    answers: AnswerCache
    base_url: str


async def get_serving(request: Request) -> Serving:
    """503 until the Advisor is loaded; the lifespan starts a batcher with every loaded Advisor."""
    state = request.app.state
    return Serving(await get_advisor(request), state.batcher, state.answers, base_url(request))


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
AdvisorDep = Annotated[Advisor, Depends(get_advisor)]
ServingDep = Annotated[Serving, Depends(get_serving)]
