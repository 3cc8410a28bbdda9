"""The zoning check: a permit's proposed building against the plan zones on its parcel.

Each limit of each zone in force that covers a noticeable part of the parcel (floors, height,
building coverage, floor-area ratio, setback) is compared with the proposed building; every
breach is reported with the figure, the limit, the zone and the plan decision it comes from.
A planned street (road boundary, lộ giới) crossing the parcel takes its part of the lot out
of what may be built on, so a footprint that does not fit in the rest is a breach too.

The plans are read through `planning`'s querysets, never written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.gis.db.models.functions import Intersection
from django.db.models import FloatField, Func, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers.models import Dossier
from gis.models import AREA_SRID, Parcel

# A zone touching less than this share of the parcel is digitising noise, not its plan.
MIN_SHARE = 0.05

LIMITS = {
    "floors": gettext_lazy("Floors"),
    "height": gettext_lazy("Height (m)"),
    "coverage": gettext_lazy("Building coverage (%)"),
    "far": gettext_lazy("Floor-area ratio"),
    "setback": gettext_lazy("Setback (m)"),
    "road_boundary": gettext_lazy("Road boundary"),
}


@dataclass(frozen=True)
class Breach:
    limit: str
    proposed: float
    allowed: float
    zone: str
    decision: str
    decided_on: dt.date | None
    message: str

    @property
    def label(self) -> str:
        return str(LIMITS[self.limit])


@dataclass
class ZoningCheck:
    """What the reviewer sees: the zones found, each breach, and what could not be checked."""

    zones: list[str] = field(default_factory=list)
    breaches: list[Breach] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def checked(self) -> bool:
        return bool(self.zones)

    @property
    def passes(self) -> bool:
        return self.checked and not self.breaches


def _num(value: Decimal | float | int | None) -> float | None:
    return None if value is None else float(value)


def check_building(
    *,
    parcel: Parcel,
    floors: int | None,
    height_m: float | None,
    footprint_m2: float | None,
    gross_floor_area_m2: float | None,
    setback_m: float | None,
    on: dt.date | None = None,
) -> ZoningCheck:
    """Compare a proposed building on `parcel` with the plan in force on `on` (today)."""
    from planning.models import ParcelZoneOverlap, PlanDecision, RoadBoundary

    day = on or timezone.localdate()
    result = ZoningCheck()
    in_force = PlanDecision.objects.in_force_on(day)
    overlaps = (
        ParcelZoneOverlap.objects.filter(
            parcel=parcel, share__gte=MIN_SHARE, zone__decision__in=in_force
        )
        .select_related("zone__decision")
        .order_by("-share", "zone_id")
    )
    area = float(parcel.area_m2 or 0)
    for overlap in overlaps:
        zone = overlap.zone
        decision = zone.decision
        name = f"{zone.zone_id or zone.pk} ({zone.code})"
        result.zones.append(name)
        source = _("decision %(number)s of %(date)s") % {
            "number": decision.number,
            "date": decision.decided_on.strftime("%d/%m/%Y"),
        }

        found: list[tuple[str, float, float, str]] = []
        if floors is not None and zone.max_floors is not None and floors > zone.max_floors:
            found.append(
                (
                    "floors",
                    floors,
                    zone.max_floors,
                    _("%(proposed)s floors; zone %(zone)s allows %(allowed)s (%(source)s)."),
                )
            )
        if height_m is not None and zone.max_height_m is not None and height_m > zone.max_height_m:
            found.append(
                (
                    "height",
                    height_m,
                    zone.max_height_m,
                    _("%(proposed)s m high; zone %(zone)s allows %(allowed)s m (%(source)s)."),
                )
            )
        if area > 0 and footprint_m2 is not None and zone.max_coverage_pct is not None:
            coverage = round(footprint_m2 / area * 100, 1)
            if coverage > zone.max_coverage_pct:
                found.append(
                    (
                        "coverage",
                        coverage,
                        zone.max_coverage_pct,
                        _(
                            "Covers %(proposed)s%% of the parcel; zone %(zone)s allows "
                            "%(allowed)s%% (%(source)s)."
                        ),
                    )
                )
        if area > 0 and gross_floor_area_m2 is not None and zone.max_far is not None:
            far = round(gross_floor_area_m2 / area, 2)
            if far > zone.max_far:
                found.append(
                    (
                        "far",
                        far,
                        zone.max_far,
                        _(
                            "Floor-area ratio %(proposed)s; zone %(zone)s allows %(allowed)s "
                            "(%(source)s)."
                        ),
                    )
                )
        if zone.setback_m is not None:
            if setback_m is None:
                result.notes.append(
                    _(
                        "Zone %(zone)s asks for a setback of %(m)s m: the proposed setback is "
                        "not given."
                    )
                    % {"zone": name, "m": f"{zone.setback_m:g}"}
                )
            elif setback_m < zone.setback_m:
                found.append(
                    (
                        "setback",
                        setback_m,
                        zone.setback_m,
                        _(
                            "Set back %(proposed)s m; zone %(zone)s asks for %(allowed)s m "
                            "(%(source)s)."
                        ),
                    )
                )
        for limit, proposed, allowed, text in found:
            result.breaches.append(
                Breach(
                    limit=limit,
                    proposed=round(float(proposed), 2),
                    allowed=round(float(allowed), 2),
                    zone=name,
                    decision=decision.number,
                    decided_on=decision.decided_on,
                    message=text
                    % {
                        "proposed": f"{proposed:g}",
                        "allowed": f"{allowed:g}",
                        "zone": name,
                        "source": source,
                    },
                )
            )
    if not result.zones:
        result.notes.append(
            _("No plan zone in force covers this parcel: the limits could not be checked.")
        )
    # Planned streets crossing the lot: their part may not be built on.
    roads = (
        RoadBoundary.objects.filter(corridor__intersects=parcel.geom)
        .filter(Q(decision__isnull=True) | Q(decision__in=in_force))
        .select_related("decision")
        .annotate(
            taken=Func(
                Func(Intersection("corridor", parcel.geom), AREA_SRID, function="ST_Transform"),
                function="ST_Area",
                output_field=FloatField(),
            )
        )
        .order_by("street_name", "id")
    )
    for road in roads:
        taken = float(road.taken or 0.0)
        if taken < 0.5:
            continue
        buildable = max(area - taken, 0.0)
        result.notes.append(
            _(
                "%(taken)s m² of the parcel lie within the planned road boundary of %(street)s (%(width)s m)."
            )
            % {
                "taken": f"{taken:.1f}",
                "street": road.street_name,
                "width": f"{road.planned_width_m:g}",
            }
        )
        if footprint_m2 is not None and footprint_m2 > buildable:
            decision = road.decision
            result.breaches.append(
                Breach(
                    limit="road_boundary",
                    proposed=round(footprint_m2, 2),
                    allowed=round(buildable, 2),
                    zone=road.street_name,
                    decision=decision.number if decision else "",
                    decided_on=decision.decided_on if decision else None,
                    message=_(
                        "A footprint of %(proposed)s m² does not fit in the %(allowed)s m² left "
                        "outside the road boundary of %(street)s (%(width)s m)%(source)s."
                    )
                    % {
                        "proposed": f"{footprint_m2:g}",
                        "allowed": f"{buildable:.1f}",
                        "street": road.street_name,
                        "width": f"{road.planned_width_m:g}",
                        "source": (
                            ", "
                            + _("decision %(number)s of %(date)s")
                            % {
                                "number": decision.number,
                                "date": decision.decided_on.strftime("%d/%m/%Y"),
                            }
                            if decision
                            else ""
                        ),
                    },
                )
            )
    return result


def check_dossier(dossier: Dossier, on: dt.date | None = None) -> ZoningCheck:
    """The zoning check of a permit dossier (its parcel and proposed building)."""
    if dossier.parcel_id is None:
        return ZoningCheck(notes=[_("No parcel is given: the zoning check needs one.")])
    return check_building(
        parcel=dossier.parcel,
        floors=dossier.floors,
        height_m=_num(dossier.height_m),
        footprint_m2=_num(dossier.footprint_m2),
        gross_floor_area_m2=_num(dossier.gross_floor_area_m2),
        setback_m=_num(dossier.setback_m),
        on=on,
    )
