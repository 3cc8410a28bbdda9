"""OGC API - Features: reading the published layers' features, in SQL with bound parameters.

Every query is built on a layer's `source` (see `gis.publish`) and selects only the layer's
declared `properties`, so what a feature shows is exactly what its tiles show. Features
come in pages ordered by id and are paged by key (`after` / `before` an id), not by
OFFSET, so the ten-thousandth page costs what the first does. A page's GeoJSON is built by
PostgreSQL and passed through as text. The number of matching features (numberMatched)
is given on a first page only, and only when counting stops below MATCH_COUNT_CAP, so no
request counts a whole large table and following pages count nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from gis.publish import CACHE_ALIAS, PublishedLayer

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# numberMatched is given when at most this many features match (a ward's parcels, say);
# counting stops there. On the demo's 50,000 parcels a first page with its count takes
# 4-7 ms, 15-20 ms with a bbox that holds them all (PostgreSQL's JIT off, see README).
MATCH_COUNT_CAP = 5_000
METADATA_TIMEOUT = 7 * 24 * 3600
# PostGIS compares bounding boxes in single precision, rounded outwards: at most 2^-16 degree
# (1.5e-5) too wide for longitudes up to 256. Shrunk by more than that, a box's inside is
# certain (see _filters).
INNER_MARGIN = 1e-4


class InvalidParameter(ValueError):
    """A query parameter the API cannot answer; its message says why, for the client."""


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    @property
    def crosses_antimeridian(self) -> bool:
        return self.west > self.east


@dataclass(frozen=True)
class Interval:
    """A half-open time interval [start, end); None for an open end."""

    start: dt.datetime | None
    end: dt.datetime | None
    # An instant given to the second: features at exactly that time.
    instant: dt.datetime | None = None


@dataclass(frozen=True)
class ItemsQuery:
    limit: int = DEFAULT_LIMIT
    bbox: BBox | None = None
    interval: Interval | None = None
    after: int | None = None
    before: int | None = None


@dataclass(frozen=True)
class Page:
    """One page of features: their GeoJSON objects joined by commas, and how to go on."""

    features_json: str
    returned: int
    matched: int | None
    first_id: int | None
    last_id: int | None
    has_next: bool
    has_prev: bool


# --- parsing the query ------------------------------------------------------------------

TIME_PARAMETER = "datetime"
# datetime only works on a layer with time; on another it is refused by parse_items_query.
ITEMS_PARAMETERS = ("f", "bbox", "limit", TIME_PARAMETER, "after", "before")


def check_parameters(params: Mapping[str, list[str]], allowed: tuple[str, ...]) -> None:
    """Refuse an unknown parameter, or one given twice, naming the ones that are allowed."""
    for name, values in params.items():
        if name not in allowed:
            raise InvalidParameter(
                _("Unknown parameter “%(name)s”; this resource takes: %(allowed)s.")
                % {"name": name, "allowed": ", ".join(allowed)}
            )
        if len(values) > 1:
            raise InvalidParameter(_("Parameter “%(name)s” is given twice.") % {"name": name})


def parse_items_query(layer: PublishedLayer, params: Mapping[str, str]) -> ItemsQuery:
    """The items query from the request's parameters (already checked by `check_parameters`)."""
    if TIME_PARAMETER in params and not layer.datetime_column:
        raise InvalidParameter(
            _("Collection “%(layer)s” has no time, so it takes no datetime parameter.")
            % {"layer": layer.name}
        )
    after = _parse_id(params, "after")
    before = _parse_id(params, "before")
    if after is not None and before is not None:
        raise InvalidParameter(_("Give after or before, not both."))
    return ItemsQuery(
        limit=_parse_limit(params.get("limit")),
        bbox=parse_bbox(params["bbox"]) if "bbox" in params else None,
        interval=parse_datetime(params[TIME_PARAMETER]) if TIME_PARAMETER in params else None,
        after=after,
        before=before,
    )


def _parse_limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if limit < 1:
        raise InvalidParameter(
            _("limit must be a whole number from 1 to %(max)s; “%(value)s” is not.")
            % {"max": MAX_LIMIT, "value": value}
        )
    # The standard asks for the maximum, not an error, when a client asks for more.
    return min(limit, MAX_LIMIT)


def _parse_id(params: Mapping[str, str], name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    number = as_feature_id(value)
    if number is None:
        raise InvalidParameter(
            _("%(name)s must be a feature id (a whole number); “%(value)s” is not.")
            % {"name": name, "value": value}
        )
    return number


def as_feature_id(value: str) -> int | None:
    """The feature id written in `value`, or None when it is not one the database can hold."""
    try:
        number = int(value)
    except ValueError:
        return None
    return number if -(2**63) <= number < 2**63 else None


def parse_bbox(value: str) -> BBox:
    """Four numbers (west, south, east, north in CRS84 degrees), or six with heights."""
    parts = value.split(",")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (4, 6) or not all(math.isfinite(n) for n in numbers):
        raise InvalidParameter(
            _(
                "bbox must be four numbers separated by commas: west, south, east, north "
                "(longitudes and latitudes in degrees, WGS 84); “%(value)s” is not."
            )
            % {"value": value}
        )
    if len(numbers) == 6:
        west, south, _low, east, north, _high = numbers
    else:
        west, south, east, north = numbers
    if not (
        -180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90
    ):
        raise InvalidParameter(
            _("bbox longitudes must lie in [-180, 180] and latitudes in [-90, 90].")
        )
    if south > north:
        raise InvalidParameter(_("bbox: the south edge must not be north of the north edge."))
    return BBox(west, south, east, north)


def _parse_moment(text: str, *, end: bool) -> dt.datetime:
    """A date or an RFC 3339 date-time; a date stands for its whole day, local time."""
    try:
        if "T" not in text.upper():
            day = dt.date.fromisoformat(text)
            if end:
                day += dt.timedelta(days=1)
            moment = dt.datetime.combine(day, dt.time())
        else:
            moment = dt.datetime.fromisoformat(text)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        # PostgreSQL receives it in UTC: the first and last days of year 1 and 9999 may not fit.
        moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise InvalidParameter(
            _(
                "datetime must be a date-time such as 2025-03-01T08:00:00Z, a date, or an "
                "interval such as 2025-03-01/2025-03-31 (.. for an open end); “%(value)s” is not."
            )
            % {"value": text}
        ) from None
    return moment


def parse_datetime(value: str) -> Interval:
    if "/" not in value:
        if "T" in value.upper():
            return Interval(None, None, instant=_parse_moment(value, end=False))
        return Interval(_parse_moment(value, end=False), _parse_moment(value, end=True))
    first, _slash, last = value.partition("/")
    if "/" in last:
        raise InvalidParameter(
            _("datetime: “%(value)s” is not an interval whose start comes before its end.")
            % {"value": value}
        )
    start = None if first in ("", "..") else _parse_moment(first, end=False)
    end = None if last in ("", "..") else _parse_moment(last, end=True)
    # An end given to the second is included: the interval is closed at both ends.
    if end is not None and "T" in last.upper():
        end += dt.timedelta(microseconds=1)
    if start is not None and end is not None and start >= end:
        raise InvalidParameter(
            _("datetime: “%(value)s” is not an interval whose start comes before its end.")
            % {"value": value}
        )
    return Interval(start, end)


# --- SQL ----------------------------------------------------------------------------------


def _feature_sql(layer: PublishedLayer, alias: str) -> str:
    """A GeoJSON Feature as json, from a row of the layer's source, with only its properties."""
    # Names are lower-case identifiers checked by the registry, and so safe to write in.
    properties = ", ".join(f"'{p.name}', {alias}.\"{p.name}\"" for p in layer.properties)
    return (
        f"json_build_object('type', 'Feature', 'id', {alias}.id, "
        f"'geometry', ST_AsGeoJSON({alias}.geom)::json, "
        f"'properties', json_build_object({properties}))"
    )


def _filters(layer: PublishedLayer, query: ItemsQuery) -> tuple[list[str], dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {"today": timezone.localdate()}
    box = query.bbox
    if box is not None:
        params.update(west=box.west, south=box.south, east=box.east, north=box.north)
        if box.crosses_antimeridian:
            where.append(
                "(ST_Intersects(s.geom, ST_MakeEnvelope(%(west)s, %(south)s, 180, %(north)s, 4326))"
                " OR ST_Intersects(s.geom, ST_MakeEnvelope(-180, %(south)s, %(east)s, %(north)s, 4326)))"
            )
        elif box.east - box.west > 2 * INNER_MARGIN and box.north - box.south > 2 * INNER_MARGIN:
            # A feature whose bounding box lies inside the box shrunk by INNER_MARGIN
            # intersects it for sure: only those near the edges need GEOS (4-50 times fewer).
            params.update(
                inner_west=box.west + INNER_MARGIN,
                inner_south=box.south + INNER_MARGIN,
                inner_east=box.east - INNER_MARGIN,
                inner_north=box.north - INNER_MARGIN,
            )
            where.append(
                "s.geom && ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326)"
                " AND (s.geom @ ST_MakeEnvelope(%(inner_west)s, %(inner_south)s, %(inner_east)s,"
                " %(inner_north)s, 4326) OR ST_Intersects(s.geom,"
                " ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326)))"
            )
        else:
            where.append(
                "ST_Intersects(s.geom, ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326))"
            )
    interval = query.interval
    if interval is not None and layer.datetime_column:
        column = f's."{layer.datetime_column}"'
        if interval.instant is not None:
            where.append(f"{column} = %(instant)s")
            params["instant"] = interval.instant
        if interval.start is not None:
            where.append(f"{column} >= %(start)s")
            params["start"] = interval.start
        if interval.end is not None:
            where.append(f"{column} < %(end)s")
            params["end"] = interval.end
    return where, params


def items_page(layer: PublishedLayer, query: ItemsQuery) -> Page:
    """One page of the layer's features matching `query`, in one SQL statement."""
    where, params = _filters(layer, query)
    filters = " AND ".join(where) or "TRUE"
    keyset = filters
    descending = query.before is not None
    if query.after is not None:
        keyset += " AND s.id > %(after)s"
        params["after"] = query.after
    if descending:
        keyset += " AND s.id < %(before)s"
        params["before"] = query.before
    order = "DESC" if descending else "ASC"
    columns = "".join(f', s."{p.name}"' for p in layer.properties)
    params.update(limit=query.limit, fetch=query.limit + 1, cap=MATCH_COUNT_CAP + 1)
    first_page = query.after is None and query.before is None
    matches = (
        f"(SELECT count(*) FROM (SELECT 1 FROM ({layer.source}) s WHERE {filters} LIMIT %(cap)s) m)"
        if first_page
        else "NULL::bigint"
    )
    # One row more than the page tells whether there is a page after it.
    sql = f"""
        SELECT count(*),
               string_agg(f.feature, ',' ORDER BY f.id) FILTER (WHERE f.n <= %(limit)s),
               min(f.id) FILTER (WHERE f.n <= %(limit)s),
               max(f.id) FILTER (WHERE f.n <= %(limit)s),
               {matches}
        FROM (
          SELECT p.id, row_number() OVER (ORDER BY p.id {order}) AS n,
                 {_feature_sql(layer, "p")}::text AS feature
          FROM (
            SELECT s.id, s.geom{columns} FROM ({layer.source}) s
            WHERE {keyset} ORDER BY s.id {order} LIMIT %(fetch)s
          ) p
        ) f"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched, features, first_id, last_id, matched = cursor.fetchone()
    more = fetched > query.limit
    return Page(
        features_json=features or "",
        returned=min(fetched, query.limit),
        matched=matched if matched is not None and matched <= MATCH_COUNT_CAP else None,
        first_id=first_id,
        last_id=last_id,
        has_next=more if not descending else True,
        has_prev=more if descending else query.after is not None,
    )


def feature_json(layer: PublishedLayer, feature_id: int) -> str | None:
    """The feature's GeoJSON text, or None when the layer has no such feature."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_feature_sql(layer, 's')}::text FROM ({layer.source}) s WHERE s.id = %(id)s",
            {"id": feature_id, "today": timezone.localdate()},
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _rfc3339(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
    elif timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def temporal_extent(layer: PublishedLayer, version: str) -> list[str | None] | None:
    """First and last time of the layer's features (RFC 3339), cached under its data version."""
    if not layer.datetime_column:
        return None
    cache = caches[CACHE_ALIAS]
    key = f"ogc:time:{layer.name}:{version}"
    extent = cache.get(key)
    if extent is None:
        column = f's."{layer.datetime_column}"'
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT min({column}), max({column}) FROM ({layer.source}) s",
                {"today": timezone.localdate()},
            )
            first, last = cursor.fetchone()
        extent = [] if first is None else [_rfc3339(first), _rfc3339(last)]
        cache.set(key, extent, timeout=METADATA_TIMEOUT)
    return extent or None
