"""Parcel × plan-zone overlaps, computed in bulk in PostGIS.

For each parcel and each plan zone it touches, the area of their intersection (measured in
the metric projection, like the parcel's own `area_m2`) and its share of the parcel. A parcel
that lies wholly inside a zone skips the intersection: its share is 1, exactly. Slivers
under MIN_AREA_M2 (digitising noise where a parcel edge runs along a zone edge) are left out.

The statements here are the only writers of `planning_parcelzoneoverlap`:

* `sync_zones(ids)` / `sync_parcels(ids)`: one statement that recomputes the rows of some
  zones or parcels, updating what changed and deleting what no longer overlaps;
* `refresh_all()`: every row again, after a bulk load;
* `refresh_changed_parcels()`: the parcels changed since the last call (an import of
  parcels announces itself only after its commit, with no list of rows).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from gis.models import AREA_SRID

MIN_AREA_M2 = 0.01

_TABLE = "planning_parcelzoneoverlap"


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


def _sync(condition: str, owned: str, params: dict) -> int:
    """Recompute the overlaps of the pairs meeting `condition` (on `p` and `z`).

    `owned` is the same selection on the table's own rows `x`: those it selects that are
    no longer computed are deleted.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH fresh AS ({_overlaps_sql(condition)}),
                gone AS (
                  DELETE FROM {_TABLE} x WHERE {owned} AND NOT EXISTS (
                    SELECT 1 FROM fresh f WHERE f.parcel_id = x.parcel_id AND f.zone_id = x.zone_id))
                INSERT INTO {_TABLE} (parcel_id, zone_id, area_m2, share)
                SELECT parcel_id, zone_id, area_m2, share FROM fresh
                ON CONFLICT ON CONSTRAINT overlap_parcel_zone DO UPDATE SET
                  area_m2 = EXCLUDED.area_m2, share = EXCLUDED.share
                WHERE ({_TABLE}.area_m2, {_TABLE}.share) IS DISTINCT FROM (EXCLUDED.area_m2, EXCLUDED.share)""",
            params,
        )
        return cursor.rowcount


def sync_zones(zone_ids: Iterable[int]) -> int:
    """Recompute the overlaps of these zones; returns the rows written."""
    ids = list(zone_ids)
    return _sync("z.id = ANY(%(ids)s)", "x.zone_id = ANY(%(ids)s)", {"ids": ids}) if ids else 0


def sync_parcels(parcel_ids: Iterable[int]) -> int:
    """Recompute the overlaps of these parcels; returns the rows written."""
    ids = list(parcel_ids)
    return _sync("p.id = ANY(%(ids)s)", "x.parcel_id = ANY(%(ids)s)", {"ids": ids}) if ids else 0


def insert_for_zones(cursor, zone_ids_sql: str, params: dict) -> int:
    """Add the overlaps of zones that have none yet (new zones), on the caller's cursor.

    `zone_ids_sql` is a SELECT of zone ids, with `params` bound; used by the import's merge.
    """
    cursor.execute(
        f"""INSERT INTO {_TABLE} (parcel_id, zone_id, area_m2, share)
            {_overlaps_sql(f"z.id IN ({zone_ids_sql})")}""",
        params,
    )
    return cursor.rowcount


@transaction.atomic
def refresh_all() -> int:
    """Every overlap again, from scratch; returns the number of rows."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_TABLE}")
        cursor.execute(
            f"INSERT INTO {_TABLE} (parcel_id, zone_id, area_m2, share) {_overlaps_sql('TRUE')}"
        )
        count = cursor.rowcount
        cursor.execute(f"ANALYZE {_TABLE}")
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
    """Recompute the overlaps of parcels changed since the last refresh; returns rows written."""
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
        cursor.execute("SELECT EXISTS (SELECT 1 FROM planning_planzone)")
        if not cursor.fetchone()[0]:
            return 0
        if since is None:
            cursor.execute(f"DELETE FROM {_TABLE}")
            cursor.execute(
                f"INSERT INTO {_TABLE} (parcel_id, zone_id, area_m2, share) {_overlaps_sql('TRUE')}"
            )
            return cursor.rowcount
    return _sync(
        "p.updated_at >= %(since)s",
        "x.parcel_id IN (SELECT id FROM spatial_parcel WHERE updated_at >= %(since)s)",
        {"since": since},
    )
