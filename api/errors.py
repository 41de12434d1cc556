"""Error responses that are always JSON, readable, and never carry a traceback or a file path."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("advisor")

_PART_MAX = 100
_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[/\\][\w.@+~-]+)+[/\\]?")


def safe_text(value: object, limit: int = _PART_MAX) -> str:
    """`value` as text that JSON can carry: lone surrogates escaped, long input cut."""
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def public_reason(reason: str | None) -> str | None:
    """A load error fit for clients: file paths shortened to their last part."""
    if reason is None:
        return None
    return _PATH.sub(lambda m: m.group().rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1], reason)


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


_BODY_MESSAGES = {
    "missing": 'The body is empty: send {"question": "..."}.',
    "model_attributes_type": 'The body should be a JSON object: {"question": "..."}.',
}


def _issue(error: dict[str, Any]) -> dict[str, Any]:
    loc = [part if isinstance(part, int) else safe_text(part) for part in error.get("loc", ())]
    kind = safe_text(error.get("type", "invalid"))
    msg = safe_text(error.get("msg", "invalid"), 300)
    if kind == "json_invalid":
        reason = (error.get("ctx") or {}).get("error")
        loc, msg = ["body"], "The body is not valid JSON" + (f" ({safe_text(reason)})" if reason else "")
    elif loc == ["body"] and kind in _BODY_MESSAGES:
        msg = _BODY_MESSAGES[kind]
    return {"loc": loc, "msg": msg, "type": kind}


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """422 with FastAPI's `detail` list, minus the echoed input; 415 when the body was not JSON.

    FastAPI's own handler echoes the input back, and crashes when it holds a lone surrogate.
    """
    assert isinstance(exc, RequestValidationError)
    issues = [_issue(e) for e in exc.errors()]
    body_issue = any(i["loc"][:1] == ["body"] for i in issues)
    if body_issue and request.method == "POST" and not _is_json(request.headers.get("content-type")):
        return JSONResponse(
            {"detail": "Send the request body as JSON, with the header Content-Type: application/json."},
            status_code=415,
        )
    return JSONResponse({"detail": issues}, status_code=422)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's handler, except that a body that is not UTF-8 is invalid JSON (422), not a 400."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        issue = {"loc": ["body"], "msg": "The body is not valid JSON (it is not UTF-8 text)", "type": "json_invalid"}
        return JSONResponse({"detail": [issue]}, status_code=422)
    return await http_exception_handler(request, exc)


async def server_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled %s on %s %s", exc.__class__.__name__, request.method, safe_text(request.url.path, 200))
    headers = {}
    request_id = request.scope.get("state", {}).get("request_id")
    if request_id:
        headers["X-Request-ID"] = request_id
    return JSONResponse({"detail": "Internal error: the Advisor could not answer this request."}, 500, headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, server_error)
