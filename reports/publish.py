"""The public reports layer: where, what and how far along; never who.

Its source selects only public columns, so the tiles and the OGC API that serve it cannot
carry the reporter's name or contact whatever is added to the reports table later.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from gis.publish import Property, PublishedLayer, register_layer

REPORTS_SOURCE = """
    SELECT r.id, r.location AS geom, r.geom_3857, r.tracking_code AS code, r.status,
           c.code AS category, c."group" AS category_group,
           to_char(r.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS date,
           r.created_at, r.confirmations
    FROM reports_report r JOIN reports_category c ON c.id = r.category_id
    WHERE r.status <> 'rejected'"""


def register() -> None:
    from reports.models import Category, Report

    register_layer(
        PublishedLayer(
            name="reports",
            title=_("Citizen reports"),
            source=REPORTS_SOURCE,
            properties=(
                Property("code"),
                Property("status"),
                Property("category"),
                Property("category_group"),
                Property("date"),
                Property("confirmations", "integer"),
            ),
            minzoom=10,
            maxzoom=18,
            detail_zoom=14,
            overview="clusters",
            overview_properties=("status",),
            datetime_column="created_at",
            models=(Report, Category),
        )
    )


def count_reports_by_unit(unit_ids: Sequence[int]) -> dict[int, int]:
    """Public reports (all but rejected) lying in each ward, and in each district's wards."""
    from reports.models import Report

    public = Report.objects.public().order_by()
    counts = dict(
        public.filter(ward_id__in=unit_ids)
        .values_list("ward_id")
        .annotate(n=Count("id"))
        .values_list("ward_id", "n")
    )
    for parent_id, n in (
        public.filter(ward__parent_id__in=unit_ids)
        .values_list("ward__parent_id")
        .annotate(n=Count("id"))
        .values_list("ward__parent_id", "n")
    ):
        counts[parent_id] = counts.get(parent_id, 0) + n
    return counts
