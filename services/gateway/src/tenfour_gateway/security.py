"""Security headers on every response, and the CSRF rule for cookie-authenticated requests.

CSRF decision: an Origin check, not a double-submit token. The session cookies are already
SameSite=Strict; on top of that every state-changing request (and every WebSocket handshake)
that could ride on cookies must carry an Origin (or, failing that, a Sec-Fetch-Site) naming this
site. Browsers set both headers themselves and pages cannot forge them, the check needs no
state, and it also covers the sign-in form (login CSRF). Requests authenticated with an
`Authorization: Bearer` header carry no ambient credential and are not checked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

__all__ = ["CSP", "SW_POLICY", "csrf_problem", "security_headers_middleware", "static_headers"]

SW_POLICY = "tenfour-sw"
CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob: mediastream:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "require-trusted-types-for 'script'",
        # One named policy, and it only ever yields "/sw.js": ServiceWorkerContainer.register()
        # is a Trusted Types sink, so without it the service worker could not be registered.
        f"trusted-types {SW_POLICY}",
    )
)

PERMISSIONS = ", ".join(
    (
        "camera=(self)",
        "microphone=(self)",
        "display-capture=()",
        "geolocation=()",
        "payment=()",
        "usb=()",
        "serial=()",
    )
)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def static_headers(hsts_seconds: int) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": PERMISSIONS,
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if hsts_seconds:
        headers["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains"
    return headers


def security_headers_middleware(hsts_seconds: int) -> Middleware:
    headers = static_headers(hsts_seconds)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            response = exc
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        response.headers["Server"] = "tenfour"
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        if isinstance(response, web.HTTPException) and response.status >= 400:
            raise response
        return response

    return middleware


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _same_host(origin: str, host: str) -> bool:
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()


def csrf_problem(
    method: str,
    headers: dict[str, str] | web.Request,
    host: str,
    allowed_origins: Iterable[str],
    *,
    websocket: bool = False,
) -> str | None:
    """Why this request may be cross-site forged, or None when it is fine.

    `headers` maps lower- or mixed-case names (an aiohttp request's headers work as is).
    """
    get = headers.headers.get if isinstance(headers, web.Request) else _ci_get(headers)
    if not websocket and method.upper() not in UNSAFE_METHODS:
        return None
    authorization = get("Authorization") or ""
    if authorization.lower().startswith("bearer ") and not get("Cookie"):
        return None  # no ambient credential to abuse
    allowed = {o.lower().rstrip("/") for o in allowed_origins}
    origin = get("Origin")
    if origin is not None:
        if origin == "null":
            return "opaque origin"
        normalized = _origin_of(origin)
        ok = normalized in allowed if allowed else _same_host(origin, host)
        return None if ok else "cross-origin request"
    fetch_site = get("Sec-Fetch-Site")
    if fetch_site is not None:
        return None if fetch_site in ("same-origin", "none") else "cross-site request"
    if get("Cookie"):
        return "no Origin header on a request with cookies"
    return None  # a non-browser client without cookies: nothing to forge


def _ci_get(headers: dict[str, str]) -> Callable[[str], str | None]:
    lowered = {k.lower(): v for k, v in headers.items()}

    def get(name: str) -> str | None:
        return lowered.get(name.lower())

    return get
