"""What anyone may see of a report: the same fields for the tracking page, the phone API and
Open311. Nothing here reads the reporter's name, contact or account."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import EventKind, Photo, Report, ReportEvent, Status


def public_reports():
    """Reports with what their public views need, in a fixed number of queries."""
    return (
        Report.objects.public()
        .select_related("category", "ward", "unit", "department", "duplicate_of")
        .prefetch_related(
            Prefetch("photos", queryset=Photo.objects.order_by("id")),
            Prefetch(
                "events",
                queryset=ReportEvent.objects.exclude(kind=EventKind.CONFIRMED)
                .select_related("to_unit")
                .order_by("at", "id"),
            ),
        )
    )


def photo_urls(photo: Photo) -> dict[str, str]:
    return {
        "url": reverse("reports:photo", kwargs={"pk": photo.pk, "size": "full"}),
        "thumbnail": reverse("reports:photo", kwargs={"pk": photo.pk, "size": "thumb"}),
        "kind": photo.kind,
    }


def responsible_name(report: Report) -> str:
    if report.department_id:
        return f"{report.department.name}, {report.unit.name}"
    return report.unit.name


def event_text(event: ReportEvent) -> str:
    if event.kind == EventKind.SUBMITTED:
        return _("Report received and sent to %(unit)s.") % {
            "unit": event.to_unit.name if event.to_unit_id else "?"
        }
    if event.kind == EventKind.HANDED_ON:
        return _("Handed on to %(unit)s.") % {"unit": event.to_unit.name}
    return Status(event.to_status).label


def timeline_rows(report: Report) -> list[dict]:
    """The public steps of a report's history, oldest first (its events prefetched)."""
    return [
        {
            "at": timezone.localtime(event.at),
            "kind": event.kind,
            "status": event.to_status,
            "title": event_text(event),
            "note": event.public_note,
        }
        for event in report.events.all()
        if event.kind != EventKind.CONFIRMED
    ]


def timeline(report: Report) -> list[dict]:
    return [{**row, "at": row["at"].isoformat()} for row in timeline_rows(report)]


def as_dict(report: Report) -> dict:
    """The public view of a report (its photos and events prefetched: see public_reports)."""
    return {
        "code": report.tracking_code,
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "category": report.category.code,
        "category_name": report.category.label,
        "description": report.description,
        "address": report.address,
        "lon": round(report.location.x, 6),
        "lat": round(report.location.y, 6),
        "ward": {"code": report.ward.code, "name": report.ward.name},
        "responsible": responsible_name(report),
        "created_at": timezone.localtime(report.created_at).isoformat(),
        "updated_at": timezone.localtime(report.updated_at).isoformat(),
        "due_date": report.due_date.isoformat(),
        "overdue": report.is_overdue(),
        "confirmations": report.confirmations,
        "duplicate_of": report.duplicate_of.tracking_code if report.duplicate_of_id else None,
        "photos": [photo_urls(p) for p in report.photos.all()],
        "timeline": timeline(report),
    }
