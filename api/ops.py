"""Operations endpoints: readiness for load balancers and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from api import metrics
from api.errors import public_reason
from api.schemas import ERROR_RESPONSES, Health

router = APIRouter()


@router.get(
    "/readyz",
    response_model=Health,
    responses={**ERROR_RESPONSES, 503: {"model": Health, "description": "The index is not loaded or not valid."}},
    summary="200 while the index is loaded and valid, else 503: take the instance out of rotation",
)
async def readyz(request: Request) -> JSONResponse | Health:
    advisor = request.app.state.advisor
    if advisor is None:
        body = Health(status="unavailable", detail=public_reason(request.app.state.load_error))
        return JSONResponse(body.model_dump(), status_code=503, headers={"Retry-After": "5"})
    return Health(status="ok", chunks=advisor.manifest.chunk_count, content_version=advisor.content_version)


@router.get(
    "/metrics",
    response_class=Response,
    responses={**ERROR_RESPONSES, 200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    summary="Request, answer, cache, batch and rejection metrics in Prometheus format",
)
async def prometheus_metrics(request: Request) -> Response:
    metrics.set_ready(request.app.state.advisor is not None)
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
