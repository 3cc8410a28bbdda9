"""Land-use plans: the decisions that approve them, their zones, road boundaries, and overlaps.

A plan decision (quyết định phê duyệt quy hoạch) approves a set of plan zones (ô quy hoạch),
each with a zoning code and the limits a builder must respect, and possibly the road
boundaries (lộ giới) of the streets it covers. A newer decision supersedes an older one; the
older keeps its zones, so the plan in force on any past day can still be read.

`ParcelZoneOverlap` holds, for each parcel, each zone it touches and the share of the
parcel's area inside it, and `ParcelRoad` each road boundary the parcel reaches or faces,
both computed in bulk by `planning.overlaps` so that answering "what is planned on this
parcel?" costs index probes and joins, not geometry at each click.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import Transform
from django.contrib.postgres.indexes import GistIndex
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gis.models import AREA_SRID, WEB_MERCATOR, Parcel
from gis.text import fold


def _area_m2() -> Func:
    return Func(
        Func(F("geom"), AREA_SRID, function="ST_Transform"),
        function="ST_Area",
        output_field=models.FloatField(),
    )


# The widest plausible planned street: the import refuses wider, the table too.
MAX_PLANNED_WIDTH_M = 200


def _corridor(srid: int) -> Func:
    """The planned street: the centre line widened by half the planned width on each side.

    Buffered in the metric projection (flat ends: a street ends where it meets another),
    then brought back to `srid`.
    """
    metric = Func(
        F("geom"), AREA_SRID, function="ST_Transform", output_field=models.GeometryField()
    )
    buffered = Func(
        metric,
        F("planned_width_m") / 2.0,
        Value("endcap=flat join=round"),
        function="ST_Buffer",
        output_field=models.GeometryField(),
    )
    back = Func(buffered, srid, function="ST_Transform", output_field=models.GeometryField())
    return Func(back, function="ST_Multi", output_field=models.MultiPolygonField(srid=srid))


class PlanKind(models.TextChoices):
    GENERAL = "general", _("General plan")
    ZONING = "zoning", _("Zoning plan")
    DETAILED = "detailed", _("Detailed plan")


class DecisionStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    SUPERSEDED = "superseded", _("Superseded")


class ZoneGroup(models.TextChoices):
    """Land-use groups the map colours zones by."""

    RESIDENTIAL = "residential", _("Residential")
    MIXED = "mixed", _("Mixed use")
    PUBLIC = "public", _("Public services")
    EDUCATION = "education", _("Education")
    OFFICES = "offices", _("Offices")
    RELIGIOUS = "religious", _("Religious")
    GREEN = "green", _("Green space")
    TRANSPORT = "transport", _("Transport")
    WATER = "water", _("Water")
    INFRASTRUCTURE = "infrastructure", _("Technical infrastructure")
    DEFENCE = "defence", _("Security and defence")
    OTHER = "other", _("Other")


class PlanDecisionQuerySet(models.QuerySet):
    def in_force_on(self, day: dt.date | None = None) -> PlanDecisionQuerySet:
        day = day or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class PlanDecision(models.Model):
    """A decision approving a plan: its number, date, authority, kind, scale and status."""

    number = models.CharField(_("decision number"), max_length=60, unique=True)
    title = models.CharField(_("plan name"), max_length=300, blank=True)
    decided_on = models.DateField(_("decision date"))
    authority = models.CharField(_("approving authority"), max_length=200)
    kind = models.CharField(_("plan kind"), max_length=16, choices=PlanKind.choices)
    scale = models.PositiveIntegerField(_("scale (1:N)"), help_text=_("2000 for a 1/2000 plan"))
    status = models.CharField(
        _("status"), max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.IN_FORCE
    )
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("in force until"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
    )
    area = models.MultiPolygonField(_("area covered"), srid=4326, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    objects = PlanDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan decision")
        verbose_name_plural = _("plan decisions")
        ordering = ["-decided_on", "number"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="in_force") & Q(valid_to__isnull=True))
                | (Q(status="superseded") & Q(valid_to__isnull=False)),
                name="plandecision_status_matches_validity",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="plandecision_validity_ordered",
            ),
            models.CheckConstraint(condition=Q(scale__gt=0), name="plandecision_scale_positive"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def scale_label(self) -> str:
        return f"1/{self.scale}"


class ZoneType(models.Model):
    """A zoning-plan code (NNO, HH, CXCL...), kept as data: each city's list differs."""

    code = models.CharField(_("code"), max_length=16, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    group = models.CharField(_("group"), max_length=20, choices=ZoneGroup.choices)

    class Meta:
        verbose_name = _("zoning code")
        verbose_name_plural = _("zoning codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class PlanZone(models.Model):
    """A plan zone (ô quy hoạch): its code, function and the limits on what may be built."""

    decision = models.ForeignKey(
        PlanDecision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="zones"
    )
    zone_id = models.CharField(_("zone id"), max_length=40, blank=True)
    code = models.CharField(_("zoning code"), max_length=16)
    function_name = models.CharField(_("function"), max_length=200, blank=True)
    max_floors = models.PositiveSmallIntegerField(_("max floors"), null=True, blank=True)
    max_height_m = models.FloatField(_("max height (m)"), null=True, blank=True)
    max_coverage_pct = models.FloatField(_("max building coverage (%)"), null=True, blank=True)
    max_far = models.FloatField(_("max floor-area ratio"), null=True, blank=True)
    setback_m = models.FloatField(_("setback (m)"), null=True, blank=True)
    geom = models.MultiPolygonField(_("boundary"), srid=4326)
    geom_3857 = models.GeneratedField(
        expression=Transform("geom", WEB_MERCATOR),
        output_field=models.MultiPolygonField(srid=WEB_MERCATOR),
        db_persist=True,
    )
    area_m2 = models.GeneratedField(
        expression=_area_m2(), output_field=models.FloatField(_("area (m²)")), db_persist=True
    )
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        verbose_name = _("plan zone")
        verbose_name_plural = _("plan zones")
        ordering = ["decision", "zone_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_coverage_pct__isnull=True)
                | Q(max_coverage_pct__gte=0, max_coverage_pct__lte=100),
                name="planzone_coverage_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=Q(max_far__isnull=True) | Q(max_far__gte=0),
                name="planzone_far_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(max_height_m__isnull=True) | Q(max_height_m__gte=0),
                name="planzone_height_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(setback_m__isnull=True) | Q(setback_m__gte=0),
                name="planzone_setback_not_negative",
            ),
        ]
        indexes = [GistIndex(fields=["geom_3857"], name="planzone_geom_3857_gist")]

    def __str__(self) -> str:
        return f"{self.zone_id or '#' + str(self.pk)} {self.code}"


class RoadBoundary(models.Model):
    """A road boundary (lộ giới): a street's centre line and its planned width."""

    decision = models.ForeignKey(
        PlanDecision,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="road_boundaries",
    )
    street_name = models.CharField(_("street"), max_length=200)
    street_search = models.CharField(max_length=200, editable=False, db_index=True)
    planned_width_m = models.FloatField(_("planned width (m)"))
    geom = models.MultiLineStringField(_("centre line"), srid=4326)
    geom_3857 = models.GeneratedField(
        expression=Transform("geom", WEB_MERCATOR),
        output_field=models.MultiLineStringField(srid=WEB_MERCATOR),
        db_persist=True,
    )
    corridor = models.GeneratedField(
        expression=_corridor(4326),
        output_field=models.MultiPolygonField(srid=4326),
        db_persist=True,
    )
    corridor_3857 = models.GeneratedField(
        expression=_corridor(WEB_MERCATOR),
        output_field=models.MultiPolygonField(srid=WEB_MERCATOR),
        db_persist=True,
    )
    # The centre line and the corridor in the metric projection, kept so that the plan
    # lookup measures distances and areas without projecting each street at each click
    # (projecting them was a third of the lookup's time in PostgreSQL).
    geom_m = models.GeneratedField(
        expression=Transform("geom", AREA_SRID),
        output_field=models.MultiLineStringField(srid=AREA_SRID),
        db_persist=True,
    )
    corridor_m = models.GeneratedField(
        expression=_corridor(AREA_SRID),
        output_field=models.MultiPolygonField(srid=AREA_SRID),
        db_persist=True,
    )
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        verbose_name = _("road boundary")
        verbose_name_plural = _("road boundaries")
        ordering = ["street_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_width_m__gt=0, planned_width_m__lte=MAX_PLANNED_WIDTH_M),
                name="roadboundary_width_plausible",
            ),
        ]
        indexes = [
            GistIndex(fields=["corridor_3857"], name="roadboundary_corridor_3857_gist"),
        ]

    def __str__(self) -> str:
        return f"{self.street_name} ({self.planned_width_m:g} m)"

    def save(self, *args, **kwargs) -> None:
        self.street_search = fold(self.street_name)
        super().save(*args, **kwargs)


def _computed_for_parcel(related_name: str) -> models.ForeignKey:
    """The parcel of a row that planning.overlaps computes. No database constraint: the
    spatial core bulk-loads and truncates parcels without knowing about plans; rows of a
    parcel that is gone are cleaned by the next refresh. No index of its own: the row's
    unique constraint starts with it."""
    return models.ForeignKey(
        Parcel,
        verbose_name=_("parcel"),
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name=related_name,
    )


class ParcelZoneOverlap(models.Model):
    """The part of a parcel inside a plan zone: its area and its share of the parcel."""

    parcel = _computed_for_parcel("zone_overlaps")
    zone = models.ForeignKey(
        PlanZone, verbose_name=_("plan zone"), on_delete=models.CASCADE, related_name="overlaps"
    )
    area_m2 = models.FloatField(_("area (m²)"))
    share = models.FloatField(_("share of the parcel"))

    class Meta:
        verbose_name = _("parcel and zone overlap")
        verbose_name_plural = _("parcel and zone overlaps")
        constraints = [
            models.UniqueConstraint(fields=["parcel", "zone"], name="overlap_parcel_zone"),
        ]

    def __str__(self) -> str:
        return f"{self.parcel_id} × {self.zone_id}: {self.share:.1%}"


class ParcelRoad(models.Model):
    """A road boundary that a parcel reaches into or faces (comes within
    `planning.overlaps.FACING_M` of its planned edge): how far the parcel is from the
    centre line and how much of its area lies inside the planned street."""

    parcel = _computed_for_parcel("road_boundaries")
    road = models.ForeignKey(
        RoadBoundary,
        verbose_name=_("road boundary"),
        on_delete=models.CASCADE,
        related_name="parcels",
    )
    distance_m = models.FloatField(_("distance to the centre line (m)"))
    inside_m2 = models.FloatField(_("area inside the planned street (m²)"))

    class Meta:
        verbose_name = _("parcel and road boundary")
        verbose_name_plural = _("parcels and road boundaries")
        constraints = [
            models.UniqueConstraint(fields=["parcel", "road"], name="parcelroad_parcel_road"),
        ]

    def __str__(self) -> str:
        return f"{self.parcel_id} × {self.road_id}: {self.distance_m:.1f} m"


class OverlapSync(models.Model):
    """One row: parcels changed since `parcels_seen_until` still need their overlaps computed."""

    parcels_seen_until = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("overlap bookkeeping")
