"""Factories for the reports tests: categories, reports filed through the service, photos."""

from __future__ import annotations

import importlib
import io
import itertools

from django.contrib.gis.geos import Point
from PIL import Image

from reports.models import Category, Report
from reports.services import submit_report
from tests.factories import MIDDLE, NORTH, SOUTH, WEST

_seed = importlib.import_module("reports.migrations.0002_default_categories")
_numbers = itertools.count(1)

# Inside ward A (26905, west half of the made-up district) and inside ward B (26908).
IN_WARD_A = Point(106.69, 10.80, srid=4326)
IN_WARD_B = Point(106.71, 10.80, srid=4326)
ON_THE_BOUNDARY = Point(MIDDLE, 10.80, srid=4326)
OUTSIDE = Point(WEST - 0.05, (SOUTH + NORTH) / 2, srid=4326)


def category(code: str = "illegal-construction", **overrides) -> Category:
    """One of the default categories (transactional tests empty the seeded table)."""
    for position, (c, name, name_en, group, level, dept, days) in enumerate(_seed.CATEGORIES):
        if c == code:
            defaults = {
                "name": name,
                "name_en": name_en,
                "group": group,
                "responsible_level": level,
                "department_code": dept,
                "target_days": days,
                "position": position,
            }
            break
    else:
        defaults = {
            "name": code,
            "group": "urban_order",
            "responsible_level": "ward",
            "target_days": 5,
        }
    defaults.update(overrides)
    found, created = Category.objects.get_or_create(code=code, defaults=defaults)
    if not created and overrides:
        Category.objects.filter(pk=found.pk).update(**overrides)
        found.refresh_from_db()
    return found


def file_report(
    location: Point = IN_WARD_A, *, code: str = "illegal-construction", **fields
) -> Report:
    fields.setdefault("description", f"Nhà đang xây thêm tầng không phép #{next(_numbers)}")
    fields.setdefault("device_id", f"device-{next(_numbers)}")
    return submit_report(category=category(code), location=location, **fields)


def jpeg_bytes(
    size: tuple[int, int] = (640, 480), *, gps: bool = False, color=(200, 80, 40), fmt="JPEG"
) -> bytes:
    """A photo; with `gps`, EXIF that says where it was taken (10°48'N 106°42'E) and by what."""
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    kwargs = {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x0110] = "Model X"  # Model
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd.update({1: "N", 2: (10.0, 48.0, 30.0), 3: "E", 4: (106.0, 42.0, 15.0)})
        kwargs["exif"] = exif
    image.save(out, fmt, **kwargs)
    return out.getvalue()
