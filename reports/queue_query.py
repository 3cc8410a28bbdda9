"""The officials' review queue as one SQL statement: the list the queue page shows.

The page is the officials' main screen, loaded by many of them at once. Built through the
ORM (scope Q, filters, select_related, model instances) it cost about 4 ms of Python a page,
three times what PostgreSQL spends on it; written here, with the scope taken from
`urbanmgmt.policy.scope_clauses` (the same clauses `policy.scope` builds its Q from), it costs
a few tenths of a millisecond. The map's points and the public map still go through the ORM
(`reports.queries`), with the same filters.

Parameters are always bound, never formatted in; only the shape of the statement (which
filters are set, how many scope clauses) changes with the request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.contrib.gis.measure import D
from django.db import connection
from django.utils import timezone

from reports.models import OPEN_STATUSES, Category, Status, is_overdue
from reports.queries import PAGE_SIZE, Filters
from urbanmgmt import policy


@dataclass(frozen=True)
class Named:
    code: str
    name: str
    name_en: str = ""

    # The category's own rule: English where it is spoken and the name exists.
    label = Category.label


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str

    get_full_name = AbstractUser.get_full_name


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue, with the names the template reads on a Report."""

    id: int
    tracking_code: str
    status: str
    created_at: dt.datetime
    due_date: dt.date
    category: Named
    ward: Named
    assignee: Person | None
    distance: D | None
    overdue: bool

    @property
    def pk(self) -> int:
        return self.id

    def get_status_display(self) -> str:
        return str(Status(self.status).label)


_SELECT = """
SELECT r.id, r.tracking_code, r.status, r.created_at, r.due_date,
       c.code, c.name, c.name_en, w.code, w.name,
       a.username, a.first_name, a.last_name, {distance}
FROM reports_report r
JOIN reports_category c ON c.id = r.category_id
JOIN spatial_adminunit w ON w.id = r.ward_id
LEFT JOIN auth_user a ON a.id = r.assignee_id
WHERE {where}
ORDER BY {order}
LIMIT %s OFFSET %s"""

_HERE = "ST_SetSRID(ST_MakePoint(%s, %s), 4326)"


def _scope(user: Any, params: list[Any]) -> str:
    clauses = policy.scope_clauses(user, policy.Action.VIEW, departments=True)
    if clauses is None:
        return "TRUE"
    parts = []
    for clause in clauses:
        params.append(list(clause.unit_ids))
        if clause.department_id is None:
            parts.append("r.unit_id = ANY(%s)")
        else:
            params.append(clause.department_id)
            parts.append("(r.unit_id = ANY(%s) AND r.department_id = %s)")
    return "(" + " OR ".join(parts) + ")" if parts else "FALSE"


def _filters(filters: Filters, params: list[Any], today: dt.date) -> list[str]:
    where = []
    if filters.bbox:
        # For points, overlapping the box's bounding box is lying in the box (its edge too).
        where.append("r.location && ST_MakeEnvelope(%s, %s, %s, %s, 4326)")
        params.extend(filters.bbox)
    if filters.ward:
        where.append("r.ward_id IN (SELECT id FROM spatial_adminunit WHERE code = %s)")
        params.append(filters.ward)
    if filters.category:
        # The id known before the scan, so that report_status_category_unit can be used.
        where.append("r.category_id = (SELECT id FROM reports_category WHERE code = %s)")
        params.append(filters.category)
    if filters.statuses:
        where.append("r.status = ANY(%s)")
        params.append(list(filters.statuses))
    now = timezone.now()
    if filters.days:
        where.append("r.created_at >= %s")
        params.append(now - dt.timedelta(days=filters.days))
    if filters.older:
        where.append("r.created_at < %s")
        params.append(now - dt.timedelta(days=filters.older))
    if filters.overdue:
        where.append("r.status = ANY(%s) AND r.due_date < %s")
        params.extend([[s.value for s in OPEN_STATUSES], today])
    return where


def page(user: Any, filters: Filters, number: int = 1) -> tuple[list[QueueRow], bool]:
    """One page of the person's queue under `filters`, in the order shown (nearest first
    from `filters.near`, else newest first), and whether another page follows."""
    today = timezone.localdate()
    if filters.near is not None:
        here = [filters.near.x, filters.near.y]
        distance = f"ST_DistanceSphere(r.location, {_HERE})"
        # The KNN operator on the Web-Mercator copy's GiST index keeps local distances in
        # proportion.
        order = f"r.geom_3857 <-> ST_Transform({_HERE}, 3857), r.id DESC"
    else:
        here = []
        distance = "NULL::float"
        order = "r.created_at DESC, r.id DESC"
    where_params: list[Any] = []
    where = [_scope(user, where_params), *_filters(filters, where_params, today)]
    sql = _SELECT.format(distance=distance, where=" AND ".join(where), order=order)
    start = (number - 1) * PAGE_SIZE
    # In the statement's order: the distance (select), the filters, the KNN order, the page.
    params = [*here, *where_params, *here, PAGE_SIZE + 1, start]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    answer = [
        QueueRow(
            id=row[0],
            tracking_code=row[1],
            status=row[2],
            created_at=row[3],
            due_date=row[4],
            category=Named(row[5], row[6], row[7]),
            ward=Named(row[8], row[9]),
            assignee=Person(row[10], row[11], row[12]) if row[10] is not None else None,
            distance=D(m=row[13]) if row[13] is not None else None,
            overdue=is_overdue(row[2], row[4], today),
        )
        for row in rows[:PAGE_SIZE]
    ]
    return answer, len(rows) > PAGE_SIZE
