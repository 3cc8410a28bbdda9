"""Small factory functions for planning tests: decisions, zones, road boundaries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.gis.geos import LineString, MultiLineString, MultiPolygon

from planning.models import DecisionStatus, PlanDecision, PlanKind, PlanZone, RoadBoundary
from tests.factories import MIDDLE, NORTH, SOUTH, WEST, rect


def make_decision(number: str = "1234/QĐ-UBND", **fields: Any) -> PlanDecision:
    fields.setdefault("decided_on", dt.date(2021, 3, 15))
    fields.setdefault("valid_from", fields["decided_on"])
    fields.setdefault("authority", "Ủy ban nhân dân Thành phố Hồ Chí Minh")
    fields.setdefault("kind", PlanKind.ZONING)
    fields.setdefault("scale", 2000)
    fields.setdefault("title", "Quy hoạch phân khu tỷ lệ 1/2000 khu dân cư Phường 13")
    if fields.get("valid_to"):
        fields.setdefault("status", DecisionStatus.SUPERSEDED)
    return PlanDecision.objects.create(number=number, **fields)


def make_zone(
    decision: PlanDecision,
    geom: MultiPolygon | None = None,
    *,
    code: str = "NNO",
    zone_id: str = "I.1",
    **limits: Any,
) -> PlanZone:
    limits.setdefault("max_floors", 5)
    limits.setdefault("max_height_m", 25.0)
    limits.setdefault("max_coverage_pct", 80.0)
    limits.setdefault("max_far", 4.0)
    return PlanZone.objects.create(
        decision=decision,
        zone_id=zone_id,
        code=code,
        function_name=limits.pop("function_name", "Đất nhóm nhà ở hiện hữu cải tạo"),
        geom=geom or rect(WEST, SOUTH, MIDDLE, NORTH),
        **limits,
    )


def make_road(
    name: str = "Điện Biên Phủ",
    width_m: float = 30.0,
    line: list[tuple[float, float]] | None = None,
    decision: PlanDecision | None = None,
) -> RoadBoundary:
    coords = line or [(WEST, 10.79), (MIDDLE, 10.79)]
    return RoadBoundary.objects.create(
        street_name=name,
        planned_width_m=width_m,
        decision=decision,
        geom=MultiLineString(LineString(coords), srid=4326),
    )
