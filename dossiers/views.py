"""Dossier pages: citizens' intake, lookup and rating; officers' queue, dossier and actions.

Views parse, call one service or query, and render. Every officer's list and object goes
through `urbanmgmt.policy` (scope, 404 for anything outside it); the applicant's personal
data is shown only to the posts that handle the case.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.gis.db.models import FloatField, PointField
from django.contrib.gis.geos import Point
from django.db.models import F, Func, Value
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dossiers import services
from dossiers.forms import ActionForm, IntakeForm, LookupForm, RatingForm, parse_parcel_key, uploads
from dossiers.models import (
    OPEN_STATUSES,
    Branch,
    Channel,
    Consultation,
    Document,
    Dossier,
    Status,
)
from dossiers.services import DossierError
from gis.models import Parcel
from urbanmgmt import policy
from urbanmgmt.policy import Action
from urbanmgmt.workdays import add_working_days

QUEUE_LIMIT = 200


def _json(body: Any, status: int = 200, content_type: str = "application/json") -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=content_type
    )


def scoped(user: Any, action: str = Action.VIEW, queryset: Any = None) -> Any:
    """The dossiers `user` may take `action` on (unit and department of the handling office)."""
    return policy.scope(
        user,
        Dossier.objects.all() if queryset is None else queryset,
        unit_field="unit",
        department_field="department",
        action=action,
    )


def _dossier_in_scope(user: Any, pk: int, action: str = Action.VIEW) -> Dossier:
    return policy.get_in_scope_or_404(
        user,
        Dossier.objects.select_related("procedure", "ward", "unit", "department", "parcel__ward"),
        unit_field="unit",
        department_field="department",
        action=action,
        pk=pk,
    )


def _officials_only(view: Callable) -> Callable:
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not policy.is_official(request.user):
            raise Http404(_("Nothing was found at this address."))
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- parcels for the map picker ------------------------------------------------------------


@require_GET
def parcel_lookup(request: HttpRequest) -> HttpResponse:
    """`GET /dossiers/parcel?key=26905-010-0016` or `?lon=&lat=`: the parcel, as GeoJSON."""
    parcels = Parcel.objects.select_related("ward")
    if request.GET.get("key"):
        parsed = parse_parcel_key(request.GET["key"])
        if parsed is None:
            return _json(
                {"error": _("A parcel key reads ward-sheet-parcel, e.g. 26905-010-0016.")}, 400
            )
        parcel = parcels.by_key(*parsed).first()
    else:
        try:
            point = Point(float(request.GET["lon"]), float(request.GET["lat"]), srid=4326)
        except (KeyError, ValueError):
            return _json({"error": _("Give a parcel key, or lon and lat.")}, 400)
        if not (-180 <= point.x <= 180 and -90 <= point.y <= 90):
            return _json({"error": _("lon must lie in [-180, 180] and lat in [-90, 90].")}, 400)
        parcel = parcels.containing(point).order_by("id").first()
    if parcel is None:
        return _json({"error": _("No parcel here.")}, 404)
    centre = parcel.geom.point_on_surface
    return _json(
        {
            "type": "Feature",
            "geometry": json.loads(parcel.geom.json),
            "properties": {
                "key": parcel.key,
                "address": parcel.address,
                "ward": parcel.ward.name,
                "land_use": parcel.land_use,
                "area_m2": round(parcel.area_m2, 1),
                "lon": round(centre.x, 7),
                "lat": round(centre.y, 7),
            },
        },
        content_type="application/geo+json",
    )


# --- citizens --------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """The entry to dossiers: procedures, lookup, and the signed-in citizen's own dossiers."""
    mine = []
    if request.user.is_authenticated:
        mine = list(
            Dossier.objects.filter(applicant=request.user)
            .select_related("procedure")
            .order_by("-created_at")[:50]
        )
    from dossiers.models import Procedure

    return render(
        request,
        "dossiers/home.html",
        {
            "mine": mine,
            "procedures": Procedure.objects.filter(active=True).order_by("name"),
            "is_official": policy.is_official(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit_online(request: HttpRequest) -> HttpResponse:
    """Online intake: the citizen fills in the dossier, picks the parcel and uploads files."""
    form = IntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            dossier = services.submit_dossier(
                channel=Channel.ONLINE, submitted_by=request.user, **form.intake()
            )
        except DossierError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Your dossier has been sent. The office checks it and gives it a code."),
            )
            return redirect("dossiers:mine", pk=dossier.pk)
    return render(request, "dossiers/intake.html", {"form": form, "counter": False})


@login_required
def mine(request: HttpRequest, pk: int) -> HttpResponse:
    """A citizen's own dossier: status, timeline, appointment date."""
    dossier = policy.get_in_scope_or_404(
        request.user,
        Dossier.objects.select_related("procedure", "ward"),
        unit_field="unit",
        department_field="department",
        owner_field="applicant",
        pk=pk,
    )
    context = _status_context(dossier)
    if dossier.applicant_id == request.user.pk:
        # What the applicant may do online: send the supplement asked for, or withdraw.
        context["can_send_supplement"] = dossier.status == Status.SUPPLEMENT
        context["can_withdraw"] = Status.WITHDRAWN in services.TRANSITIONS[dossier.status]
    return render(request, "dossiers/status.html", context)


def _status_context(dossier: Dossier) -> dict[str, Any]:
    return {
        "dossier": dossier,
        "timeline": dossier.handoffs.order_by("at", "id"),
        "rating_form": None,
    }


# The applicant's own steps, online: the same services as the officer's buttons.
APPLICANT_STEPS = {
    "supplement": gettext_lazy("Your supplement was sent; the clock runs again."),
    "withdraw": gettext_lazy("Your dossier was withdrawn."),
}


@login_required
@require_POST
def applicant_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The applicant's own step on their dossier, online: the supplement, or a withdrawal."""
    dossier = Dossier.objects.filter(pk=pk, applicant=request.user).first()
    if action not in APPLICANT_STEPS or dossier is None:
        raise Http404(_("Nothing was found at this address."))
    handler = ACTIONS["resume" if action == "supplement" else action]
    _run_action(request, dossier, handler, str(APPLICANT_STEPS[action]))
    return redirect("dossiers:mine", pk=pk)


def _run_action(request: HttpRequest, dossier: Dossier, handler: ActionFn, done: str) -> None:
    """Read the action's form, run it, and say in a message how it went."""
    form = ActionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request, _("The form is not valid: %(errors)s") % {"errors": form.errors.as_text()}
        )
        return
    try:
        handler(dossier, request.user, form, (form.cleaned_data.get("note") or "").strip())
    except DossierError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Lookup by dossier code and the applicant's ID number (POST, so the ID stays out of
    URLs and logs). A wrong ID number gets the same answer as an unknown code."""
    form = LookupForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        dossier = services.find_for_applicant(
            code=form.cleaned_data["code"], id_number=form.cleaned_data["id_number"]
        )
        if dossier is None:
            form.add_error(None, _("No dossier matches this code and ID number."))
        else:
            context.update(_status_context(dossier))
            if dossier.status == Status.RETURNED and dossier.rating is None:
                context["rating_form"] = RatingForm(
                    initial={"code": dossier.code, "id_number": form.cleaned_data["id_number"]}
                )
            return render(request, "dossiers/status.html", context)
    return render(request, "dossiers/lookup.html", context, status=400 if form.errors else 200)


@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    """The applicant rates the returned dossier (proving who they are as for the lookup)."""
    form = RatingForm(request.POST)
    if not form.is_valid():
        return render(request, "dossiers/lookup.html", {"form": LookupForm()}, status=400)
    dossier = services.find_for_applicant(
        code=form.cleaned_data["code"], id_number=form.cleaned_data["id_number"]
    )
    if dossier is None:
        lookup_form = LookupForm(request.POST)
        lookup_form.is_valid()
        lookup_form.add_error(None, _("No dossier matches this code and ID number."))
        return render(request, "dossiers/lookup.html", {"form": lookup_form}, status=400)
    try:
        services.rate(
            dossier=dossier,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data.get("comment") or "",
        )
    except DossierError as exc:
        return render(
            request,
            "dossiers/status.html",
            {**_status_context(dossier), "error": exc.message},
            status=400,
        )
    dossier.refresh_from_db()
    return render(
        request,
        "dossiers/status.html",
        {**_status_context(dossier), "thanks": True},
    )


# --- officers --------------------------------------------------------------------------------


class KnnDistance(Func):
    """`location <-> point`: ordering by it walks the spatial index nearest first."""

    arg_joiner = " <-> "
    template = "(%(expressions)s)"
    output_field = FloatField()


def queue_rows(user: Any, *, near: Point | None, today: dt.date) -> Any:
    """The officer's open dossiers: nearest first in the field, due soonest first otherwise.

    Each ordering walks its own partial index of the open dossiers (migration 0004) and
    stops at a page; the position comes as two numbers, not a geometry object per row.
    """
    rows = (
        scoped(user)
        .filter(status__in=OPEN_STATUSES)
        .select_related("procedure", "ward")
        .only(
            "id",
            "code",
            "status",
            "deadline",
            "appointment_date",
            "address",
            "supplement_requests",
            "procedure__name",
            "procedure__is_combined",
            "ward__name",
            "handler_id",
        )
        .annotate(
            lon=Func(F("location"), function="ST_X", output_field=FloatField()),
            lat=Func(F("location"), function="ST_Y", output_field=FloatField()),
        )
    )
    if near is not None:
        # No tie-breaker: it would keep the index from giving the order.
        rows = rows.annotate(
            distance=KnnDistance(F("location"), Value(near, output_field=PointField(srid=4326)))
        ).order_by("distance")
    else:
        rows = rows.order_by(F("deadline").asc(nulls_last=True), "id")
    return rows[:QUEUE_LIMIT]


def _metres(a: Point, lon: float, lat: float) -> float:
    """Great-circle distance (a phone's position is not more precise than this)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a.x, a.y, lon, lat))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def _flagged(rows: list[Dossier], today: dt.date, near: Point | None) -> list[Dossier]:
    """Mark the dossiers due by the next working day, the overdue ones, and the distance."""
    tomorrow = add_working_days(today, 1)
    for row in rows:
        running = row.status != Status.SUPPLEMENT and row.deadline is not None
        row.is_due_soon = running and row.deadline <= tomorrow
        row.is_overdue = running and row.deadline < today
        row.distance_m = _metres(near, row.lon, row.lat) if near is not None else None
    return rows


def _near(request: HttpRequest) -> Point | None:
    try:
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
    except (KeyError, ValueError):
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return Point(lon, lat, srid=4326)


@_officials_only
def queue(request: HttpRequest) -> HttpResponse:
    """The officer's queue: a map and a list of the open dossiers in their scope."""
    today = timezone.localdate()
    near = _near(request)
    rows = list(queue_rows(request.user, near=near, today=today))
    tomorrow = add_working_days(today, 1)
    for row in rows:
        row.is_due_soon = (
            row.status != Status.SUPPLEMENT and row.deadline and row.deadline <= tomorrow
        )
        row.is_overdue = row.status != Status.SUPPLEMENT and row.deadline and row.deadline < today
    awaiting = (
        scoped(request.user, Action.HANDLE)
        .filter(status=Status.SUBMITTED)
        .select_related("procedure")
        .only("id", "submitted_at", "procedure__name", "address", "status")
        .order_by("submitted_at")[:50]
    )
    return render(
        request,
        "dossiers/queue.html",
        {
            "rows": rows,
            "awaiting": awaiting,
            "near": near,
            "features": _queue_features(rows),
        },
    )


def _queue_features(rows: list[Dossier]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": row.pk,
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(row.lon, 7), round(row.lat, 7)],
                },
                "properties": {
                    "code": row.code,
                    "procedure": row.procedure.name,
                    "deadline": row.deadline.isoformat() if row.deadline else None,
                    "due_soon": bool(row.is_due_soon),
                    "overdue": bool(row.is_overdue),
                    "url": reverse("dossiers:detail", args=[row.pk]),
                },
            }
            for row in rows
        ],
    }


@_officials_only
@require_http_methods(["GET", "POST"])
def counter_intake(request: HttpRequest) -> HttpResponse:
    """Intake at the counter: the officer enters the dossier; it is accepted at once."""
    form = IntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            dossier = services.receive_at_counter(officer=request.user, **form.intake())
        except DossierError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Dossier %(code)s accepted.") % {"code": dossier.code})
            return redirect("dossiers:receipt", pk=dossier.pk)
    return render(request, "dossiers/intake.html", {"form": form, "counter": True})


def _handler_choices(dossier: Dossier) -> list[Any]:
    """People who may handle the dossier: posts on its unit or above it that handle."""
    return list(policy.people_who_may(Action.HANDLE, dossier.unit_id, dossier.department_id))


@_officials_only
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A dossier for the officer: its data, timeline, branches, consultations and checks."""
    dossier = _dossier_in_scope(request.user, pk)
    user = request.user
    can_handle = policy.can(user, Action.HANDLE, dossier.unit_id, dossier.department_id)
    can_approve = policy.can(user, Action.APPROVE, dossier.unit_id, dossier.department_id)
    context = {
        "dossier": dossier,
        "personal": policy.can_see_personal_data(user, dossier.unit_id, dossier.department_id),
        "can_handle": can_handle,
        "can_approve": can_approve,
        "timeline": dossier.handoffs.select_related("sender_post__unit").order_by("at", "id"),
        "branches": dossier.branches.select_related("procedure"),
        "consultations": dossier.consultations.all(),
        "documents": dossier.documents.all(),
        "handlers": _handler_choices(dossier) if can_handle and dossier.is_open else [],
        "today": timezone.localdate(),
        "due_soon": dossier.due_soon(timezone.localdate()),
        "zoning": None,
        "statuses": Status,
    }
    if dossier.procedure.is_permit or dossier.procedure.is_combined:
        from dossiers.zoning import check_dossier

        context["zoning"] = check_dossier(dossier)
    return render(request, "dossiers/detail.html", context)


def _branch(dossier: Dossier, form: ActionForm) -> Branch:
    try:
        return dossier.branches.get(pk=form.cleaned_data.get("branch"))
    except Branch.DoesNotExist as exc:
        raise DossierError(_("Pick the branch.")) from exc


def _consultation(dossier: Dossier, form: ActionForm) -> Consultation:
    try:
        return dossier.consultations.get(pk=form.cleaned_data.get("consultation"))
    except Consultation.DoesNotExist as exc:
        raise DossierError(_("Pick the consultation.")) from exc


def _handler(dossier: Dossier, form: ActionForm) -> Any:
    person = get_user_model().objects.filter(pk=form.cleaned_data.get("handler")).first()
    if person is None:
        raise DossierError(_("Pick the officer."))
    return person


def _agreed(form: ActionForm) -> bool:
    if form.cleaned_data.get("agreed") is None:
        raise DossierError(_("Say whether it is agreed."))
    return form.cleaned_data["agreed"]


def _new_date(form: ActionForm) -> dt.date:
    if form.cleaned_data.get("new_date") is None:
        raise DossierError(_("Give the new appointment date."))
    return form.cleaned_data["new_date"]


ActionFn = Callable[[Dossier, Any, ActionForm, str], Any]

ACTIONS: dict[str, ActionFn] = {
    "accept": lambda d, u, f, note: services.accept_dossier(dossier=d, actor=u),
    "refuse": lambda d, u, f, note: services.refuse_intake(dossier=d, actor=u, reason=note),
    "assign": lambda d, u, f, note: services.assign(
        dossier=d, actor=u, handler=_handler(d, f), note=note
    ),
    "supplement": lambda d, u, f, note: services.request_supplement(dossier=d, actor=u, note=note),
    "resume": lambda d, u, f, note: services.receive_supplement(
        dossier=d,
        actor=u,
        note=note,
        documents=uploads(f.cleaned_data["documents"], _("Supplement")),
    ),
    "fees": lambda d, u, f, note: services.request_fees(dossier=d, actor=u, note=note),
    "paid": lambda d, u, f, note: services.record_payment(dossier=d, actor=u, note=note),
    "withdraw": lambda d, u, f, note: services.withdraw(dossier=d, actor=u, reason=note),
    "stop": lambda d, u, f, note: services.stop_processing(dossier=d, actor=u, reason=note),
    "close_branch": lambda d, u, f, note: services.close_branch(
        branch=_branch(d, f), actor=u, approved=_agreed(f), note=note
    ),
    "reply": lambda d, u, f, note: services.reply_consultation(
        consultation=_consultation(d, f), actor=u, agreed=_agreed(f), reply=note
    ),
    "apology": lambda d, u, f, note: services.issue_apology(
        dossier=d, actor=u, reason=note, new_date=_new_date(f)
    ),
    "decide": lambda d, u, f, note: services.decide(
        dossier=d, actor=u, result=f.cleaned_data.get("result") or "", note=note
    ),
    "return": lambda d, u, f, note: services.return_result(
        dossier=d, actor=u, rating=f.cleaned_data.get("rating")
    ),
}


@_officials_only
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One officer's action on a dossier (a button of the dossier page)."""
    dossier = _dossier_in_scope(request.user, pk)
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404(_("Nothing was found at this address."))
    _run_action(request, dossier, handler, _("Done."))
    return redirect("dossiers:detail", pk=pk)


def _owned_or_in_scope(request: HttpRequest, pk: int) -> Dossier:
    """The applicant's own dossier, or one the person handles (personal data on it)."""
    dossier = policy.get_in_scope_or_404(
        request.user,
        Dossier.objects.select_related("procedure", "ward", "unit"),
        unit_field="unit",
        department_field="department",
        owner_field="applicant",
        pk=pk,
    )
    if dossier.applicant_id != request.user.pk and not policy.can_see_personal_data(
        request.user, dossier.unit_id, dossier.department_id
    ):
        raise Http404(_("Nothing was found at this address."))
    return dossier


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt and appointment slip (form 01), printable."""
    dossier = _owned_or_in_scope(request, pk)
    if not dossier.code:
        raise Http404(_("Nothing was found at this address."))
    from dossiers.models import Agency

    agency = Agency.objects.filter(unit=dossier.unit).first()
    return render(
        request,
        "dossiers/receipt.html",
        {
            "dossier": dossier,
            "agency_name": agency.name if agency else dossier.unit.name,
            "documents": dossier.documents.all(),
            "lookup_url": request.build_absolute_uri(reverse("dossiers:lookup")),
        },
    )


@login_required
def document(request: HttpRequest, pk: int, document_id: int) -> FileResponse:
    """A document of a dossier, to its applicant or to the posts that handle it."""
    dossier = _owned_or_in_scope(request, pk)
    try:
        doc = dossier.documents.get(pk=document_id)
    except Document.DoesNotExist as exc:
        raise Http404(_("Nothing was found at this address.")) from exc
    response = FileResponse(doc.file.open("rb"), content_type=doc.content_type)
    response["Content-Disposition"] = f'inline; filename="document-{doc.pk}.{doc.extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@_officials_only
def queue_json(request: HttpRequest) -> JsonResponse:
    """The queue's points for the map (no personal data)."""
    rows = list(queue_rows(request.user, near=_near(request), today=timezone.localdate()))
    today = timezone.localdate()
    tomorrow = add_working_days(today, 1)
    for row in rows:
        row.is_due_soon = (
            row.status != Status.SUPPLEMENT and row.deadline and row.deadline <= tomorrow
        )
        row.is_overdue = row.status != Status.SUPPLEMENT and row.deadline and row.deadline < today
    return JsonResponse(_queue_features(rows), json_dumps_params={"ensure_ascii": False})
