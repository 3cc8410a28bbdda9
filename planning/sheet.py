"""The map of a planning-information sheet: the parcel, its neighbours, zones and road boundaries.

One SQL statement cuts the plan around the parcel to a square window in the metric
projection and returns SVG path data (PostGIS `ST_AsSVG`, whose y axis points down as SVG's
does), so the sheet's map is plain vector graphics that print sharp at any size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection

from gis.models import AREA_SRID

MIN_SIDE_M = 80.0


@dataclass
class SheetMap:
    view_box: str
    side_m: float
    parcel: str = ""
    neighbours: list[str] = field(default_factory=list)
    zones: list[dict] = field(default_factory=list)
    roads: list[dict] = field(default_factory=list)

    @property
    def scale_bar_m(self) -> int:
        """A round length about a fifth of the window, for the scale bar."""
        for length in (5, 10, 20, 25, 50, 100, 200, 250, 500):
            if length >= self.side_m / 6:
                return length
        return 1000


_SQL = f"""
WITH p AS (SELECT ST_Transform(geom, {AREA_SRID}) AS g FROM spatial_parcel WHERE id = %(id)s),
c AS (SELECT ST_Centroid(ST_Envelope(g)) AS mid,
             greatest(%(min_side)s, 2.2 * greatest(ST_XMax(g) - ST_XMin(g), ST_YMax(g) - ST_YMin(g)))
               AS side FROM p),
win AS (SELECT ST_MakeEnvelope(ST_X(mid) - side / 2, ST_Y(mid) - side / 2,
                               ST_X(mid) + side / 2, ST_Y(mid) + side / 2, {AREA_SRID}) AS box,
               side FROM c),
win4326 AS (SELECT ST_Transform(box, 4326) AS box FROM win)
SELECT 'window', NULL, NULL, NULL,
       concat_ws(' ', round(ST_XMin(box)::numeric, 2), round(-ST_YMax(box)::numeric, 2),
                 round(side::numeric, 2), round(side::numeric, 2)), NULL, NULL, side
FROM win
UNION ALL
SELECT 'zone', z.code, COALESCE(t."group", 'other'), z.zone_id, ST_AsSVG(x.g, 0, 2),
       ST_X(ST_PointOnSurface(x.g)), -ST_Y(ST_PointOnSurface(x.g)), ST_Area(x.g)
FROM planning_planzone z
JOIN planning_plandecision d ON d.id = z.decision_id
LEFT JOIN planning_zonetype t ON t.code = z.code,
win, win4326,
LATERAL (SELECT ST_Intersection(ST_Transform(z.geom, {AREA_SRID}), win.box) AS g) x
WHERE z.geom && win4326.box
  AND d.valid_from <= %(day)s AND (d.valid_to IS NULL OR d.valid_to >= %(day)s)
  AND NOT ST_IsEmpty(x.g)
UNION ALL
SELECT 'road', r.street_name, NULL, NULL, ST_AsSVG(x.g, 0, 2), NULL, NULL, r.planned_width_m
FROM planning_roadboundary r LEFT JOIN planning_plandecision d ON d.id = r.decision_id,
win, win4326,
LATERAL (SELECT ST_Intersection(ST_Transform(r.corridor, {AREA_SRID}), win.box) AS g) x
WHERE r.corridor && win4326.box
  AND (r.decision_id IS NULL OR (d.valid_from <= %(day)s AND (d.valid_to IS NULL OR d.valid_to >= %(day)s)))
  AND NOT ST_IsEmpty(x.g)
UNION ALL
SELECT CASE WHEN n.id = %(id)s THEN 'parcel' ELSE 'neighbour' END, NULL, NULL, NULL,
       ST_AsSVG(ST_Intersection(ST_Transform(n.geom, {AREA_SRID}), win.box), 0, 2),
       NULL, NULL, NULL
FROM spatial_parcel n, win, win4326
WHERE n.geom && win4326.box
"""


def sheet_map(parcel_id: int, day: dt.date) -> SheetMap:
    """The parcel's surroundings as SVG path data, in metres of the metric projection."""
    with connection.cursor() as cursor:
        cursor.execute(_SQL, {"id": parcel_id, "day": day, "min_side": MIN_SIDE_M})
        rows = cursor.fetchall()
    window = next(r for r in rows if r[0] == "window")
    result = SheetMap(view_box=window[4], side_m=window[7])
    for kind, name, group, zone_id, path, x, y, extra in rows:
        if kind == "zone":
            result.zones.append(
                {
                    "code": name,
                    "group": group,
                    "zone_id": zone_id,
                    "path": path,
                    "x": x,
                    "y": y,
                    "label": extra > (result.side_m**2) * 0.01,
                }
            )
        elif kind == "road":
            result.roads.append({"street": name, "width": extra, "path": path})
        elif kind == "parcel":
            result.parcel = path
        elif kind == "neighbour" and path:
            result.neighbours.append(path)
    return result
