"""GET /docs: the OpenAPI page, with Swagger UI's script and styles served by the service itself.

FastAPI's recipe for self-hosted docs assets: its own page (`get_swagger_ui_html`) pointed at local files.
The files come from the PyPI package fastapi-offline (Swagger UI's dist, updated with its releases), so an
air-gapped host shows the page too. The page's one inline script, which starts Swagger UI on the app's
OpenAPI document, runs under the service's Content-Security-Policy because the policy names its sha256.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.headers import PAGE_POLICY

ASSETS = "/docs/assets"
ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))
# No validator badge: Swagger UI would fetch it from validator.swagger.io.
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)

router = APIRouter()


def policy_allowing_inline_scripts(page: bytes) -> str:
    """The pages' Content-Security-Policy, with each inline script of `page` allowed by its sha256."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(page)
    )
    return PAGE_POLICY.replace("script-src 'self'", f"script-src 'self' {hashes}".rstrip(), 1)


@router.get("/docs", include_in_schema=False)
async def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "").rstrip("/")
    page = get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title}: API",
        swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{root}/favicon.ico",
        swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
    )
    page.headers["Content-Security-Policy"] = policy_allowing_inline_scripts(bytes(page.body))
    return page


def install(app: FastAPI) -> None:
    """The page and its assets; create the app with docs_url=None and redoc_url=None (ReDoc's CDN page is off)."""
    app.include_router(router)
    app.mount(ASSETS, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
