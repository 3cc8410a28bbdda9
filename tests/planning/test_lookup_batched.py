"""Lookups on the async pool that wait for a connection together share one statement
(urbanmgmt.asyncdb.fetch_one_batched); each must get exactly the answer it gets alone."""

import asyncio
import datetime as dt

import pytest
from django.utils import translation

from planning import lookup
from planning.lookup import ParcelKey, alookup_lonlat, alookup_parcel, lookup_lonlat, lookup_parcel
from tests.aio import run_in_new_loop as run
from tests.factories import make_district, make_parcel, rect
from tests.planning.factories import make_decision, make_road, make_zone
from urbanmgmt import asyncdb

pytestmark = pytest.mark.django_db(transaction=True)

POINTS = [(106.6851 + 0.0004 * i, 10.8001) for i in range(6)]


@pytest.fixture
def city():
    district = make_district()
    decision = make_decision("1234/QĐ-UBND")
    make_zone(decision, rect(106.684, 10.799, 106.6865, 10.803), code="NNO", zone_id="I.1")
    make_zone(decision, rect(106.6865, 10.799, 106.689, 10.803), code="CXCL", zone_id="I.2")
    make_road("Điện Biên Phủ", 20.0, [(106.684, 10.8004), (106.689, 10.8004)], decision)
    for i, (lon, lat) in enumerate(POINTS):
        make_parcel(
            district["ward_a"],
            sheet_no=3,
            parcel_no=i + 1,
            geom=rect(lon - 0.0001, lat - 0.0001, lon + 0.0001, lat + 0.0001),
        )
    return district


@pytest.fixture
def batches(monkeypatch, settings):
    """One connection in the pool, so that lookups asked at once must wait for it together;
    the sizes of the groups that were answered."""
    settings.DB_ASYNC_CONNECTIONS = 1
    sizes = []
    answers = asyncdb._answers

    async def counted(connection, own, asks, *args):
        sizes.append(len(asks))
        return await answers(connection, own, asks, *args)

    monkeypatch.setattr(asyncdb, "_answers", counted)
    return sizes


async def _all_at_once(*lookups):
    try:
        return await asyncio.wait_for(asyncio.gather(*lookups, return_exceptions=True), 30)
    finally:
        await asyncdb.close()


def test_lookups_asked_at_once_share_a_statement_and_get_their_own_answers(city, batches):
    with translation.override("vi"):  # as the new thread of the lookups asked together
        alone = [lookup_lonlat(lon, lat) for lon, lat in POINTS]

    together = run(lambda: _all_at_once(*(alookup_lonlat(lon, lat) for lon, lat in POINTS)))

    assert together == alone
    assert sum(batches) == len(POINTS)
    assert max(batches) > 1  # the ones that waited went together
    assert {a["parcel"]["key"] for a in together} == {a["parcel"]["key"] for a in alone}


def test_keys_points_misses_and_other_days_asked_at_once(city, batches):
    old_day = dt.date(2020, 1, 1)
    keys = [ParcelKey(city["ward_a"].code, 3, n) for n in (1, 2, 3)]
    missing = ParcelKey(city["ward_a"].code, 3, 99)
    with translation.override("vi"):
        alone = [
            *(lookup_parcel(key) for key in keys),
            lookup_lonlat(*POINTS[4]),
            lookup_lonlat(*POINTS[5], day=old_day),
            lookup_lonlat(106.6852, 10.8025),  # on no parcel: the point's own statement
            lookup_lonlat(106.6872, 10.8025),
        ]

    together = run(
        lambda: _all_at_once(
            *(alookup_parcel(key) for key in keys),
            alookup_lonlat(*POINTS[4]),
            alookup_lonlat(*POINTS[5], day=old_day),
            alookup_lonlat(106.6852, 10.8025),
            alookup_lonlat(106.6872, 10.8025),
            alookup_parcel(missing),
        )
    )

    assert together[:-1] == alone
    assert max(batches) > 1
    assert isinstance(together[-1], lookup.LookupFailed)
    assert together[-1].status == 404
    assert [answer["zones"][0]["code"] for answer in together[-3:-1]] == ["NNO", "CXCL"]
    assert together[-2]["parcel"] is None


def test_a_failed_statement_fails_every_lookup_that_shared_it(city, batches, monkeypatch):
    sql, names = lookup._BATCHES["parcel at point"]
    monkeypatch.setitem(lookup._BATCHES, "parcel at point", (sql + " LIMIT 1", names))

    together = run(lambda: _all_at_once(*(alookup_lonlat(lon, lat) for lon, lat in POINTS)))

    failed = [answer for answer in together if isinstance(answer, Exception)]
    answered = [answer for answer in together if not isinstance(answer, Exception)]
    # The first went alone (its own statement); the rest shared the broken one and all failed.
    assert len(answered) == batches.count(1)
    assert len(failed) == sum(size for size in batches if size > 1) > 0
    assert all("answers to" in str(error) for error in failed)
