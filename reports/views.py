"""Citizen pages: file a report, follow it by its code, and the public map of reports.

Views parse, call one service or query, and render; the rules live in reports.services.
"""

from __future__ import annotations

import json
import secrets
import uuid

from django.conf import settings
from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gis.publish import published_layers
from reports import public, queries
from reports.forms import FileReportForm
from reports.models import Category, CategoryGroup, Photo, Report, Status
from reports.photos import stored_side
from reports.services import ReportError, confirm_me_too, submit_report
from urbanmgmt import policy

DEVICE_COOKIE = "report_device"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def device_id(request: HttpRequest) -> str:
    """The browser's device id: its cookie, or a new one (set on the answer)."""
    if not hasattr(request, "_report_device"):
        known = request.COOKIES.get(DEVICE_COOKIE, "")[:64]
        request._report_device = known or secrets.token_urlsafe(24)
    return request._report_device


def _with_device_cookie(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    device = device_id(request)
    if request.COOKIES.get(DEVICE_COOKIE) != device:
        response.set_cookie(
            DEVICE_COOKIE, device, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="Lax"
        )
    return response


def map_context() -> dict:
    """Where maps open, and the published layers (units, parcels, plans...) to draw."""
    layers = [
        {
            "name": layer.name,
            "title": str(layer.title),
            "url": reverse(
                "spatial:tile", kwargs={"layer": layer.name, "z": 0, "x": 0, "y": 0}
            ).removesuffix("0/0/0.pbf")
            + "{z}/{x}/{y}.pbf",
            "minzoom": layer.minzoom,
            "maxzoom": layer.maxzoom,
            "clusters": layer.overview_layer_name if layer.overview == "clusters" else "",
        }
        for layer in published_layers()
        if layer.name != "reports"
    ]
    return {
        "center": [settings.MAP_DEFAULT_LAT, settings.MAP_DEFAULT_LON],
        "zoom": settings.MAP_DEFAULT_ZOOM,
        "layers": layers,
    }


def _categories_json() -> list[dict]:
    return [
        {"code": c.code, "name": c.label, "group": c.group}
        for c in Category.objects.filter(active=True)
    ]


def file_report(request: HttpRequest) -> HttpResponse:
    """The filing page: place, category, description, photos, and "me too" before sending."""
    if request.method == "POST":
        form = FileReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = submit_report(
                    category=form.category_object(),
                    location=form.point,
                    description=form.cleaned_data["description"],
                    photos=form.cleaned_data["photos"],
                    reporter=request.user,
                    reporter_name=form.cleaned_data["reporter_name"],
                    reporter_email=form.cleaned_data["reporter_email"],
                    reporter_phone=form.cleaned_data["reporter_phone"],
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    device_id=device_id(request),
                    ip=client_ip(request),
                )
            except ReportError as exc:
                form.add_error(None if exc.field not in form.fields else exc.field, exc.message)
            else:
                messages.success(
                    request,
                    _("Thank you. Your report was received; its tracking code is %(code)s.")
                    % {"code": report.tracking_code},
                )
                return HttpResponseRedirect(public_url(report))
        status = 400
    else:
        form = FileReportForm(initial={"idempotency_key": str(uuid.uuid4())})
        status = 200
    context = {
        "form": form,
        "map_config": {
            **map_context(),
            "nearby_url": reverse("reports:api-nearby"),
            "locate_url": reverse("spatial:locate"),
            "photo_side": stored_side(),
        },
    }
    response = render(request, "reports/file.html", context, status=status)
    return _with_device_cookie(request, response)


def public_url(report: Report) -> str:
    return reverse("reports:track", kwargs={"code": report.tracking_code})


@require_safe
def find(request: HttpRequest) -> HttpResponse:
    """Look a report up by the code its reporter was given."""
    code = (request.GET.get("code") or "").strip().upper()
    if code:
        if len(code) == 8 and "-" not in code:
            code = f"{code[:4]}-{code[4:]}"
        if Report.objects.public().filter(tracking_code=code).exists():
            return HttpResponseRedirect(reverse("reports:track", kwargs={"code": code}))
        return render(
            request,
            "reports/find.html",
            {"code": code, "error": _("No report has the code %(code)s.") % {"code": code}},
            status=404,
        )
    return render(request, "reports/find.html", {"code": ""})


@require_safe
def track(request: HttpRequest, code: str) -> HttpResponse:
    """A report's public page: what, where, its photos and its timeline."""
    report = get_object_or_404(public.public_reports(), tracking_code=code.upper())
    data = public.as_dict(report)
    context = {
        "report": report,
        "data": data,
        "steps": public.timeline_rows(report),
        "can_confirm": report.is_open,
        "is_official": policy.can(
            request.user, policy.Action.VIEW, report.unit_id, report.department_id
        ),
    }
    return _with_device_cookie(request, render(request, "reports/track.html", context))


@require_POST
def me_too(request: HttpRequest, code: str) -> HttpResponse:
    report = get_object_or_404(Report.objects.public(), tracking_code=code.upper())
    try:
        added = confirm_me_too(
            report=report, user=request.user, device_id=device_id(request), ip=client_ip(request)
        )
    except ReportError as exc:
        messages.error(request, exc.message)
    else:
        if added:
            messages.success(request, _("Thank you: your confirmation was counted."))
        else:
            messages.info(request, _("You have already confirmed this report."))
    return _with_device_cookie(request, HttpResponseRedirect(public_url(report)))


@require_safe
def public_map(request: HttpRequest) -> HttpResponse:
    """The public map of reports with filters, and the counts per ward."""
    form = queries.ReportFilterForm(request.GET or None)
    filters = queries.Filters()
    error = ""
    if form.is_bound:
        if form.is_valid():
            filters = queries.Filters.from_form(form)
        else:
            error = queries.first_error(form)
    reports = filters.apply(Report.objects.public(), spatial=False)
    context = {
        "form": form,
        "error": error,
        "counts": queries.counts_by_ward(reports),
        "categories": Category.objects.all(),
        "groups": CategoryGroup,
        "statuses": [s for s in Status if s != Status.REJECTED],
        "map_config": {
            **map_context(),
            "points_url": reverse("reports:map-points"),
            "track_url": reverse("reports:track", kwargs={"code": "CODE"}),
        },
    }
    return render(request, "reports/map.html", context, status=400 if error else 200)


@require_safe
def map_points(request: HttpRequest) -> JsonResponse:
    form = queries.ReportFilterForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": queries.first_error(form)}, status=400)
    filters = queries.Filters.from_form(form)
    body = queries.map_features(filters.apply(Report.objects.public()))
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@require_safe
def photo(request: HttpRequest, pk: int, size: str) -> FileResponse:
    """A report's photo (already stripped of metadata): public unless the report was rejected."""
    found = get_object_or_404(Photo.objects.select_related("report"), pk=pk)
    report = found.report
    if report.status == Status.REJECTED and not policy.can(
        request.user, policy.Action.VIEW, report.unit_id, report.department_id
    ):
        raise Http404
    field = found.thumbnail if size == "thumb" else found.image
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def json_script_data(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False)
