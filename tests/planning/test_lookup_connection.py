"""The lookup keeps a cursor of its own on each thread's connection: a new or broken
connection must not break it, and database errors read as Django's."""

import psycopg
import pytest
from django import db
from django.db import connection

from planning.lookup import lookup_lonlat
from tests.aio import database_dsn
from tests.factories import make_district, make_parcel, rect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def parcel():
    district = make_district()
    return make_parcel(
        district["ward_a"], sheet_no=7, parcel_no=3, geom=rect(106.685, 10.80, 106.6852, 10.8002)
    )


def test_the_lookup_answers_again_on_a_new_connection(parcel):
    first = lookup_lonlat(106.6851, 10.8001)
    connection.close()

    again = lookup_lonlat(106.6851, 10.8001)

    assert first["parcel"]["key"].endswith("-007-0003")
    assert again == first


def test_a_lost_connection_raises_djangos_error_and_is_replaced(parcel):
    before = lookup_lonlat(106.6851, 10.8001)
    with psycopg.connect(database_dsn(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])

    with pytest.raises(db.OperationalError):
        lookup_lonlat(106.6851, 10.8001)
    # At the end of the request Django drops a connection that failed (request_finished).
    assert connection.errors_occurred
    connection.close_if_unusable_or_obsolete()

    assert lookup_lonlat(106.6851, 10.8001) == before
