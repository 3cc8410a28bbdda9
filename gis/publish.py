"""The published layers: what the vector tiles (and later the OGC API) serve, and nothing more.

A layer is a SQL source plus the explicit list of its public columns: whatever else the
source selects never leaves the database, so personal data cannot slip out by adding a
column to a table. Each layer also has a data version, kept in Django's cache, that changes
whenever its data may have changed (an import announced by `layer_changed`, or an edit of
one of its models); caches of tiles and documents are keyed by it. The spatial core
publishes administrative units and parcels; feature apps register theirs from their
`AppConfig.ready()` with `register_layer()`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from django.core.cache import caches
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PropertyType = Literal["string", "integer", "number", "boolean"]
Overview = Literal["simplify", "clusters"]

CACHE_ALIAS = "default"
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*\Z")
# Written into a source's SQL, this is bound to the local date of the request: such a layer
# (units valid today, say) changes at midnight without any edit, so its version does too.
TODAY = "%(today)s"


@dataclass(frozen=True)
class Property:
    """A public attribute of a layer: a column of its source, with its type for clients."""

    name: str
    type: PropertyType = "string"

    @property
    def tilejson_type(self) -> str:
        return {"string": "String", "boolean": "Boolean"}.get(self.type, "Number")


@dataclass(frozen=True)
class PublishedLayer:
    """A layer served to map clients.

    `source` is a SELECT giving `id` (an integer, the feature id), `geom` (EPSG:4326),
    `geom_3857` (the stored Web-Mercator copy, which tiles read) and at least the columns
    named in `properties`; only those are published. It may use `%(today)s` (see TODAY);
    a literal % must be written %%.

    From `detail_zoom` up, tiles carry every feature with its full geometry. Below it they
    carry a lighter `overview`: "simplify" keeps the features, simplified to the tile's
    resolution; "clusters" replaces them with one point per cell of a fixed grid, with the
    number of features it stands for and the most frequent value of `overview_properties`,
    so that the tile's size has a bound whatever the density and nothing is left out.
    """

    name: str
    title: str | Promise
    source: str
    properties: tuple[Property, ...]
    minzoom: int = 0
    maxzoom: int = 18
    detail_zoom: int = 0
    overview: Overview = "simplify"
    overview_properties: tuple[str, ...] = ()
    datetime_column: str | None = None
    # The properties tiles carry, when the map needs fewer than the OGC API publishes (each
    # column costs per feature in every tile); empty: all of them.
    tile_properties: tuple[str, ...] = ()
    # Models whose saves and deletes change what the layer shows.
    models: tuple[type[Model], ...] = ()
    # The `kind`s of `layer_changed` (import kinds) that change it; its own name by default.
    import_kinds: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [self.name, *(p.name for p in self.properties), *self.overview_properties]
        if self.datetime_column:
            names.append(self.datetime_column)
        for name in names:
            if not _IDENTIFIER.match(name):
                raise ValueError(f"{name!r} is not a lower-case identifier")
        public = {p.name for p in self.properties}
        if not set(self.overview_properties) <= public:
            raise ValueError(f"{self.name}: overview properties must be among its properties")
        if not set(self.tile_properties) <= public:
            raise ValueError(f"{self.name}: tile properties must be among its properties")
        if not 0 <= self.minzoom <= self.detail_zoom <= self.maxzoom <= 24:
            raise ValueError(f"{self.name}: zooms must satisfy 0 ≤ min ≤ detail ≤ max ≤ 24")
        if not self.import_kinds:
            object.__setattr__(self, "import_kinds", (self.name,))

    @property
    def tile_property_list(self) -> tuple[Property, ...]:
        if not self.tile_properties:
            return self.properties
        return tuple(p for p in self.properties if p.name in self.tile_properties)

    @property
    def varies_by_day(self) -> bool:
        return TODAY in self.source

    @property
    def overview_layer_name(self) -> str:
        """The name of the tiles' layer below `detail_zoom`; clusters have other fields."""
        return f"{self.name}_clusters" if self.overview == "clusters" else self.name


_LAYERS: dict[str, PublishedLayer] = {}


def register_layer(layer: PublishedLayer) -> None:
    """Publish `layer`; its models' saves and deletes will change its data version."""
    if layer.name in _LAYERS and _LAYERS[layer.name] != layer:
        raise ValueError(f"Another layer is already published as {layer.name!r}")
    _LAYERS[layer.name] = layer
    for model in layer.models:
        uid = f"publish-{model._meta.label_lower}"
        post_save.connect(_model_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_model_changed, sender=model, dispatch_uid=uid)


def published_layers() -> list[PublishedLayer]:
    return list(_LAYERS.values())


def get_layer(name: str) -> PublishedLayer | None:
    return _LAYERS.get(name)


# --- data versions ----------------------------------------------------------------------


def _version_key(name: str) -> str:
    return f"publish:version:{name}"


def data_version(layer: PublishedLayer) -> str:
    """A token that changes whenever the layer's data may have changed.

    A random token rather than a counter: if the cache loses it (evicted, cleared), the new
    one cannot collide with a version whose tiles are still cached.
    """
    cache = caches[CACHE_ALIAS]
    key = _version_key(layer.name)
    version = cache.get(key)
    if version is None:
        cache.add(key, secrets.token_hex(6), timeout=None)
        version = cache.get(key) or secrets.token_hex(6)
    if layer.varies_by_day:
        version = f"{version}-{timezone.localdate():%Y%m%d}"
    return version


def bump_versions(names: Iterable[str]) -> None:
    """Give the named layers a new data version, so their cached tiles are no longer used."""
    caches[CACHE_ALIAS].set_many(
        {_version_key(name): secrets.token_hex(6) for name in names}, timeout=None
    )


def _changed_by_kind(kind: str) -> list[str]:
    return [layer.name for layer in _LAYERS.values() if kind in layer.import_kinds]


def _layer_changed(sender: Any, kind: str, **kwargs: Any) -> None:
    names = _changed_by_kind(kind)
    if names:
        bump_versions(names)


def _model_changed(sender: type[Model], using: str, **kwargs: Any) -> None:
    names = [layer.name for layer in _LAYERS.values() if sender in layer.models]
    # After the commit: a tile built from the old rows meanwhile is stored under the old
    # version, which nobody asks for any more.
    transaction.on_commit(partial(bump_versions, names), using=using)


# --- the core's layers ------------------------------------------------------------------

UNITS_SOURCE = f"""
    SELECT u.id, u.geom, u.geom_3857, u.code, u.name, u.level, p.code AS parent_code
    FROM spatial_adminunit u LEFT JOIN spatial_adminunit p ON p.id = u.parent_id
    WHERE u.valid_from <= {TODAY} AND (u.valid_to IS NULL OR u.valid_to >= {TODAY})"""

# lpad cuts longer text, hence greatest(): sheet 1234 stays 1234, as in Parcel.key.
PARCELS_SOURCE = """
    SELECT p.id, p.geom, p.geom_3857,
           w.code || '-' || lpad(p.sheet_no::text, greatest(3, length(p.sheet_no::text)), '0')
                  || '-' || lpad(p.parcel_no::text, greatest(4, length(p.parcel_no::text)), '0')
             AS key,
           w.code AS ward_code, p.sheet_no, p.parcel_no, p.land_use,
           round(p.area_m2 * 10) / 10 AS area_m2
    FROM spatial_parcel p JOIN spatial_adminunit w ON w.id = p.ward_id"""


# What the parcel tiles carry (see the parcels layer below).
PARCEL_TILE_PROPERTIES = ("ward_code", "sheet_no", "parcel_no", "land_use", "area_m2")


def register_core_layers() -> None:
    from gis.layers import layer_changed
    from gis.models import AdminUnit, Parcel

    layer_changed.connect(_layer_changed, dispatch_uid="publish-layer-changed")
    register_layer(
        PublishedLayer(
            name="units",
            title=_("Administrative units"),
            source=UNITS_SOURCE,
            properties=(
                Property("code"),
                Property("name"),
                Property("level"),
                Property("parent_code"),
            ),
            minzoom=6,
            maxzoom=18,
            detail_zoom=12,
            overview="simplify",
            models=(AdminUnit,),
        )
    )
    register_layer(
        PublishedLayer(
            name="parcels",
            title=_("Cadastral parcels"),
            source=PARCELS_SOURCE,
            properties=(
                Property("key"),
                Property("ward_code"),
                Property("sheet_no", "integer"),
                Property("parcel_no", "integer"),
                Property("land_use"),
                Property("area_m2", "number"),
            ),
            minzoom=13,
            maxzoom=18,
            detail_zoom=16,
            overview="clusters",
            overview_properties=("land_use",),
            # The key is ward-sheet-parcel, which a map can join itself; building it per
            # feature cost 0.5 of 4.2 ms of SQL per z16 tile. The OGC API still publishes it.
            tile_properties=PARCEL_TILE_PROPERTIES,
            # A parcel's key and ward code are read from its ward.
            models=(Parcel, AdminUnit),
            import_kinds=("parcels", "units"),
        )
    )
