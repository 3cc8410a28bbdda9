"""A short way through the WSGI server for the few hottest public, read-only requests.

A vector tile or a planning lookup costs PostgreSQL well under a millisecond, and Django's
request machinery (a request object, ten middleware, URL resolution, DRF's negotiation, the
response object) costs about as much again. An app may register a *fast handler* for such
a request from its `AppConfig.ready()`:

    register_fast_path("/tiles/", tiles_fast, prefix=True)

`FastPaths` sits in front of Django's WSGI handler. For a GET it asks the handler whose path
matches; the handler answers a `FastResponse` or None, and None (an error to explain, a
header it does not handle, anything unusual) hands the request to Django unchanged. So a
handler only ever answers the plain case, and everything else keeps Django's behaviour.

What Django's middleware would add to such an answer is added here from the same settings:
the security headers (nosniff, referrer and opener policies, HSTS on HTTPS), X-Frame-Options,
the language (`Content-Language` and `Vary: Cookie`, chosen by the language cookie as
`VietnameseFirstLocaleMiddleware` does) and `Content-Length`. Requests that would be
redirected to HTTPS, and requests for a host outside ALLOWED_HOSTS, go to Django. Django's
`request_started` and `request_finished` signals are sent, so database connections are
recycled exactly as for any request.
`tests/test_fastpath.py` asks Django and the fast path the same questions and compares the
answers header by header. A handler that fails hands the request to Django as well, which then
answers as it would have (a 500 page and its logging, if it fails too).

`AsyncFastPaths` is the same front for gunicorn's ASGI worker (urbanmgmt/asgi.py, `make run`):
a coroutine registered with `register_async_fast_path` answers on the event loop, with the
same headers, and everything else goes to `FastPaths` in a pool of threads
(tests/test_fastpath_asgi.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote_from_bytes

from a2wsgi import WSGIMiddleware
from a2wsgi.wsgi import build_environ
from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.http.cookie import parse_cookie
from django.utils import translation


@dataclass
class FastRequest:
    """What a fast handler may read: the WSGI environ, the path, the query and the language."""

    environ: dict[str, Any]
    path: str
    language: str

    @property
    def query(self) -> dict[str, str]:
        # The last value of a repeated parameter wins, as in Django's QueryDict[...].
        return dict(parse_qsl(self.environ.get("QUERY_STRING", ""), keep_blank_values=True))

    def header(self, name: str, default: str = "") -> str:
        return self.environ.get("HTTP_" + name.upper().replace("-", "_"), default)


@dataclass
class FastResponse:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    vary: tuple[str, ...] = ()

    @classmethod
    def json(cls, data: Any, status: int = 200) -> FastResponse:
        """JSON written as the views' renderer writes it (urbanmgmt.renderers.json_bytes)."""
        from urbanmgmt.renderers import json_bytes

        return cls(status, json_bytes(data), "application/json")


FastHandler = Callable[[FastRequest], FastResponse | None]
AsyncFastHandler = Callable[[FastRequest], Awaitable[FastResponse | None]]
Answer = tuple[int, list[tuple[str, str]], bytes]  # status, headers, body
logger = logging.getLogger(__name__)

_EXACT: dict[str, FastHandler] = {}
_PREFIXES: list[tuple[str, FastHandler]] = []
_ASYNC_EXACT: dict[str, AsyncFastHandler] = {}


def register_fast_path(path: str, handler: FastHandler, *, prefix: bool = False) -> None:
    """Let `handler` answer GET `path` (or every path under it) before Django is asked."""
    if prefix:
        if (path, handler) not in _PREFIXES:
            _PREFIXES.append((path, handler))
    else:
        _EXACT[path] = handler


def register_async_fast_path(path: str, handler: AsyncFastHandler) -> None:
    """Let the coroutine `handler` answer GET `path` on the ASGI worker's event loop, before
    the WSGI fast path and Django are asked. It must never block: its database is
    urbanmgmt.asyncdb. Under WSGI (urbanmgmt.wsgi) it is not used."""
    _ASYNC_EXACT[path] = handler


def _handler_for(path: str) -> FastHandler | None:
    handler = _EXACT.get(path)
    if handler is None:
        for start, candidate in _PREFIXES:
            if path.startswith(start):
                return candidate
    return handler


_PRINTABLE_ASCII = "".join(map(chr, range(33, 127)))
_REASONS = {200: "OK", 204: "No Content", 304: "Not Modified", 400: "Bad Request", 404: "Not Found"}


class _Front:
    """What the WSGI and the ASGI fronts share: which requests a fast handler may answer, in
    which language, and the headers Django's middleware would add to the answer."""

    def __init__(self) -> None:
        self.languages = {code for code, _name in settings.LANGUAGES}
        self.security = [
            (name, value)
            for name, value in (
                ("X-Frame-Options", settings.X_FRAME_OPTIONS),
                (
                    "X-Content-Type-Options",
                    "nosniff" if settings.SECURE_CONTENT_TYPE_NOSNIFF else "",
                ),
                ("Referrer-Policy", _referrer_policy()),
                ("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY or ""),
            )
            if value
        ]
        self.hsts = _hsts_header()

    def _secure(self, environ: dict[str, Any]) -> bool | None:
        """Whether the request came over HTTPS, or None if Django must answer it (a redirect
        to HTTPS, a host outside ALLOWED_HOSTS)."""
        probe = _EnvironRequest(environ)
        secure = probe.is_secure()
        if (secure or not settings.SECURE_SSL_REDIRECT) and probe.host_allowed():
            return secure
        return None

    def _language(self, environ: dict[str, Any]) -> str:
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        chosen = cookies.get(settings.LANGUAGE_COOKIE_NAME)
        return chosen if chosen in self.languages else settings.LANGUAGE_CODE

    def _headers(
        self, response: FastResponse, language: str, secure: bool
    ) -> list[tuple[str, str]]:
        headers = []
        if response.content_type and response.status != 304:
            headers.append(("Content-Type", response.content_type))
        headers.extend(response.headers)
        headers.extend(self.security)
        if secure and self.hsts:
            headers.append(("Strict-Transport-Security", self.hsts))
        headers.append(("Vary", ", ".join((*response.vary, "Cookie"))))
        headers.append(("Content-Language", language))
        # As Django's CommonMiddleware does, on every answer.
        headers.append(("Content-Length", str(len(response.body))))
        return headers


class FastPaths(_Front):
    """WSGI application: registered fast handlers first, Django's handler for everything else."""

    def __init__(self, django_application: Callable[..., Iterable[bytes]]) -> None:
        super().__init__()
        self.django = django_application

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        answered = self.answer(environ)
        if answered is None:
            return self.django(environ, start_response)
        status, headers, body = answered
        start_response(f"{status} {_REASONS.get(status, '')}", headers)
        return [body] if body else []

    def answer(self, environ: dict[str, Any]) -> Answer | None:
        """A fast handler's answer to this request (status, headers, body), or None when
        Django must answer it."""
        if environ.get("REQUEST_METHOD") != "GET":
            return None
        path = environ.get("PATH_INFO", "")
        handler = _handler_for(path) if path.isascii() else None
        if handler is None:
            return None
        secure = self._secure(environ)
        if secure is None:
            return None
        language = self._language(environ)
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            translation.activate(language)
            response = handler(FastRequest(environ, path, language))
        except Exception:
            # Django asks again and fails, or not, in its own way (its 500 page, its logging).
            logger.warning("Fast path for %s failed; Django answers", path, exc_info=True)
            response = None
        finally:
            signals.request_finished.send(sender=self.__class__)
        if response is None:
            return None
        return response.status, self._headers(response, language, secure), response.body


class AsyncFastPaths(_Front):
    """ASGI application (gunicorn's ASGI worker, `make run`) in front of `wsgi_front` (the WSGI
    fast paths before Django), whose requests run in a pool of `threads` threads.

    - An async fast handler answers on the event loop.
    - A WSGI fast handler (a tile) is asked in one of those threads, its answer sent whole.
    - Everything else, and whatever a handler declines, goes to `wsgi_front` through a2wsgi
      (request bodies and streamed answers included), as under a threaded WSGI server.

    An async handler touches none of Django's database connections, so Django's request
    signals are not sent for it. The lifespan's shutdown closes the loop's database pool.
    """

    def __init__(self, wsgi_front: FastPaths, *, threads: int) -> None:
        super().__init__()
        self.wsgi_front = wsgi_front
        self.wsgi = WSGIMiddleware(wsgi_front, workers=threads)

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind == "http" and not scope["query_string"].isascii():
            # Raw bytes past ASCII (a client that does not percent-encode): encoded as a
            # browser would, which reads the same, instead of failing a2wsgi's ASCII decode.
            query = quote_from_bytes(scope["query_string"], safe=_PRINTABLE_ASCII)
            scope = {**scope, "query_string": query.encode("ascii")}
        if kind == "http" and scope["method"] == "HEAD":
            send = _without_body(send)
        if kind == "http" and scope["method"] == "GET" and scope["path"].isascii():
            answered = None
            handler = _ASYNC_EXACT.get(scope["path"])
            if handler is not None:
                answered = await self._answer(handler, scope)
            elif _handler_for(scope["path"]) is not None:
                answered = await asyncio.get_running_loop().run_in_executor(
                    self.wsgi.executor, self.wsgi_front.answer, build_environ(scope, None)
                )
            if answered is not None:
                status, headers, body = answered
                raw = [(name.lower().encode("latin-1"), v.encode("latin-1")) for name, v in headers]
                await send({"type": "http.response.start", "status": status, "headers": raw})
                await send({"type": "http.response.body", "body": body})
                return
        await self.wsgi(scope, receive, send)

    async def _answer(self, handler: AsyncFastHandler, scope: dict[str, Any]) -> Answer | None:
        environ = build_environ(scope, None)
        secure = self._secure(environ)
        if secure is None:
            return None
        language = self._language(environ)
        path = scope["path"]
        try:
            translation.activate(language)
            response = await handler(FastRequest(environ, path, language))
        except Exception:
            logger.warning("Fast path for %s failed; Django answers", path, exc_info=True)
            return None
        if response is None:
            return None
        return response.status, self._headers(response, language, secure), response.body

    async def _lifespan(self, receive: Callable, send: Callable) -> None:
        from urbanmgmt import asyncdb

        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await asyncdb.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _without_body(send: Callable) -> Callable:
    """`send` for an answer to HEAD: the headers (Content-Length too) as for GET, no body bytes
    (Django writes them; gunicorn would drop them and log a warning each time)."""

    async def send_headers_only(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            message = {**message, "body": b""}
        await send(message)

    return send_headers_only


def _referrer_policy() -> str:
    policy = settings.SECURE_REFERRER_POLICY
    if not policy:
        return ""
    if isinstance(policy, str):
        policy = policy.split(",")
    return ",".join(part.strip() for part in policy)


def _hsts_header() -> str:
    if not settings.SECURE_HSTS_SECONDS:
        return ""
    value = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        value += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        value += "; preload"
    return value


class _EnvironRequest(HttpRequest):
    """Django's own reading of a request's scheme and host, from the bare environ (a full
    WSGIRequest would parse much more): `is_secure()` trusts the proxy's header as Django
    does, and a host outside ALLOWED_HOSTS goes to Django, which refuses it (400)."""

    def __init__(self, environ: dict[str, Any]) -> None:
        self.META = environ

    def _get_scheme(self) -> str:
        return self.META.get("wsgi.url_scheme", "http")

    def host_allowed(self) -> bool:
        try:
            self.get_host()
        except DisallowedHost:
            return False
        return True
