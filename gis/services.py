"""Read-side services of the spatial core: which units contain a point."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import QuerySet

from gis.models import BASE_LEVELS, AdminUnit, UnitLevel


@dataclass(frozen=True)
class Location:
    """The units that contain a point on a given day, bottom-up; None where there is none."""

    ward: AdminUnit | None
    district: AdminUnit | None
    city: AdminUnit | None

    @property
    def covered(self) -> bool:
        return self.ward is not None


def locate(point: Point, on: dt.date | None = None) -> Location:
    """Return the ward, district and city that contain `point` on `on` (today by default).

    A point on the boundary between two wards belongs to the one with the lower code, so
    the answer never depends on row order. After the 2025 reform a ward's parent is the
    city itself, and `district` is then None.
    """
    if point.srid is None:
        point = Point(point.x, point.y, srid=4326)
    units = list(
        AdminUnit.objects.containing(point, on)
        .order_by("code")
        .only("id", "code", "name", "level", "parent_id")
    )
    ward = next((u for u in units if u.level in BASE_LEVELS), None)
    district = next((u for u in units if u.level == UnitLevel.DISTRICT), None)
    city = next((u for u in units if u.level == UnitLevel.CITY), None)
    return Location(ward=ward, district=district, city=city)


def units_feature_collection(units: QuerySet[AdminUnit]) -> dict:
    """The units as a GeoJSON FeatureCollection, simplified to about 2 m for display."""
    sql, params = units.values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(
                  json_build_object('type', 'Feature', 'id', u.code,
                    'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(u.geom, 0.00002), 6)::json,
                    'properties', json_build_object('code', u.code, 'name', u.name, 'level', u.level,
                                                    'area_km2', round((u.area_m2 / 1e6)::numeric, 3)))
                  ORDER BY u.code), '[]'::json))
                FROM spatial_adminunit u WHERE u.id IN ({sql})""",
            params,
        )
        body = cursor.fetchone()[0]
    return body if isinstance(body, dict) else json.loads(body)
