"""Keep the parcel × zone overlaps and parcel × road rows in step when parcels, zones or
road boundaries change.

Imports of zones and road boundaries compute their own rows inside the import. An import of
parcels is announced by `gis.layers.layer_changed` after it commits, without a list of rows:
the parcels changed since the last refresh are recomputed then. Single edits (the admin, a
service) recompute their own row's overlaps in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models.signals import post_delete, post_save

from gis.layers import layer_changed
from gis.models import Parcel
from planning import overlaps

PARCEL_KINDS = ("parcels",)


def parcels_imported(sender: Any, kind: str, **kwargs: Any) -> None:
    if kind in PARCEL_KINDS:
        overlaps.refresh_changed_parcels()


def parcel_saved(sender: Any, instance: Parcel, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        overlaps.sync_parcels([instance.pk])


def zone_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        overlaps.sync_zones([instance.pk])
        _update_area(instance.decision_id)


def road_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        overlaps.sync_roads([instance.pk])


def zone_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    _update_area(instance.decision_id)


def _update_area(decision_id: int) -> None:
    from planning.layers import update_decision_areas

    with connection.cursor() as cursor:
        update_decision_areas(cursor, "SELECT %s::bigint", [decision_id])


def connect() -> None:
    from planning.models import PlanZone, RoadBoundary

    layer_changed.connect(parcels_imported, dispatch_uid="planning-parcels-imported")
    post_save.connect(parcel_saved, sender=Parcel, dispatch_uid="planning-parcel-saved")
    post_save.connect(zone_saved, sender=PlanZone, dispatch_uid="planning-zone-saved")
    post_save.connect(road_saved, sender=RoadBoundary, dispatch_uid="planning-road-saved")
    post_delete.connect(zone_deleted, sender=PlanZone, dispatch_uid="planning-zone-deleted")
