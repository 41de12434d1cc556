"""Operations endpoints: health and readiness for load balancers and the image's health check, and Prometheus
metrics for the addresses allowed them."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from api import metrics
from api.errors import public_reason
from api.ratelimit import IPNetwork, client_address, parse_networks, within
from api.schemas import ERROR_RESPONSES, Health, error_response
from api.settings import Settings

router = APIRouter()


def health(request: Request, unready_headers: dict[str, str] | None = None) -> JSONResponse | Health:
    """The loaded index's size and content version; a 503 with the reason while none is loaded."""
    advisor = request.app.state.advisor
    if advisor is None:
        body = Health(status="unavailable", detail=public_reason(request.app.state.load_error))
        return JSONResponse(body.model_dump(), status_code=503, headers=unready_headers)
    return Health(status="ok", chunks=advisor.manifest.chunk_count, content_version=advisor.content_version)


@router.get(
    "/healthz",
    response_model=Health,
    responses={**ERROR_RESPONSES, 503: {"model": Health}},
    summary="Ready when the index is loaded",
)
async def healthz(request: Request) -> JSONResponse | Health:
    return health(request)


@router.get(
    "/readyz",
    response_model=Health,
    responses={**ERROR_RESPONSES, 503: {"model": Health, "description": "The index is not loaded or not valid."}},
    summary="200 while the index is loaded and valid, else 503: take the instance out of rotation",
)
async def readyz(request: Request) -> JSONResponse | Health:
    return health(request, {"Retry-After": "5"})


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return parse_networks(entries)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        **ERROR_RESPONSES,
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
        403: error_response("The client's address is not in ADVISOR_METRICS_ALLOW."),
    },
    summary="Request, answer, cache, batch and rejection metrics in Prometheus format, for allowed addresses",
)
async def prometheus_metrics(request: Request) -> Response:
    """Served only to a client whose address is in ADVISOR_METRICS_ALLOW (loopback by default), read as the
    rate limit reads it: X-Forwarded-For counts only from ADVISOR_TRUSTED_PROXIES."""
    settings: Settings = request.app.state.settings
    peer = request.client.host if request.client else None
    forwarded = ",".join(request.headers.getlist("x-forwarded-for")) or None
    address = client_address(peer, forwarded, _networks(tuple(settings.trusted_proxies)))
    if not within(address, _networks(tuple(settings.metrics_allow))):
        raise HTTPException(403, detail="Metrics are served only to the addresses in ADVISOR_METRICS_ALLOW.")
    metrics.set_ready(request.app.state.advisor is not None)
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
