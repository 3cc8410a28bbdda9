"""The dashboard's tables as files: CSV (UTF-8 with a byte-order mark, so spreadsheet programs
read the Vietnamese names) and the per-ward figures as a GeoPackage layer for QGIS.

Columns are named by the figures' keys (stable whatever the language); numbers are written
plainly (a dot for decimals), empty where a figure has no value (a rate of nothing).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import shapely

from gis.models import AdminUnit
from urbanmgmt.leaders.services import FIGURES, STAFF_COLUMNS, Period, Row, StaffRow, Trend

BOM = "\ufeff"


def _plain(value: Any) -> Any:
    return "" if value is None else value


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_plain(v) for v in row])
    return out.getvalue().encode("utf-8")


def _figure_columns(row: Row) -> list[Any]:
    dossiers = row.dossiers
    return [
        *(row.value(f) for f in FIGURES),
        dossiers.permits_received if dossiers else 0,
        dossiers.inter_agency if dossiers else 0,
    ]


FIGURE_HEADER = [*(f.key for f in FIGURES), "permits_received", "inter_agency"]


def table_csv(rows: Sequence[Row], period: Period) -> bytes:
    """Wards or departments (and a total row when given), one line each."""
    return _csv(
        ["code", "name", "period_start", "period_end", *FIGURE_HEADER],
        (
            [
                row.code,
                row.name,
                period.start.isoformat(),
                period.end.isoformat(),
                *_figure_columns(row),
            ]
            for row in rows
        ),
    )


def staff_csv(rows: Sequence[StaffRow]) -> bytes:
    return _csv(
        ["name", "posts", *(key for key, _label in STAFF_COLUMNS)],
        ([row.name, row.posts, *(getattr(row, key) for key, _ in STAFF_COLUMNS)] for row in rows),
    )


def trend_csv(trend: Trend) -> bytes:
    return _csv(
        ["month", *(s.key for s in trend.series)],
        (
            [month.start.strftime("%Y-%m"), *(s.values[i] for s in trend.series)]
            for i, month in enumerate(trend.months)
        ),
    )


def wards_geopackage(rows: Sequence[Row], period: Period) -> bytes:
    """The wards' boundaries with their figures, one GeoPackage layer "ward_figures"."""
    geoms = dict(
        AdminUnit.objects.filter(id__in=[row.key for row in rows]).values_list("id", "geom")
    )
    records = []
    for row in rows:
        values = dict(zip(FIGURE_HEADER, _figure_columns(row), strict=True))
        records.append(
            {
                "code": row.code,
                "name": row.name,
                "period_start": period.start.isoformat(),
                "period_end": period.end.isoformat(),
                **{k: (float("nan") if v is None else v) for k, v in values.items()},
                "geometry": shapely.from_wkb(bytes(geoms[row.key].wkb)),
            }
        )
    columns = ["code", "name", "period_start", "period_end", *FIGURE_HEADER, "geometry"]
    frame = gpd.GeoDataFrame(records, columns=columns, geometry="geometry", crs=4326)
    out = io.BytesIO()
    frame.to_file(out, driver="GPKG", layer="ward_figures", engine="pyogrio")
    return out.getvalue()
