"""The ASGI front (urbanmgmt/asgi.py, what `make run` serves) answers exactly as Django would.

Its async fast path answers the lookup by point and by parcel key on the event loop, on a
connection pool of its own (urbanmgmt/asyncdb.py); the WSGI fast paths (tiles) answer in a
thread. Each question is asked of Django's own handler and of `AsyncFastPaths`, and status,
headers and body must match. Everything else goes whole to the WSGI side (a spy, through
a2wsgi), which must be asked. The pool is a second connection, so the tests commit their
data (transactional).
"""

import asyncio
from urllib.parse import urlencode

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

from planning import lookup
from tests.aio import database_dsn
from tests.aio import run_in_new_loop as run
from tests.gis.test_tiles import tile_cache  # noqa: F401 (autouse: a file cache per test)
from tests.test_fastpath import LOOKUPS, call, make_place, tile_path
from urbanmgmt import asyncdb
from urbanmgmt.fastpath import AsyncFastPaths, FastPaths

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def place(district):
    return make_place(district)


class Spy(FastPaths):
    """The WSGI side as urbanmgmt.wsgi builds it (the WSGI fast paths before Django's
    handler), counting the requests handed to it whole, through a2wsgi."""

    def __init__(self) -> None:
        super().__init__(WSGIHandler())
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return super().__call__(environ, start_response)


def front(spy):
    return AsyncFastPaths(spy, threads=1)


def close_thread_connections(app):
    """Django's connections of the front's one thread, which no test may leave open."""
    app.wsgi.executor.submit(connections.close_all).result()


def scope_for(
    path, query=None, headers=None, host="testserver", scheme="http", raw_query=None, method="GET"
):
    headers = {"Host": host, **(headers or {})}
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode(),
        "query_string": raw_query if raw_query is not None else urlencode(query or {}).encode(),
        "root_path": "",
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
    }


async def _ask(app, scope, close=True):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    try:
        await app(scope, receive, send)
    finally:
        if close:
            await asyncdb.close()
    start = next(m for m in sent if m["type"] == "http.response.start")
    return {
        "status": start["status"],
        "headers": {name.decode(): value.decode() for name, value in start["headers"]},
        "body": b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"),
    }


def ask_front(path, query=None, headers=None, **scope_extra):
    """The ASGI front's answer, and whether it answered without handing the request whole to
    the WSGI side (on the event loop, or a WSGI fast path asked in a thread)."""
    spy = Spy()
    app = front(spy)
    try:
        answer = run(_ask, app, scope_for(path, query, headers, **scope_extra))
    finally:
        close_thread_connections(app)
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


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (tile_path(), {"Accept-Encoding": "gzip"}),
        (tile_path("units", 12), {"Cookie": "django_language=en"}),
        ("/tiles/parcels/16/0/0.pbf", {}),  # empty: 204
    ],
)
def test_a_tile_is_answered_in_a_thread_as_the_view_does(place, path, headers):
    django_answer = call(WSGIHandler(), path, headers=headers)

    front_answer, answered_itself = ask_front(path, headers=headers)

    assert answered_itself
    assert_same(django_answer, front_answer)


def test_a_tile_error_goes_to_django(place):
    answer, answered_itself = ask_front("/tiles/parcels/25/1/1.pbf")

    assert not answered_itself
    assert answer["status"] == 404


def test_a_head_request_gets_the_headers_of_get_and_no_body(place):
    query = {"lon": "106.6851", "lat": "10.8001"}
    got, _ = ask_front("/api/planning/lookup", query)

    head, answered_itself = ask_front("/api/planning/lookup", query, method="HEAD")

    assert not answered_itself  # HEAD is Django's
    assert head["status"] == 200
    assert head["body"] == b""
    assert head["headers"]["content-length"] == str(len(got["body"]))


def test_other_paths_go_to_the_wsgi_side(place):
    answer, answered_itself = ask_front("/api/locate", {"lon": "abc", "lat": "1"})

    assert not answered_itself
    assert answer["status"] == 400


def test_over_https_the_async_lookup_adds_hsts_as_django_does(place, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    query = {"parcel": "26905-010-0016"}
    django_answer = call(WSGIHandler(), "/api/planning/lookup", query, secure=True)

    front_answer, answered_itself = ask_front("/api/planning/lookup", query, scheme="https")

    assert answered_itself
    assert front_answer["headers"]["strict-transport-security"] == "max-age=3600"
    assert_same(django_answer, front_answer)


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


def test_the_lifespan_closes_the_pool_at_shutdown(place):
    app = front(Spy())

    async def lifespan():
        pool = await asyncdb.pool()
        async with pool.connection() as connection:
            await connection.execute("SELECT 1")
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


def test_lost_pool_connections_are_replaced_and_django_answers_meanwhile(place, settings):
    spy = Spy()
    app = front(spy)
    scope = scope_for("/api/planning/lookup", {"parcel": "26905-010-0016"})

    async def asks():
        answers = [await _ask(app, scope, close=False)]
        with psycopg.connect(database_dsn(), autocommit=True) as other:
            other.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s",
                [asyncdb.APPLICATION_NAME],
            )
        # Each lost connection fails one lookup, which Django answers; then new ones serve.
        for _ in range(settings.DB_ASYNC_CONNECTIONS + 1):
            before = spy.calls
            answers.append(await _ask(app, scope, close=False))
            if spy.calls == before:
                break
        await asyncdb.close()
        return answers

    try:
        answers = run(asks)
    finally:
        close_thread_connections(app)

    assert {answer["status"] for answer in answers} == {200}
    assert len({answer["body"] for answer in answers}) == 1
    assert 1 <= spy.calls <= settings.DB_ASYNC_CONNECTIONS
    assert spy.calls == len(answers) - 2  # the last one came from the fast path again
