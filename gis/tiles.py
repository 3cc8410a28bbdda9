"""Mapbox Vector Tiles of the published layers, built in PostGIS and kept in Django's cache.

A tile is one `ST_AsMVT` query on the layer's stored Web-Mercator geometry (`geom_3857`,
so nothing is reprojected per request), filtered on the tile's envelope widened by the
buffer so that the GiST index does the work. It is stored gzipped under the layer's data
version (see `gis.publish`): a tile stays cached until that version changes, and an old
version's tiles are never asked for again and age out of the cache.
"""

from __future__ import annotations

import gzip
import pickle
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.utils import timezone

from gis.publish import CACHE_ALIAS, PublishedLayer

EXTENT = 4096
BUFFER = 64
# Clusters: one point per CLUSTER_CELL × CLUSTER_CELL units of the tile, so a tile has at
# most (4096 / 32)² = 16,384 of them, about 330 KB before gzip in the worst case.
CLUSTER_CELL = 32
WORLD_HALF = 20037508.342789244  # half the width of the Web-Mercator world, in metres
# Old versions' tiles are never read again; this lets them go from a cache that keeps
# everything until it expires (Redis without an eviction policy).
TILE_TIMEOUT = 7 * 24 * 3600
# Level 3: within 3 % of level 6's size at half its time (a z16 parcel tile: 1 ms).
GZIP_LEVEL = 3
# Part of every cached tile's key: changing what tiles carry (their columns, say) must not
# serve tiles cached by the previous release.
TILE_SCHEMA = 2


@dataclass(frozen=True)
class TileAddress:
    z: int
    x: int
    y: int

    def in_matrix(self, layer: PublishedLayer) -> bool:
        if not layer.minzoom <= self.z <= layer.maxzoom:
            return False
        size = 1 << self.z
        return 0 <= self.x < size and 0 <= self.y < size

    @property
    def size_m(self) -> float:
        """The tile's width (and height) in Web-Mercator metres."""
        return 2 * WORLD_HALF / (1 << self.z)


def _columns(names: Any) -> str:
    # Identifiers come from the registry, which allows only lower-case identifiers.
    return "".join(f', s."{name}"' for name in names)


def _detail_sql(layer: PublishedLayer, *, simplify: bool) -> str:
    # No "WHERE geom IS NOT NULL" around it: ST_AsMVT skips the features that ST_AsMVTGeom
    # clipped away, and the filter would make PostgreSQL compute ST_AsMVTGeom twice.
    geom = "ST_Simplify(s.geom_3857, %(tolerance)s)" if simplify else "s.geom_3857"
    return f"""
        SELECT ST_AsMVT(t, %(layer)s, {EXTENT}, 'geom', 'id') FROM (
          SELECT s.id,
                 ST_AsMVTGeom({geom}, ST_TileEnvelope(%(z)s, %(x)s, %(y)s), {EXTENT}, {BUFFER}, true)
                   AS geom{_columns(p.name for p in layer.tile_property_list)}
          FROM ({layer.source}) s
          WHERE s.geom_3857 && ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s)
        ) t"""


def _clusters_sql(layer: PublishedLayer) -> str:
    # Each feature falls in the one tile and cell that hold the centre of its bounding box
    # (cheap: the box is stored with the geometry), so across tiles none is counted twice.
    modes = "".join(
        f', mode() WITHIN GROUP (ORDER BY c."{name}") AS "{name}"'
        for name in layer.overview_properties
    )
    return f"""
        SELECT ST_AsMVT(t, %(layer)s, {EXTENT}, 'geom') FROM (
          SELECT ST_MakePoint(round(avg(c.px)), round(avg(c.py))) AS geom,
                 count(*)::integer AS count{modes}
          FROM (
            SELECT ((ST_XMin(s.geom_3857) + ST_XMax(s.geom_3857)) / 2 - %(xmin)s) * %(scale)s AS px,
                   (%(ymax)s - (ST_YMin(s.geom_3857) + ST_YMax(s.geom_3857)) / 2) * %(scale)s AS py
                   {_columns(layer.overview_properties)}
            FROM ({layer.source}) s
            WHERE s.geom_3857 && ST_TileEnvelope(%(z)s, %(x)s, %(y)s)
          ) c
          WHERE c.px >= 0 AND c.px < {EXTENT} AND c.py >= 0 AND c.py < {EXTENT}
          GROUP BY floor(c.px / {CLUSTER_CELL}), floor(c.py / {CLUSTER_CELL})
        ) t"""


def build_tile(layer: PublishedLayer, tile: TileAddress) -> bytes:
    """The tile's MVT bytes straight from PostGIS (empty when no feature touches it)."""
    detail = tile.z >= layer.detail_zoom
    clusters = not detail and layer.overview == "clusters"
    if detail or not clusters:
        sql = _detail_sql(layer, simplify=not detail)
        name = layer.name
    else:
        sql = _clusters_sql(layer)
        name = layer.overview_layer_name
    size = tile.size_m
    params = {
        "layer": name,
        "z": tile.z,
        "x": tile.x,
        "y": tile.y,
        "margin": BUFFER / EXTENT,
        "tolerance": size / EXTENT,
        "xmin": -WORLD_HALF + tile.x * size,
        "ymax": WORLD_HALF - tile.y * size,
        "scale": EXTENT / size,
        "today": timezone.localdate(),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] else b""


def _tile_key(layer: PublishedLayer, version: str, tile: TileAddress) -> str:
    return f"tile:{TILE_SCHEMA}:{layer.name}:{version}:{tile.z}:{tile.x}:{tile.y}"


def gzipped_tile(layer: PublishedLayer, version: str, tile: TileAddress) -> bytes:
    """The tile gzipped, from the cache or built and cached; b"" for an empty tile.

    `version` must be read before the tile is built: a tile built while the data changes
    is then stored under the version that the change replaces, never under the new one.
    """
    cache = caches[CACHE_ALIAS]
    key = _tile_key(layer, version, tile)
    body = cache.get(key)
    if body is None:
        raw = build_tile(layer, tile)
        body = gzip.compress(raw, compresslevel=GZIP_LEVEL, mtime=0) if raw else b""
        cache.set(key, body, timeout=TILE_TIMEOUT)
    return body


def layer_bounds(layer: PublishedLayer, version: str) -> list[float] | None:
    """West, south, east, north of the layer's data in degrees, or None for an empty layer."""
    cache = caches[CACHE_ALIAS]
    key = f"bounds:{layer.name}:{version}"
    bounds = cache.get(key)
    if bounds is None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
                    FROM (SELECT ST_Extent(s.geom) AS e FROM ({layer.source}) s) b""",
                {"today": timezone.localdate()},
            )
            row = cursor.fetchone()
        bounds = [] if row[0] is None else [round(v, 6) for v in row]
        cache.set(key, bounds, timeout=TILE_TIMEOUT)
    return bounds or None


_MISSING = object()


class FileCache(FileBasedCache):
    """Django's file cache, but counting its files once a minute instead of at every write.

    FileBasedCache lists its whole folder before each write to decide whether to cull; with
    tens of thousands of tiles in it that costs more than building a tile. Culling a little
    late only lets the folder grow past MAX_ENTRIES for a minute.
    """

    cull_interval = 60.0
    # Entries are pickled but not zlib-compressed: tiles arrive gzipped already, and a second
    # compression cost ~0.3 ms per cold tile for nothing. A suffix of its own, so that files
    # written compressed by an older version are never read as plain.
    cache_suffix = ".pkl"

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        fname = self._key_to_file(key, version)
        try:
            with open(fname, "rb") as f:
                if not self._is_expired(f):
                    return pickle.loads(f.read())  # noqa: S301 (our own files, as Django does)
        except FileNotFoundError:
            pass
        return default

    def _write_content(self, file: Any, timeout: Any, value: Any) -> None:
        expiry = self.get_backend_timeout(timeout)
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(pickle.dumps(value, self.pickle_protocol))

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        value = self.get(key, _MISSING, version)
        if value is _MISSING:
            return False
        self.set(key, value, timeout, version)
        return True

    def __init__(self, dir: str, params: dict[str, Any]) -> None:
        super().__init__(dir, params)
        self._next_cull = 0.0

    def _cull(self) -> None:
        now = time.monotonic()
        if now >= self._next_cull:
            self._next_cull = now + self.cull_interval
            super()._cull()
