"""Reports and people for the leaders' tests, on the dossiers tests' office (a district with
two wards side by side: ward A west of lon 106.70, ward B east of it)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import numpy as np
from django.contrib.gis.geos import Point
from django.utils import timezone

from reports.models import Report, Status
from tests.reports.factories import file_report
from urbanmgmt.models import Role

# Inside ward A, and a spot of ward B.
CLUSTER = (106.6905, 10.8055)
IN_WARD_B = (106.712, 10.792)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def report_at(
    lon: float,
    lat: float,
    *,
    filed: dt.date | None = None,
    code: str = "illegal-construction",
    **fields: Any,
) -> Report:
    """A report filed through the service (signals, routing, due date and all)."""
    if filed is not None:
        fields["now"] = at(filed)
    return file_report(Point(lon, lat, srid=4326), code=code, **fields)


def cluster(n: int, *, center=CLUSTER, spread_m: float = 25.0, seed: int = 1, **fields):
    """`n` reports scattered a few metres around `center`."""
    rng = np.random.default_rng(seed)
    degrees = spread_m / 111_000
    return [
        report_at(center[0] + dx, center[1] + dy, **fields)
        for dx, dy in rng.normal(0, degrees, size=(n, 2))
    ]


def close(report: Report, *, after_days: float, status: str = Status.RESOLVED) -> Report:
    """Close `report` `after_days` after it was filed (the workflow's timing, set directly
    so that medians can be computed by hand)."""
    closed = report.created_at + dt.timedelta(days=after_days)
    Report.objects.filter(pk=report.pk).update(status=status, closed_at=closed)
    report.refresh_from_db()
    return report


def assign(report: Report, officer: Any, status: str = Status.ASSIGNED) -> Report:
    Report.objects.filter(pk=report.pk).update(assignee=officer, status=status)
    report.refresh_from_db()
    return report


def ward_leader(office: Any, ward: Any = None):
    from tests.accounts_factories import make_official

    return make_official(ward or office.ward_a, Role.LEADER)


def png_size(body: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(body)) as image:
        image.load()
        return image.size
