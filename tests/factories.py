"""Small factory functions for tests: units, parcels and GIS files written with pyogrio."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import geopandas as gpd
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from shapely.geometry import box

from gis.models import AdminUnit, Parcel, UnitLevel

# A small made-up district: two wards side by side, ward A west of lon 106.70, B east of it.
WEST, SOUTH, MIDDLE, EAST, NORTH = 106.68, 10.78, 106.70, 106.72, 10.82


def rect(xmin: float, ymin: float, xmax: float, ymax: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((xmin, ymin, xmax, ymax)), srid=4326)


def make_unit(
    code: str,
    name: str,
    level: str = UnitLevel.WARD,
    *,
    geom: MultiPolygon | GEOSGeometry | None = None,
    parent: AdminUnit | None = None,
    valid_from: dt.date = dt.date(2020, 1, 1),
    valid_to: dt.date | None = None,
) -> AdminUnit:
    return AdminUnit.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        geom=geom or rect(WEST, SOUTH, EAST, NORTH),
        valid_from=valid_from,
        valid_to=valid_to,
    )


def make_district() -> dict[str, AdminUnit]:
    """City 79 > district 765 > wards 26905 (west half) and 26908 (east half)."""
    city = make_unit(
        "79", "Thành phố Hồ Chí Minh", UnitLevel.CITY, geom=rect(106.6, 10.7, 106.8, 10.9)
    )
    district = make_unit("765", "Quận Bình Thạnh", UnitLevel.DISTRICT, parent=city)
    ward_a = make_unit("26905", "Phường 13", geom=rect(WEST, SOUTH, MIDDLE, NORTH), parent=district)
    ward_b = make_unit("26908", "Phường 11", geom=rect(MIDDLE, SOUTH, EAST, NORTH), parent=district)
    return {"city": city, "district": district, "ward_a": ward_a, "ward_b": ward_b}


def make_parcel(ward: AdminUnit, sheet_no: int = 1, parcel_no: int = 1, **fields: Any) -> Parcel:
    centroid = ward.geom.centroid
    fields.setdefault(
        "geom", rect(centroid.x, centroid.y, centroid.x + 0.0002, centroid.y + 0.0002)
    )
    return Parcel.objects.create(ward=ward, sheet_no=sheet_no, parcel_no=parcel_no, **fields)


def parcel_rows(count: int, ward_code: str = "26905", *, sheet_no: int = 1) -> list[dict[str, Any]]:
    """`count` small square parcels in a row inside ward A, as attribute dicts with geometry."""
    rows = []
    for i in range(count):
        x = WEST + 0.001 + (i % 100) * 0.0001
        y = SOUTH + 0.001 + (i // 100) * 0.0001
        rows.append(
            {
                "ward_code": ward_code,
                "sheet_no": sheet_no,
                "parcel_no": i + 1,
                "land_use": "ODT",
                "address": f"{i + 1} Điện Biên Phủ, Phường 13",
                "geometry": box(x, y, x + 0.00008, y + 0.00008),
            }
        )
    return rows


def write_layer(path: Path, rows: list[dict[str, Any]], *, crs: Any = 4326, **kwargs: Any) -> Path:
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    frame.to_file(path, **kwargs)
    return path
