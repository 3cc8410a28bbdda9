"""Factories for the OGC API tests: many parcels in one INSERT, and layers published for a test."""

from __future__ import annotations

import pytest
from django.db import connection

from gis import publish
from gis.models import AdminUnit
from gis.publish import PublishedLayer


def fill_box_with_parcels(
    ward: AdminUnit,
    west: float,
    south: float,
    east: float,
    north: float,
    per_side: int,
    *,
    sheet_no: int = 1,
    land_use: str = "ODT",
    address: str = "",
) -> int:
    """A per_side × per_side grid of small square parcels well inside the box, in one INSERT.

    Each parcel fills the middle 40 % of its grid cell, so none touches the box's edges.
    """
    count = per_side * per_side
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO spatial_parcel
                 (ward_id, sheet_no, parcel_no, land_use, address, address_search, geom, updated_at)
               SELECT %(ward)s, %(sheet)s, i + 1, %(land_use)s, %(address)s, '',
                      ST_Multi(ST_MakeEnvelope(
                        %(west)s + (i %% %(n)s + 0.3) * %(dx)s, %(south)s + (i / %(n)s + 0.3) * %(dy)s,
                        %(west)s + (i %% %(n)s + 0.7) * %(dx)s, %(south)s + (i / %(n)s + 0.7) * %(dy)s,
                        4326)),
                      now()
               FROM generate_series(0, %(last)s) AS i""",
            {
                "ward": ward.pk,
                "sheet": sheet_no,
                "land_use": land_use,
                "address": address,
                "n": per_side,
                "west": west,
                "south": south,
                "dx": (east - west) / per_side,
                "dy": (north - south) / per_side,
                "last": count - 1,
            },
        )
    return count


def count_parcels_intersecting(west: float, south: float, east: float, north: float) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM spatial_parcel
               WHERE ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))""",
            [west, south, east, north],
        )
        return cursor.fetchone()[0]


def publish_for_test(monkeypatch: pytest.MonkeyPatch, layer: PublishedLayer) -> PublishedLayer:
    """Publish `layer` for one test only, as a feature app's ready() would for good."""
    monkeypatch.setitem(publish._LAYERS, layer.name, layer)
    return layer
