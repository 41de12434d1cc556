"""Dependencies for the routes, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.settings import Settings
from index.advisor import Advisor


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_advisor(request: Request) -> Advisor:
    advisor: Advisor | None = request.app.state.advisor
    if advisor is None:
        raise HTTPException(
            503, detail=f"The Advisor is not ready: {request.app.state.load_error}", headers={"Retry-After": "5"}
        )
    return advisor


def get_base_url(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return settings.public_url or str(request.base_url)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
AdvisorDep = Annotated[Advisor, Depends(get_advisor)]
BaseUrlDep = Annotated[str, Depends(get_base_url)]
