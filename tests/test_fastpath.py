"""The fast path in front of Django (urbanmgmt/fastpath.py) answers exactly as Django would.

Each request is asked twice, of Django's own WSGI handler and of `FastPaths` wrapping it,
and the two answers must match: status, every header, and the body byte for byte. A spy on
the wrapped handler tells which requests the fast path answered itself.
"""

import gzip

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import RequestFactory

from tests.factories import NORTH, SOUTH, WEST, make_parcel, rect
from tests.gis.test_tiles import tile_cache, tile_of  # noqa: F401 (tile_cache: autouse)
from tests.planning.factories import make_decision, make_zone
from urbanmgmt import fastpath
from urbanmgmt.fastpath import FastPaths

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def connections_kept():
    """As Django's test client does: a request's end must not close the test's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def place(district):
    return make_place(district)


def make_place(district):
    """A zone of a decision in force, and a parcel in it (26905-010-0016)."""
    decision = make_decision("1234/QĐ-UBND")
    make_zone(decision, rect(WEST, SOUTH, 106.69, NORTH), code="NNO", zone_id="I.1")
    parcel = make_parcel(
        district["ward_a"],
        sheet_no=10,
        parcel_no=16,
        land_use="ODT",
        address="12 Điện Biên Phủ, Phường 13",
        geom=rect(106.685, 10.80, 106.6852, 10.8002),
    )
    return {"parcel": parcel, **district}


class Spy:
    """Django's WSGI handler, counting the requests it is asked."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.handler(environ, start_response)


def call(app, path, query=None, headers=None, secure=False, **extra):
    environ = (
        RequestFactory()
        .get(path, query or {}, headers=headers or {}, secure=secure, **extra)
        .environ
    )
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = {name.lower(): value for name, value in response_headers}

    body = b"".join(app(environ, start_response))
    answer["body"] = body
    return answer


def both(path, query=None, headers=None, secure=False, **extra):
    """Django's answer, the fast path's answer, and whether the fast path answered itself."""
    spy = Spy()
    django_answer = call(spy.handler, path, query, headers, secure, **extra)
    fast_answer = call(FastPaths(spy), path, query, headers, secure, **extra)
    return django_answer, fast_answer, spy.calls == 0


def assert_same(django_answer, fast_answer):
    assert fast_answer["status"] == django_answer["status"]
    assert fast_answer["headers"] == django_answer["headers"]
    assert fast_answer["body"] == django_answer["body"]


LOOKUPS = [
    ({"lon": "106.6851", "lat": "10.8001"}, {}),
    ({"lon": "106.6851", "lat": "10.8001"}, {"Cookie": "django_language=en"}),
    ({"lon": "106.6851", "lat": "10.8001", "date": "2020-01-01"}, {}),
    ({"parcel": "26905-010-0016"}, {"Accept": "application/json"}),
    ({"parcel": "26920-010-9999"}, {}),  # no such parcel: 404 with a message
    ({"lon": "100", "lat": "20"}, {}),  # outside every unit
    ({"lon": "abc", "lat": "10.8"}, {"Cookie": "django_language=en"}),  # 400
    ({"q": "dien bien phu"}, {}),
]


@pytest.mark.parametrize(("query", "headers"), LOOKUPS)
def test_the_lookup_answers_as_the_view_does(place, query, headers):
    django_answer, fast_answer, fast = both("/api/planning/lookup", query, headers)

    assert fast
    assert_same(django_answer, fast_answer)


def test_the_lookup_finds_the_parcel_through_the_fast_path(place):
    _django, fast_answer, fast = both("/api/planning/lookup", {"lon": "106.6851", "lat": "10.8001"})

    assert fast
    assert b'"sheet_no":10' in fast_answer["body"]
    assert fast_answer["headers"]["content-language"] == "vi"


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ({"lon": "106.6851", "lat": "10.8001"}, {"Accept": "text/html"}),  # DRF answers 406
        ({"lon": "106.6851", "lat": "10.8001", "format": "json"}, {}),
    ],
)
def test_what_the_lookup_view_negotiates_goes_to_django(place, query, headers):
    django_answer, fast_answer, fast = both("/api/planning/lookup", query, headers)

    assert not fast
    assert_same(django_answer, fast_answer)


def tile_path(layer="parcels", z=16):
    z, x, y = tile_of(106.6851, 10.8001, z)
    return f"/tiles/{layer}/{z}/{x}/{y}.pbf"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (tile_path(), {"Accept-Encoding": "gzip, deflate"}),
        (tile_path(), {}),  # not gzipped for a client that does not ask
        (tile_path("units", 12), {"Accept-Encoding": "gzip", "Cookie": "django_language=en"}),
        ("/tiles/parcels/16/0/0.pbf", {"Accept-Encoding": "gzip"}),  # empty: 204
    ],
)
def test_a_tile_is_answered_as_the_view_does(place, path, headers):
    django_answer, fast_answer, fast = both(path, headers=headers)

    assert fast
    assert_same(django_answer, fast_answer)


def test_a_tile_from_the_fast_path_holds_the_parcel(place):
    _django, fast_answer, fast = both(tile_path(), headers={"Accept-Encoding": "gzip"})

    assert fast
    assert fast_answer["status"] == 200
    assert place["ward_a"].code.encode() in gzip.decompress(fast_answer["body"])


def test_a_matching_etag_gets_a_304_from_the_fast_path(place):
    first, _fast, _ = both(tile_path(), headers={"Accept-Encoding": "gzip"})
    etag = first["headers"]["etag"]

    django_answer, fast_answer, fast = both(
        tile_path(), headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
    )

    assert fast
    assert fast_answer["status"] == 304
    assert_same(django_answer, fast_answer)


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/tiles/nope/16/1/1.pbf", {}),  # unknown layer: Django explains
        ("/tiles/parcels/25/1/1.pbf", {}),  # outside the tile matrix
        ("/tiles/parcels/2/9/9.pbf", {"Cookie": "django_language=en"}),
        (tile_path(), {"If-Match": '"x"'}),  # a precondition the fast path leaves to Django
    ],
)
def test_tile_errors_and_rare_headers_go_to_django(place, path, headers):
    django_answer, fast_answer, fast = both(path, headers=headers)

    assert not fast
    assert_same(django_answer, fast_answer)


def test_other_paths_and_methods_go_to_django(place):
    spy = Spy()
    app = FastPaths(spy)

    call(app, "/ogc/collections")
    environ = RequestFactory().head(tile_path()).environ
    app(environ, lambda status, headers, exc_info=None: None)

    assert spy.calls == 2


def test_over_https_the_fast_path_adds_hsts_as_django_does(place, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    django_answer, fast_answer, fast = both(
        tile_path(), headers={"Accept-Encoding": "gzip"}, secure=True
    )

    assert fast
    assert "strict-transport-security" in fast_answer["headers"]
    assert_same(django_answer, fast_answer)


def test_a_request_django_would_redirect_to_https_goes_to_django(place, settings):
    settings.SECURE_SSL_REDIRECT = True

    django_answer, fast_answer, fast = both(tile_path())

    assert not fast
    assert fast_answer["status"] == 301
    assert_same(django_answer, fast_answer)


@pytest.mark.parametrize("path", [tile_path(), "/api/planning/lookup?parcel=26920-010-0016"])
def test_a_host_outside_allowed_hosts_goes_to_django_which_refuses_it(place, path):
    django_answer, fast_answer, fast = both(path, HTTP_HOST="evil.example")

    assert not fast
    assert fast_answer["status"] == 400
    assert_same(django_answer, fast_answer)


def test_behind_a_trusted_proxy_https_is_read_from_its_header(place, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_SSL_REDIRECT = True

    django_answer, fast_answer, fast = both(
        tile_path(), headers={"Accept-Encoding": "gzip", "X-Forwarded-Proto": "https"}
    )

    assert fast
    assert fast_answer["status"] == 200
    assert "strict-transport-security" in fast_answer["headers"]
    assert_same(django_answer, fast_answer)


def test_a_failing_fast_handler_hands_the_request_to_django(place, monkeypatch, caplog):
    def broken(request):
        raise RuntimeError("the database went away")

    monkeypatch.setitem(fastpath._EXACT, "/api/planning/lookup", broken)

    django_answer, fast_answer, fast = both("/api/planning/lookup", {"parcel": "26905-010-0016"})

    assert not fast
    assert fast_answer["status"] == 200
    assert_same(django_answer, fast_answer)
    assert "the database went away" in caplog.text


def test_a_failed_if_match_precondition_is_a_412_from_django(place):
    _django, fast_answer, fast = both(tile_path(), headers={"If-Match": '"another"'})

    assert not fast
    assert fast_answer["status"] == 412
    assert fast_answer["headers"]["etag"].startswith('W/"parcels-')
