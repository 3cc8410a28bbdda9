"""Parcel × plan-zone overlaps and parcel × road-boundary pairs, computed in bulk in PostGIS.

For each parcel and each plan zone it touches, the area of their intersection (measured in
the metric projection, like the parcel's own `area_m2`) and its share of the parcel. A parcel
that lies wholly inside a zone skips the intersection: its share is 1, exactly. Slivers
under MIN_AREA_M2 (digitising noise where a parcel edge runs along a zone edge) are left out.

For each parcel and each road boundary whose planned street it reaches into or faces (comes
within FACING_M of its planned edge): its distance to the street's centre line and the area
of the parcel inside the planned street. The lookup used to measure both at each click; they
were 40 % of its time in PostgreSQL.

The statements here are the only writers of `planning_parcelzoneoverlap` and
`planning_parcelroad`:

* `sync_zones(ids)` / `sync_roads(ids)` / `sync_parcels(ids)`: one statement per table that
  recomputes the rows of some zones, roads or parcels, updating what changed and deleting
  what no longer overlaps;
* `insert_for_zones(...)` / `insert_for_roads(...)`: the rows of new zones or roads, inside
  an import's merge;
* `refresh_all()`: every row again, after a bulk load;
* `refresh_changed_parcels()`: the parcels changed since the last call (an import of
  parcels announces itself only after its commit, with no list of rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from gis.models import AREA_SRID
from planning.models import MAX_PLANNED_WIDTH_M

MIN_AREA_M2 = 0.01
# A parcel faces a street when it comes within this distance of the street's planned edge.
FACING_M = 3.0
# Candidate streets are those whose corridor's box, in Web Mercator, comes within this of the
# parcel's. Past a street's flat end a parcel may face it from as far as half the widest
# planned width plus FACING_M, and Web-Mercator metres are longer than true ones by
# 1/cos(latitude): 1.09 at Viet Nam's northern tip (23.4°).
REACH_3857 = 1.1 * (MAX_PLANNED_WIDTH_M / 2 + FACING_M)


def _overlaps_sql(condition: str) -> str:
    """SELECT parcel_id, zone_id, area_m2, share for the parcel/zone pairs meeting `condition`.

    `condition` may name the parcel `p` and the zone `z`.
    """
    return f"""
        SELECT o.parcel_id, o.zone_id, o.area_m2,
               LEAST(o.area_m2 / NULLIF(o.parcel_area, 0), 1.0) AS share
        FROM (
          SELECT p.id AS parcel_id, z.id AS zone_id, p.area_m2 AS parcel_area,
                 CASE WHEN ST_CoveredBy(p.geom, z.geom) THEN p.area_m2
                      ELSE ST_Area(ST_Transform(ST_Intersection(p.geom, z.geom), {AREA_SRID}))
                 END AS area_m2
          FROM planning_planzone z JOIN spatial_parcel p ON ST_Intersects(p.geom, z.geom)
          WHERE {condition}
        ) o
        WHERE o.area_m2 >= {MIN_AREA_M2}"""


def _roads_sql(condition: str) -> str:
    """SELECT parcel_id, road_id, distance_m, inside_m2 for the parcels reaching into or
    facing a road boundary's planned street, among the pairs meeting `condition`.

    `condition` may name the parcel `p` and the road boundary `r`. The distance is measured
    once per candidate, the area inside only for the pairs that pass.
    """
    return f"""
        SELECT p.id AS parcel_id, r.id AS road_id, g.distance_m,
               ST_Area(ST_Intersection(g.geom_m, r.corridor_m)) AS inside_m2
        FROM planning_roadboundary r
        JOIN spatial_parcel p
          ON p.geom_3857 && ST_Expand(r.corridor_3857, {REACH_3857})
         AND r.corridor_3857 && ST_Expand(p.geom_3857, {REACH_3857}),
        LATERAL (SELECT m.geom_m, ST_Distance(m.geom_m, r.geom_m) AS distance_m
                 FROM (SELECT ST_Transform(p.geom, {AREA_SRID}) AS geom_m) m OFFSET 0) g
        WHERE ({condition}) AND g.distance_m <= r.planned_width_m / 2 + {FACING_M}"""


@dataclass(frozen=True)
class _Pairs:
    """A table of parcel × something rows that this module keeps."""

    table: str
    other: str  # the second key column
    values: tuple[str, str]
    constraint: str
    select: Callable[[str], str]

    @property
    def columns(self) -> str:
        return ", ".join(("parcel_id", self.other, *self.values))


ZONES = _Pairs(
    "planning_parcelzoneoverlap",
    "zone_id",
    ("area_m2", "share"),
    "overlap_parcel_zone",
    _overlaps_sql,
)
ROADS = _Pairs(
    "planning_parcelroad",
    "road_id",
    ("distance_m", "inside_m2"),
    "parcelroad_parcel_road",
    _roads_sql,
)


def _sync(pairs: _Pairs, condition: str, owned: str, params: dict) -> int:
    """Recompute the rows of `pairs` meeting `condition` (on `p` and `z` or `r`).

    `owned` is the same selection on the table's own rows `x`: those it selects that are
    no longer computed are deleted.
    """
    table, other = pairs.table, pairs.other
    a, b = pairs.values
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH fresh AS ({pairs.select(condition)}),
                gone AS (
                  DELETE FROM {table} x WHERE {owned} AND NOT EXISTS (
                    SELECT 1 FROM fresh f WHERE f.parcel_id = x.parcel_id AND f.{other} = x.{other}))
                INSERT INTO {table} ({pairs.columns})
                SELECT {pairs.columns} FROM fresh
                ON CONFLICT ON CONSTRAINT {pairs.constraint} DO UPDATE SET
                  {a} = EXCLUDED.{a}, {b} = EXCLUDED.{b}
                WHERE ({table}.{a}, {table}.{b}) IS DISTINCT FROM (EXCLUDED.{a}, EXCLUDED.{b})""",
            params,
        )
        return cursor.rowcount


def sync_zones(zone_ids: Iterable[int]) -> int:
    """Recompute the overlaps of these zones; returns the rows written."""
    ids = list(zone_ids)
    if not ids:
        return 0
    return _sync(ZONES, "z.id = ANY(%(ids)s)", "x.zone_id = ANY(%(ids)s)", {"ids": ids})


def sync_roads(road_ids: Iterable[int]) -> int:
    """Recompute the parcels of these road boundaries; returns the rows written."""
    ids = list(road_ids)
    if not ids:
        return 0
    return _sync(ROADS, "r.id = ANY(%(ids)s)", "x.road_id = ANY(%(ids)s)", {"ids": ids})


def sync_parcels(parcel_ids: Iterable[int]) -> int:
    """Recompute the overlaps and road boundaries of these parcels; returns the rows written."""
    ids = list(parcel_ids)
    if not ids:
        return 0
    return sum(
        _sync(pairs, "p.id = ANY(%(ids)s)", "x.parcel_id = ANY(%(ids)s)", {"ids": ids})
        for pairs in (ZONES, ROADS)
    )


def _insert_for(cursor, pairs: _Pairs, condition: str, params: dict) -> int:
    cursor.execute(f"INSERT INTO {pairs.table} ({pairs.columns}) {pairs.select(condition)}", params)
    return cursor.rowcount


def insert_for_zones(cursor, zone_ids_sql: str, params: dict) -> int:
    """Add the overlaps of zones that have none yet (new zones), on the caller's cursor.

    `zone_ids_sql` is a SELECT of zone ids, with `params` bound; used by the import's merge.
    """
    return _insert_for(cursor, ZONES, f"z.id IN ({zone_ids_sql})", params)


def insert_for_roads(cursor, road_ids_sql: str, params: dict) -> int:
    """Add the parcels of road boundaries that have none yet (new ones), on the caller's
    cursor; `road_ids_sql` as for `insert_for_zones`."""
    return _insert_for(cursor, ROADS, f"r.id IN ({road_ids_sql})", params)


def _refill(cursor) -> int:
    """Both tables emptied and computed again; returns the rows of both."""
    count = 0
    for pairs in (ZONES, ROADS):
        cursor.execute(f"DELETE FROM {pairs.table}")
        count += _insert_for(cursor, pairs, "TRUE", {})
    return count


@transaction.atomic
def refresh_all() -> int:
    """Every overlap and parcel × road row again, from scratch; returns the number of rows."""
    with connection.cursor() as cursor:
        count = _refill(cursor)
        for pairs in (ZONES, ROADS):
            cursor.execute(f"ANALYZE {pairs.table}")
        _mark_seen(cursor)
    return count


def _mark_seen(cursor) -> None:
    """Move the watermark to the start of the oldest transaction still open.

    A parcel written by a transaction that is still open carries an `updated_at` at or after
    that transaction's start, so the next refresh still sees it; one that committed before
    this statement is visible to the statements that follow. The mark is taken first.
    """
    cursor.execute(
        """INSERT INTO planning_overlapsync (id, parcels_seen_until)
           SELECT 1, LEAST(now(), (SELECT min(xact_start) FROM pg_stat_activity
                                    WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid()))
           ON CONFLICT (id) DO UPDATE SET parcels_seen_until = EXCLUDED.parcels_seen_until"""
    )


@transaction.atomic
def refresh_changed_parcels() -> int:
    """Recompute the overlaps and road boundaries of parcels changed since the last refresh;
    returns rows written."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO planning_overlapsync (id, parcels_seen_until) VALUES (1, NULL) "
            "ON CONFLICT (id) DO NOTHING"
        )
        # One refresh at a time: the row lock orders them.
        cursor.execute(
            "SELECT parcels_seen_until FROM planning_overlapsync WHERE id = 1 FOR UPDATE"
        )
        (since,) = cursor.fetchone()
        _mark_seen(cursor)
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM planning_planzone) "
            "OR EXISTS (SELECT 1 FROM planning_roadboundary)"
        )
        if not cursor.fetchone()[0]:
            return 0
        if since is None:
            return _refill(cursor)
    return sum(
        _sync(
            pairs,
            "p.updated_at >= %(since)s",
            "x.parcel_id IN (SELECT id FROM spatial_parcel WHERE updated_at >= %(since)s)",
            {"since": since},
        )
        for pairs in (ZONES, ROADS)
    )
