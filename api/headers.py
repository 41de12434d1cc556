"""The response headers a security review expects (OWASP Secure Headers Project), on every response.

- Every response: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`.
- HTML pages (`/`, `/guides/...`, `/docs`): a Content-Security-Policy that allows only the service's own
  scripts, styles and API (the pages and the widget they embed need nothing else; images may also come
  from https: or data: URLs, as a guide may show one), no framing, no plugins, no `<base>`; and
  `Cross-Origin-Opener-Policy: same-origin`. A route that sends its own policy keeps it (`/docs`, whose
  one inline script is allowed by its hash).
- `/api/*` answers, which echo what an applicant typed: `Cache-Control: no-store`, and a policy that lets
  them run nothing and be framed nowhere.

Left out: Strict-Transport-Security, which belongs to whatever terminates TLS (the service speaks plain
HTTP), and `upgrade-insecure-requests`, which would break a plain-HTTP development server.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
API_POLICY = "default-src 'none'; frame-ancestors 'none'"

Header = tuple[bytes, bytes]
EVERY: tuple[Header, ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)
PAGE = (
    *EVERY,
    (b"content-security-policy", PAGE_POLICY.encode()),
    (b"cross-origin-opener-policy", b"same-origin"),
)
API = (*EVERY, (b"cache-control", b"no-store"), (b"content-security-policy", API_POLICY.encode()))


def with_secure_headers(headers: list[Header], path: str) -> list[Header]:
    """`headers` and the ones above that suit `path` and the response's type; a header already set is kept."""
    chosen = API if path.startswith("/api/") else None
    present = set()
    for name, value in headers:
        present.add(name)
        if chosen is None and name == b"content-type" and value.startswith(b"text/html"):
            chosen = PAGE
    return headers + [header for header in chosen or EVERY if header[0] not in present]


class SecureHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_secure_headers(list(message.get("headers", ())), path)
            await send(message)

        await self.app(scope, receive, secured)
