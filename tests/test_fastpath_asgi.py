"""The ASGI front (urbanmgmt/asgi.py, what `make run` serves) answers exactly as Django would.

Its async fast path answers the lookup by point and by parcel key on the event loop, on a
connection pool of its own (urbanmgmt/asyncdb.py): each question is asked of Django's own
handler and of `AsyncFastPaths`, and status, headers and body must match. Everything else goes
to the WSGI side (a2wsgi running a spy around Django's handler), which must be asked. The pool
is a second connection, so the tests commit their data (transactional).
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from a2wsgi import WSGIMiddleware
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

from planning import lookup
from tests.test_fastpath import LOOKUPS, call, make_place
from urbanmgmt import asyncdb, fastpath
from urbanmgmt.fastpath import AsyncFastPaths

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def place(district):
    return make_place(district)


class Spy:
    """Django's WSGI handler on a2wsgi's threads, counting the requests it is asked; each
    thread's connection is closed after its answer, so none outlives the test."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        try:
            return self.handler(environ, start_response)
        finally:
            connections.close_all()


def scope_for(path, query=None, headers=None, host="testserver", scheme="http", raw_query=None):
    headers = {"Host": host, **(headers or {})}
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode(),
        "query_string": raw_query if raw_query is not None else urlencode(query or {}).encode(),
        "root_path": "",
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
    }


async def _ask(app, scope):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    try:
        await app(scope, receive, send)
    finally:
        await asyncdb.close()
    start = next(m for m in sent if m["type"] == "http.response.start")
    return {
        "status": start["status"],
        "headers": {name.decode(): value.decode() for name, value in start["headers"]},
        "body": b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"),
    }


def run(coroutine_function, *args):
    """Run a coroutine on a new event loop in a thread of its own: the test's thread may be
    inside another loop already (Playwright's, once a browser test has run)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine_function(*args)).result()


def ask_front(path, query=None, headers=None, **scope_extra):
    """The ASGI front's answer, and whether it answered without the WSGI side."""
    spy = Spy()
    app = AsyncFastPaths(WSGIMiddleware(spy, workers=1))
    answer = run(_ask, app, scope_for(path, query, headers, **scope_extra))
    return answer, spy.calls == 0


def assert_same(django_answer, front_answer):
    assert front_answer["status"] == django_answer["status"]
    assert front_answer["headers"] == django_answer["headers"]
    assert front_answer["body"] == django_answer["body"]


@pytest.mark.parametrize(("query", "headers"), [q for q in LOOKUPS if "q" not in q[0]])
def test_the_async_lookup_answers_as_the_view_does(place, query, headers):
    django_answer = call(WSGIHandler(), "/api/planning/lookup", query, headers)

    front_answer, answered_itself = ask_front("/api/planning/lookup", query, headers)

    assert answered_itself
    assert_same(django_answer, front_answer)


def test_the_async_lookup_finds_the_parcel_and_its_zone(place):
    answer, answered_itself = ask_front(
        "/api/planning/lookup", {"lon": "106.6851", "lat": "10.8001"}
    )

    assert answered_itself
    assert answer["status"] == 200
    assert b'"key":"26905-010-0016"' in answer["body"]
    assert b'"code":"NNO"' in answer["body"]


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ({"q": "dien bien phu"}, {}),  # a search: Django's connection, on the WSGI side
        ({"lon": "106.6851", "lat": "10.8001"}, {"Accept": "text/html"}),  # DRF answers 406
        ({"lon": "106.6851", "lat": "10.8001", "format": "json"}, {}),
    ],
)
def test_searches_and_negotiations_go_to_the_wsgi_side(place, query, headers):
    django_answer = call(WSGIHandler(), "/api/planning/lookup", query, headers)

    front_answer, answered_itself = ask_front("/api/planning/lookup", query, headers)

    assert not answered_itself
    assert_same(django_answer, front_answer)


def test_other_paths_go_to_the_wsgi_side(place):
    answer, answered_itself = ask_front("/api/locate", {"lon": "abc", "lat": "1"})

    assert not answered_itself
    assert answer["status"] == 400


def test_a_host_outside_allowed_hosts_goes_to_django_which_refuses_it(place):
    answer, answered_itself = ask_front(
        "/api/planning/lookup", {"parcel": "26905-010-0016"}, host="evil.example"
    )

    assert not answered_itself
    assert answer["status"] == 400


def test_a_raw_non_ascii_query_reads_as_its_percent_encoded_form(place):
    raw = "lon=106.6851&lat=10.8001&x=Đ".encode()

    answer, answered_itself = ask_front("/api/planning/lookup", raw_query=raw)
    encoded, _ = ask_front("/api/planning/lookup", raw_query=b"lon=106.6851&lat=10.8001&x=%C4%90")
    searched, _ = ask_front("/api/planning/lookup", raw_query="q=Điện Biên".encode())

    assert answered_itself
    assert answer == encoded
    assert answer["status"] == 200
    assert searched["status"] == 200
    assert b"26905-010-0016" in searched["body"]


def test_a_failing_async_handler_hands_the_request_to_django(place, monkeypatch, caplog):
    async def broken(*args):
        raise RuntimeError("the pool went away")

    monkeypatch.setattr(lookup, "alookup_parcel", broken)
    monkeypatch.setattr("planning.api.alookup_parcel", broken)
    django_answer = call(WSGIHandler(), "/api/planning/lookup", {"parcel": "26905-010-0016"})

    front_answer, answered_itself = ask_front("/api/planning/lookup", {"parcel": "26905-010-0016"})

    assert not answered_itself
    assert_same(django_answer, front_answer)
    assert "the pool went away" in caplog.text


def test_the_async_path_is_registered_for_the_lookup_only():
    assert set(fastpath._ASYNC_EXACT) == {"/api/planning/lookup"}


def test_the_lifespan_closes_the_pool_at_shutdown(place):
    app = AsyncFastPaths(WSGIMiddleware(Spy(), workers=1))

    async def lifespan():
        await asyncdb.fetch_one("SELECT 1", [])
        pool = await asyncdb.pool()
        incoming = asyncio.Queue()
        for kind in ("lifespan.startup", "lifespan.shutdown"):
            incoming.put_nowait({"type": kind})
        sent = []

        async def send(message):
            sent.append(message["type"])

        await app({"type": "lifespan"}, incoming.get, send)
        return pool, sent

    pool, sent = run(lifespan)

    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert pool.closed
