"""Open311 GeoReport v2 at /open311/v2/: discovery, services, service requests.

XML is the specification's mandatory format and JSON its optional one; both are served from
the same dicts. `service_request_id` is the report's tracking code (a string); times are
ISO 8601 in Vietnam's offset (+07:00). Errors are `[{code, description}]` with 400, 403 or
404. Posting needs an `api_key`: an API token issued to an account in the admin. Nothing
personal is ever answered; the poster's name and contact are stored for officials only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree import ElementTree as ET

from django.contrib.gis.geos import Point
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from gis.models import Parcel
from reports import public
from reports.models import CLOSED_STATUSES, OPEN_STATUSES, Category, Report, Source
from reports.services import ReportError, submit_report
from reports.views import client_ip

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-27T00:00:00+07:00"
MAX_DAYS = 90
MAX_RESULTS = 1000
# The end of a working day: when a report due on a date is expected to be dealt with.
DAY_ENDS = dt.time(17, 0)


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# --- rendering ---------------------------------------------------------------------------


def _to_xml(parent: ET.Element, tag: str, value: Any) -> None:
    node = ET.SubElement(parent, tag)
    if value is None:
        return
    if isinstance(value, bool):
        node.text = "true" if value else "false"
    elif isinstance(value, dict):
        for key, item in value.items():
            _to_xml(node, key, item)
    elif isinstance(value, list):
        child = _XML_ITEM.get(tag, "item")
        for item in value:
            _to_xml(node, child, item)
    else:
        node.text = str(value)


# The element name of a list's items in the specification's XML.
_XML_ITEM = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
}


def render(fmt: str, root: str, body: Any, status: int = 200) -> HttpResponse:
    if fmt == "json":
        return JsonResponse(
            body, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
        )
    element = ET.Element(root)
    if isinstance(body, list):
        child = _XML_ITEM[root]
        for item in body:
            _to_xml(element, child, item)
    else:
        for key, value in body.items():
            _to_xml(element, key, value)
    xml = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")
    return HttpResponse(xml, status=status, content_type="text/xml; charset=utf-8")


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, "errors", [{"code": status, "description": description}], status=status)


def iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else timezone.localtime(moment).isoformat(timespec="seconds")


# --- discovery and services ----------------------------------------------------------------


@require_safe
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    root = request.build_absolute_uri(reverse("reports:open311"))
    body = {
        "changeset": CHANGESET,
        "contact": _("Urban management office of the district"),
        "key_service": _("API keys are issued by the district's administrator."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": root.rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", body)


def service_dict(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.label,
        "description": category.name_en if category.label == category.name else category.name,
        "metadata": False,
        "type": "realtime",
        "keywords": category.code.replace("-", ", "),
        "group": category.get_group_display(),
    }


@require_safe
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return render(fmt, "services", [service_dict(c) for c in Category.objects.filter(active=True)])


@require_safe
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if not Category.objects.filter(code=code, active=True).exists():
        return error(fmt, 404, _("No service has the code %(code)s.") % {"code": code})
    return render(fmt, "service_definition", {"service_code": code, "attributes": []})


# --- service requests ------------------------------------------------------------------------


def request_dict(request: HttpRequest, report: Report) -> dict:
    """A report as a GeoReport v2 request: public fields only."""
    photos = list(report.photos.all())
    media = (
        request.build_absolute_uri(public.photo_urls(photos[0])["url"])
        if photos
        else (report.media_url or None)
    )
    notes = [e.public_note for e in report.events.all() if e.public_note]
    expected = timezone.make_aware(dt.datetime.combine(report.due_date, DAY_ENDS))
    return {
        "service_request_id": report.tracking_code,
        "status": "open" if report.status in OPEN_STATUSES else "closed",
        "status_notes": notes[-1] if notes else None,
        "service_name": report.category.label,
        "service_code": report.category.code,
        "description": report.description,
        "agency_responsible": public.responsible_name(report),
        "service_notice": None,
        "requested_datetime": iso(report.created_at),
        "updated_datetime": iso(report.updated_at),
        "expected_datetime": iso(expected),
        "address": report.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": round(report.location.y, 6),
        "long": round(report.location.x, 6),
        "media_url": media,
    }


def _moment(text: str, name: str) -> dt.datetime:
    parsed = None
    try:
        parsed = parse_datetime(text.replace(" ", "+"))
    except ValueError:
        pass
    if parsed is None:
        raise Open311Error(
            400,
            _("%(name)s must be a date and time such as 2026-01-31T00:00:00+07:00.")
            % {"name": name},
        )
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _filtered(params: Any) -> QuerySet[Report]:
    reports = public.public_reports()
    ids = [i.strip().upper() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        return reports.filter(tracking_code__in=ids[:MAX_RESULTS])
    codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
    if codes:
        reports = reports.filter(category__code__in=codes)
    statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status must be open, closed or both."))
    if statuses == {"open"}:
        reports = reports.filter(status__in=OPEN_STATUSES)
    elif statuses == {"closed"}:
        reports = reports.filter(status__in=CLOSED_STATUSES)
    end = _moment(params["end_date"], "end_date") if params.get("end_date") else None
    start = _moment(params["start_date"], "start_date") if params.get("start_date") else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - dt.timedelta(days=MAX_DAYS)
    if end is None:
        end = start + dt.timedelta(days=MAX_DAYS)
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > dt.timedelta(days=MAX_DAYS):
        raise Open311Error(400, _("start_date and end_date may be at most 90 days apart."))
    return reports.filter(created_at__gte=start, created_at__lte=end)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    try:
        reports = list(_filtered(request.GET).order_by("-created_at", "-id")[:MAX_RESULTS])
    except Open311Error as exc:
        return error(fmt, exc.status, exc.description)
    return render(fmt, "service_requests", [request_dict(request, r) for r in reports])


@require_safe
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    report = public.public_reports().filter(tracking_code=request_id.upper()).first()
    if report is None:
        return error(fmt, 404, _("No service request has the id %(id)s.") % {"id": request_id})
    return render(fmt, "service_requests", [request_dict(request, report)])


def _api_client(key: str):
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first() if key else None
    if token is None or not token.user.is_active:
        return None
    return token.user


def _location(data: Any) -> tuple[Point, str]:
    lat, lon = data.get("lat"), data.get("long")
    address = (data.get("address_string") or "").strip()
    if lat not in (None, "") and lon not in (None, ""):
        try:
            return Point(float(lon), float(lat), srid=4326), address
        except ValueError:
            raise Open311Error(400, _("lat and long must be decimal numbers.")) from None
    if address:
        parcel = Parcel.objects.search_address(address).order_by("id").first()
        if parcel is None:
            raise Open311Error(
                400,
                _("No address matches “%(address)s”; send lat and long.") % {"address": address},
            )
        return parcel.geom.point_on_surface, address
    raise Open311Error(400, _("Give the place as lat and long, or as address_string."))


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    client = _api_client(data.get("api_key", ""))
    if client is None:
        return error(fmt, 403, _("A valid api_key is needed to post a service request."))
    category = Category.objects.filter(code=data.get("service_code", ""), active=True).first()
    if category is None:
        return error(
            fmt, 404 if data.get("service_code") else 400, _("Unknown or missing service_code.")
        )
    try:
        location, address = _location(data)
        name = " ".join(p for p in (data.get("first_name", ""), data.get("last_name", "")) if p)
        report = submit_report(
            category=category,
            location=location,
            description=data.get("description", ""),
            photos=request.FILES.getlist("media"),
            reporter_name=name.strip(),
            reporter_email=data.get("email", ""),
            reporter_phone=data.get("phone", ""),
            address=address,
            media_url=_media_url(data.get("media_url", "")),
            idempotency_key=request.headers.get("Idempotency-Key") or None,
            device_id=f"open311:{client.pk}:{data.get('device_id', '')}",
            ip=client_ip(request),
            source=Source.OPEN311,
        )
    except Open311Error as exc:
        return error(fmt, exc.status, exc.description)
    except ReportError as exc:
        status = 429 if exc.code == "rate_limited" else 400
        return error(fmt, status, exc.message)
    body = [
        {
            "service_request_id": report.tracking_code,
            "service_notice": _("Follow it with the code %(code)s.")
            % {"code": report.tracking_code},
            "account_id": None,
        }
    ]
    return render(fmt, "service_requests", body, status=200 if report.replayed else 201)


def _media_url(value: str) -> str:
    """A link to the poster's own media, kept as given (never fetched: no request leaves)."""
    value = value.strip()
    if not value:
        return ""
    if not value.startswith(("http://", "https://")) or len(value) > 500:
        raise Open311Error(400, _("media_url must be an http or https address."))
    return value
