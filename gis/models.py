"""The spatial core: administrative units, cadastral parcels, land-use codes and imports.

Geometries are stored in EPSG:4326. Each layer also keeps a generated Web-Mercator copy
(`geom_3857`) so that vector tiles never transform geometries per request, and measures
areas in the TM-3 105°45′ projection of VN-2000 (EPSG:9210), the CRS of Ho Chi Minh City's
cadastral maps.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Point
from django.contrib.postgres.indexes import GistIndex
from django.db.models import F, Func, Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gis.text import fold

METRIC_SRID = 9210  # VN-2000 / TM-3 105-45, added to spatial_ref_sys by migration 0001
# The same TM-3 105°45′ projection (k = 0.9999) without VN-2000's datum shift, also added by
# migration 0001. Areas measured in it agree with EPSG:9210 to about 2 ppm (the shift is a
# translation plus a 0.25 ppm scale), and PostGIS computes them three times as fast.
AREA_SRID = 909210
WEB_MERCATOR = 3857
# A unit loaded without a start date has been valid since before our records.
SINCE_EVER = dt.date(1900, 1, 1)


def _area_m2() -> Func:
    return Func(
        Func(F("geom"), AREA_SRID, function="ST_Transform"),
        function="ST_Area",
        output_field=models.FloatField(),
    )


class UnitLevel(models.TextChoices):
    CITY = "city", _("Province or city")
    DISTRICT = "district", _("District")
    WARD = "ward", _("Ward")
    COMMUNE = "commune", _("Commune")
    SPECIAL_ZONE = "special_zone", _("Special zone")


#: Levels at the bottom of the tree, where parcels, reports and dossiers belong.
BASE_LEVELS = (UnitLevel.WARD, UnitLevel.COMMUNE, UnitLevel.SPECIAL_ZONE)


class AdminUnitQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date | None = None) -> AdminUnitQuerySet:
        day = day or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def containing(self, point: Point, on: dt.date | None = None) -> AdminUnitQuerySet:
        """Units valid on `on` (today by default) whose area covers `point`, boundary included."""
        return self.valid_on(on).filter(geom__covers=point)

    def base_units(self) -> AdminUnitQuerySet:
        return self.filter(level__in=BASE_LEVELS)

    def search(self, text: str) -> AdminUnitQuerySet:
        return self.filter(search_name__contains=fold(text))


class AdminUnit(models.Model):
    """An administrative unit (city, district, ward...) in one tree of any depth.

    A unit that is merged or renamed is closed with `valid_to` rather than deleted, and the
    units that replace it list it among their `predecessors`, so history stays queryable.
    """

    # Indexed as the first column of adminunit_code_valid_from.
    code = models.CharField(_("official code"), max_length=16)
    name = models.CharField(_("name"), max_length=200)
    search_name = models.CharField(max_length=200, editable=False, db_index=True)
    level = models.CharField(_("level"), max_length=16, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    geom = models.MultiPolygonField(_("boundary"), srid=4326)
    geom_3857 = models.GeneratedField(
        expression=Transform("geom", WEB_MERCATOR),
        output_field=models.MultiPolygonField(srid=WEB_MERCATOR),
        db_persist=True,
    )
    area_m2 = models.GeneratedField(
        expression=_area_m2(), output_field=models.FloatField(_("area (m²)")), db_persist=True
    )
    valid_from = models.DateField(_("valid from"), default=SINCE_EVER)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    predecessors = models.ManyToManyField(
        "self",
        verbose_name=_("formed from"),
        symmetrical=False,
        blank=True,
        related_name="successors",
    )
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "valid_from"], name="adminunit_code_valid_from"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="adminunit_validity_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["level"]),
            GistIndex(fields=["geom_3857"], name="adminunit_geom_3857_gist"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs) -> None:
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class LandUseType(models.Model):
    """A current land-use code (mã loại đất), kept as data because the official list changes."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    group = models.CharField(_("group"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("land-use type")
        verbose_name_plural = _("land-use types")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class ParcelQuerySet(models.QuerySet):
    def containing(self, point: Point) -> ParcelQuerySet:
        return self.filter(geom__covers=point)

    def by_key(self, ward_code: str, sheet_no: int, parcel_no: int) -> ParcelQuerySet:
        return self.filter(ward__code=ward_code, sheet_no=sheet_no, parcel_no=parcel_no)

    def search_address(self, text: str) -> ParcelQuerySet:
        return self.filter(address_search__contains=fold(text))


class Parcel(models.Model):
    """A cadastral parcel (thửa đất), keyed by ward, map sheet (số tờ) and number (số thửa)."""

    # No index of its own: the natural key's unique index starts with ward_id.
    ward = models.ForeignKey(
        AdminUnit,
        verbose_name=_("ward"),
        on_delete=models.PROTECT,
        related_name="parcels",
        db_index=False,
    )
    sheet_no = models.PositiveIntegerField(_("map sheet number"))
    parcel_no = models.PositiveIntegerField(_("parcel number"))
    land_use = models.CharField(_("current land use"), max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    address_search = models.CharField(max_length=300, blank=True, editable=False)
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

    objects = ParcelQuerySet.as_manager()

    class Meta:
        verbose_name = _("cadastral parcel")
        verbose_name_plural = _("cadastral parcels")
        ordering = ["ward", "sheet_no", "parcel_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "sheet_no", "parcel_no"], name="parcel_natural_key"
            ),
        ]
        indexes = [GistIndex(fields=["geom_3857"], name="parcel_geom_3857_gist")]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        """The portal key: ward code, sheet (3 digits) and parcel (4 digits)."""
        return f"{self.ward.code}-{self.sheet_no:03d}-{self.parcel_no:04d}"

    def save(self, *args, **kwargs) -> None:
        self.address_search = fold(self.address)
        super().save(*args, **kwargs)


class LayerImport(models.Model):
    """One successful run of `import_layer`, kept as a record of what came in and when."""

    kind = models.CharField(_("kind"), max_length=50)
    source = models.CharField(_("source file"), max_length=500)
    read = models.PositiveIntegerField(_("read"))
    created = models.PositiveIntegerField(_("created"))
    updated = models.PositiveIntegerField(_("updated"))
    repaired = models.PositiveIntegerField(_("repaired"))
    refused = models.PositiveIntegerField(_("refused"))
    seconds = models.FloatField(_("seconds"))
    finished_at = models.DateTimeField(_("finished at"), auto_now_add=True)

    class Meta:
        verbose_name = _("layer import")
        verbose_name_plural = _("layer imports")
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"{self.kind} ← {self.source}"
