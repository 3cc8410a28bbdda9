"""The planning layers served as vector tiles (and OGC API collections) by the spatial core."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gis.publish import TODAY, Property, PublishedLayer, register_layer

# Zones of the decisions in force today, with their land-use group for colouring.
ZONES_SOURCE = f"""
    SELECT z.id, z.geom, z.geom_3857, z.zone_id, z.code,
           COALESCE(t."group", 'other') AS zone_group, z.function_name,
           z.max_floors, z.max_height_m, z.max_coverage_pct, z.max_far,
           d.number AS decision
    FROM planning_planzone z
    JOIN planning_plandecision d ON d.id = z.decision_id
    LEFT JOIN planning_zonetype t ON t.code = z.code
    WHERE d.valid_from <= {TODAY} AND (d.valid_to IS NULL OR d.valid_to >= {TODAY})"""

# The planned street corridors (centre line widened to the planned width).
ROADS_SOURCE = f"""
    SELECT r.id, r.corridor AS geom, r.corridor_3857 AS geom_3857, r.street_name,
           r.planned_width_m
    FROM planning_roadboundary r
    LEFT JOIN planning_plandecision d ON d.id = r.decision_id
    WHERE r.decision_id IS NULL
       OR (d.valid_from <= {TODAY} AND (d.valid_to IS NULL OR d.valid_to >= {TODAY}))"""


def register_layers() -> None:
    from planning.models import PlanDecision, PlanZone, RoadBoundary, ZoneType

    register_layer(
        PublishedLayer(
            name="plan_zones",
            title=_("Plan zones"),
            source=ZONES_SOURCE,
            properties=(
                Property("zone_id"),
                Property("code"),
                Property("zone_group"),
                Property("function_name"),
                Property("max_floors", "integer"),
                Property("max_height_m", "number"),
                Property("max_coverage_pct", "number"),
                Property("max_far", "number"),
                Property("decision"),
            ),
            minzoom=10,
            maxzoom=18,
            detail_zoom=15,
            overview="simplify",
            models=(PlanZone, PlanDecision, ZoneType),
            import_kinds=("plan_zones",),
        )
    )
    register_layer(
        PublishedLayer(
            name="road_boundaries",
            title=_("Road boundaries"),
            source=ROADS_SOURCE,
            properties=(Property("street_name"), Property("planned_width_m", "number")),
            minzoom=12,
            maxzoom=18,
            detail_zoom=15,
            overview="simplify",
            models=(RoadBoundary, PlanDecision),
            import_kinds=("road_boundaries",),
        )
    )
