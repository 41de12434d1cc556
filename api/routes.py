"""The JSON API: thin routes over the Advisor."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deps import AdvisorDep, BaseUrlDep
from api.schemas import AskRequest, AskResponse, ErrorOut, Health

router = APIRouter()


@router.post(
    "/api/ask",
    response_model=AskResponse,
    responses={
        422: {"model": ErrorOut, "description": "Invalid question or top_k."},
        503: {"model": ErrorOut, "description": "The index is not loaded or not valid."},
    },
    summary="Answer a question from the guides, with cited excerpts",
)
async def ask(body: AskRequest, advisor: AdvisorDep, base_url: BaseUrlDep) -> AskResponse:
    answer = await run_in_threadpool(advisor.ask, body.question, body.top_k, base_url)
    return AskResponse.model_validate(dataclasses.asdict(answer))


@router.get(
    "/healthz", response_model=Health, responses={503: {"model": Health}}, summary="Ready when the index is loaded"
)
async def healthz(request: Request) -> JSONResponse | Health:
    advisor = request.app.state.advisor
    if advisor is None:
        body = Health(status="unavailable", detail=request.app.state.load_error)
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ok", chunks=advisor.manifest.chunk_count, content_version=advisor.content_version)
