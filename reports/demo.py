"""A year of plausible citizen reports for the demo district, written in bulk.

Reports fall on parcels (never in the river), with a few hot spots where complaints gather
(a market street's sidewalks, a canal bank's dumping), a category mix weighted as HCMC's 1022
portal reports it (sidewalk encroachment and garbage first), and statuses that follow age:
old reports are mostly resolved, recent ones still open, a few overdue. Each gets the history
events of the steps it went through. No photos: the demo stays small and fast to load.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from gis.models import AdminUnit
from reports.models import (
    CLOSED_STATUSES,
    Category,
    CategoryGroup,
    EventKind,
    Report,
    ReportEvent,
    ResponsibleLevel,
    Source,
    Status,
)
from reports.services import due_date
from urbanmgmt.models import Department

# Relative weights by category code prefix; unknown codes get 1.
WEIGHTS = {
    "sidewalk": 6,
    "garbage": 5,
    "dumping": 5,
    "construction": 4,
    "drain": 3,
    "flood": 3,
    "advert": 2,
    "noise": 2,
    "vehicle": 1,
}

DESCRIPTIONS = {
    "urban_order": [
        "Quán ăn lấn chiếm vỉa hè, người đi bộ phải xuống lòng đường.",
        "Công trình xây dựng không che chắn, vật liệu để tràn ra đường.",
        "Bảng quảng cáo dán trái phép trên trụ điện.",
        "Xe máy đậu kín vỉa hè trước chợ.",
    ],
    "environment": [
        "Rác thải sinh hoạt tồn đọng nhiều ngày chưa được thu gom.",
        "Cống bị nghẽn, nước thải tràn ra hẻm khi mưa.",
        "Có người đổ xà bần ven kênh vào ban đêm.",
        "Tiếng ồn từ quán karaoke sau 22 giờ.",
    ],
}


@dataclass(frozen=True)
class DemoSummary:
    reports: int
    events: int
    hot_spots: int


def _weight(category: Category) -> int:
    return next((w for key, w in WEIGHTS.items() if key in category.code), 1)


def _sample_points(
    wards: list[AdminUnit], count: int, rng: random.Random
) -> list[tuple[float, float, int]]:
    """Points on parcels: a share around a few hot-spot parcels, the rest anywhere."""
    ward_ids = [w.id for w in wards]
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT ST_X(c), ST_Y(c), ward_id FROM (
                   SELECT ST_PointOnSurface(geom) AS c, ward_id FROM spatial_parcel
                   WHERE ward_id = ANY(%s) ORDER BY random() LIMIT %s) s""",
            [ward_ids, count],
        )
        anywhere = cursor.fetchall()
        cursor.execute(
            """WITH centres AS (
                   SELECT geom_3857 FROM spatial_parcel WHERE ward_id = ANY(%s)
                   ORDER BY random() LIMIT 6)
               SELECT ST_X(c), ST_Y(c), ward_id FROM (
                   SELECT ST_PointOnSurface(p.geom) AS c, p.ward_id
                   FROM centres JOIN spatial_parcel p
                     ON ST_DWithin(p.geom_3857, centres.geom_3857, 180)
                   ORDER BY random() LIMIT %s) s""",
            [ward_ids, count // 3],
        )
        clustered = cursor.fetchall()
    points = clustered + anywhere[: count - len(clustered)]
    rng.shuffle(points)
    return points


@transaction.atomic
def generate(
    *, wards: list[AdminUnit], count: int, days: int, seed: int, today: dt.date | None = None
) -> DemoSummary:
    rng = random.Random(seed)  # noqa: S311 (a reproducible demo, not a secret)
    today = today or timezone.localdate()
    categories = list(Category.objects.filter(active=True))
    weights = [_weight(c) for c in categories]
    district_ids = {w.parent_id for w in wards}
    departments = {
        (d.unit_id, d.code): d for d in Department.objects.filter(unit_id__in=district_ids)
    }
    by_id = {w.id: w for w in wards}
    points = _sample_points(wards, count, rng)
    tz = timezone.get_current_timezone()
    reports: list[Report] = []
    plans: list[list[tuple[str, dt.datetime]]] = []
    for x, y, ward_id in points:
        category = rng.choices(categories, weights)[0]
        ward = by_id[ward_id]
        unit, department = ward, None
        if category.responsible_level == ResponsibleLevel.DISTRICT_DEPARTMENT:
            department = departments.get((ward.parent_id, category.department_code))
            if department is not None:
                unit = department.unit
        age = int(rng.triangular(0, days, days * 0.25))
        filed_day = today - dt.timedelta(days=age)
        filed = dt.datetime.combine(filed_day, dt.time(rng.randint(6, 21), rng.randint(0, 59)), tz)
        due = due_date(filed_day, category.target_days)
        steps = _steps(age, category.target_days, rng)
        history: list[tuple[str, dt.datetime]] = []
        at = filed
        for status in steps:
            at = min(
                at + dt.timedelta(hours=rng.uniform(4, 24 * category.target_days / 2)),
                timezone.now(),
            )
            history.append((status, at))
        status = steps[-1] if steps else Status.RECEIVED
        group = "environment" if category.group == CategoryGroup.ENVIRONMENT else "urban_order"
        reports.append(
            Report(
                category=category,
                location=f"SRID=4326;POINT({x} {y})",
                description=rng.choice(DESCRIPTIONS[group]),
                ward=ward,
                unit=unit,
                department=department,
                status=status,
                source=rng.choice([Source.WEB, Source.APP, Source.APP]),
                due_date=due,
                created_at=filed,
                updated_at=history[-1][1] if history else filed,
                closed_at=history[-1][1] if status in CLOSED_STATUSES else None,
                confirmations=rng.choice([0, 0, 0, 1, 2, 5]),
            )
        )
        plans.append(history)
    Report.objects.bulk_create(reports, batch_size=1000)
    events: list[ReportEvent] = []
    for report, history in zip(reports, plans, strict=True):
        events.append(
            ReportEvent(
                report=report,
                at=report.created_at,
                kind=EventKind.SUBMITTED,
                to_status=Status.RECEIVED,
            )
        )
        previous = Status.RECEIVED
        for status, at in history:
            events.append(
                ReportEvent(
                    report=report,
                    at=at,
                    kind=EventKind.STATUS,
                    from_status=previous,
                    to_status=status,
                    public_note="",
                    reason="Không thuộc thẩm quyền hoặc thông tin không chính xác."
                    if status == Status.REJECTED
                    else "",
                )
            )
            previous = status
    ReportEvent.objects.bulk_create(events, batch_size=2000)
    return DemoSummary(reports=len(reports), events=len(events), hot_spots=6)


def _steps(age_days: int, target_days: int, rng: random.Random) -> list[str]:
    """The statuses a report of that age went through, in order."""
    path = [Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS]
    if age_days > target_days * 2 or rng.random() < 0.3:
        end = rng.choices([Status.RESOLVED, Status.REJECTED], [9, 1])[0]
        if end == Status.REJECTED:
            return [Status.VERIFIED, Status.REJECTED]
        return [*path, Status.RESOLVED]
    return path[: rng.randint(0, 3)]
