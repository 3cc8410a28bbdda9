"""The officials' side: the review queue (map and list) and the workflow actions.

Everything goes through `urbanmgmt.policy`: lists through `policy.scope`, single reports
through `policy.get_in_scope_or_404` (a report outside one's scope does not exist, 404), the
reporter's name and contact only where `policy.can_see_personal_data` says so. Scope follows
the report's responsible unit and department, not the ward it lies in.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gis.models import BASE_LEVELS, AdminUnit, UnitLevel
from reports import forms, queries, queue_query, services
from reports.models import Category, Report, ReportEvent, Status
from reports.views import map_context
from urbanmgmt import policy
from urbanmgmt.models import Department

SCOPE = {"unit_field": "unit", "department_field": "department"}


def in_scope(user, action: str = policy.Action.VIEW):
    return policy.scope(user, Report.objects.all(), action=action, **SCOPE)


def _officials_only(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not policy.is_official(request.user):
        raise Http404
    return None


@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    """The reports of the official's units: filters, a map and a list side by side."""
    if (refused := _officials_only(request)) is not None:
        return refused
    form = queries.ReportFilterForm(request.GET or None)
    filters, error = queries.Filters(), ""
    if form.is_bound:
        if form.is_valid():
            filters = queries.Filters.from_form(form)
        else:
            error = queries.first_error(form)
    rows, more = queue_query.page(request.user, filters, filters.page)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "error": error,
        "reports": rows,
        "page": filters.page,
        "more": more,
        "query": query.urlencode(),
        "categories": Category.objects.all(),
        "statuses": list(Status),
        "map_config": {
            **map_context(),
            "points_url": reverse("reports:queue-points"),
            "track_url": reverse("reports:review", kwargs={"code": "CODE"}),
            "fit": True,
        },
    }
    return render(request, "reports/queue.html", context, status=400 if error else 200)


@require_safe
def queue_points(request: HttpRequest) -> JsonResponse:
    if not policy.is_official(request.user):
        raise Http404
    form = queries.ReportFilterForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": queries.first_error(form)}, status=400)
    filters = queries.Filters.from_form(form)
    body = queries.map_features(filters.apply(in_scope(request.user)))
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _get(request: HttpRequest, code: str) -> Report:
    return policy.get_in_scope_or_404(
        request.user,
        Report.objects.select_related(
            "category", "ward", "unit", "department", "assignee", "reporter", "duplicate_of"
        ),
        **SCOPE,
        tracking_code=code.upper(),
    )


def assignable_officers(report: Report) -> list:
    """People with a post that may handle the report (its unit or one above it)."""
    return list(policy.people_who_may(policy.Action.HANDLE, report.unit_id, report.department_id))


def hand_on_targets() -> list[AdminUnit]:
    return list(
        AdminUnit.objects.valid_on()
        .filter(level__in=[*BASE_LEVELS, UnitLevel.DISTRICT])
        .only("id", "code", "name", "level")
        .order_by("code")
    )


@require_safe
def detail(request: HttpRequest, code: str) -> HttpResponse:
    """One report for review: everything about it, its full history, and what may be done."""
    if (refused := _officials_only(request)) is not None:
        return refused
    report = _get(request, code)
    user = request.user
    can_handle = policy.can(user, policy.Action.HANDLE, report.unit_id, report.department_id)
    can_assign = policy.can(user, policy.Action.ASSIGN, report.unit_id, report.department_id)
    personal = policy.can_see_personal_data(user, report.unit_id, report.department_id)
    history = list(
        ReportEvent.objects.filter(report=report)
        .select_related("actor", "post", "post__unit", "from_unit", "to_unit", "assignee")
        .order_by("at", "id")
    )
    for event in history:
        # Citizens act without a post: who filed or confirmed is personal data.
        event.show_actor = event.post_id is not None or personal
    next_statuses = services.allowed_next(report)
    context = {
        "report": report,
        "personal": personal,
        "history": history,
        "photos": report.photos.order_by("id"),
        "overdue": report.is_overdue(),
        "can_handle": can_handle,
        "can_assign": can_assign,
        "next": next_statuses,
        "officers": assignable_officers(report) if can_assign else [],
        "units": hand_on_targets() if can_handle and report.is_open else [],
        "departments": Department.objects.select_related("unit").order_by("unit__code", "code")
        if can_handle and report.is_open
        else [],
        "Status": Status,
    }
    return render(request, "reports/review.html", context)


ACTIONS = {"verify", "assign", "start", "resolve", "reject", "merge", "hand-on"}


@require_POST
def act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Carry out one workflow step; the service checks the policy and the step again."""
    if action not in ACTIONS:
        raise Http404
    if not policy.is_official(request.user):
        raise Http404
    report = _get(request, code)
    back = HttpResponseRedirect(reverse("reports:review", kwargs={"code": report.tracking_code}))
    try:
        done = _carry_out(request, report, action)
    except services.ReportError as exc:
        messages.error(request, exc.message)
        return back
    messages.success(request, done)
    return back


def _form_error(form) -> services.ReportError:
    return services.ReportError(queries.first_error(form))


def _carry_out(request: HttpRequest, report: Report, action: str) -> str:
    user = request.user
    if action == "verify":
        form = forms.NoteForm(request.POST)
        form.is_valid()
        services.verify_report(
            report=report, actor=user, public_note=form.cleaned_data.get("public_note", "")
        )
        return _("The report is verified.")
    if action == "assign":
        form = forms.AssignForm(request.POST)
        if not form.is_valid():
            raise _form_error(form)
        assignee = get_user_model().objects.filter(pk=form.cleaned_data["assignee"]).first()
        if assignee is None:
            raise services.ReportError(_("This person cannot handle reports of this unit."))
        services.assign_report(
            report=report,
            actor=user,
            assignee=assignee,
            public_note=form.cleaned_data["public_note"],
        )
        return _("The report is assigned.")
    if action == "start":
        form = forms.NoteForm(request.POST)
        form.is_valid()
        services.start_work(
            report=report, actor=user, public_note=form.cleaned_data.get("public_note", "")
        )
        return _("Work on the report has started.")
    if action == "resolve":
        form = forms.ResolveForm(request.POST, request.FILES)
        if not form.is_valid():
            raise _form_error(form)
        services.resolve_report(
            report=report,
            actor=user,
            photo=form.cleaned_data["photo"],
            public_note=form.cleaned_data["public_note"],
        )
        return _("The report is resolved.")
    if action == "reject":
        form = forms.ReasonForm(request.POST)
        if not form.is_valid():
            raise _form_error(form)
        services.reject_report(report=report, actor=user, reason=form.cleaned_data["reason"])
        return _("The report is rejected.")
    if action == "merge":
        form = forms.MergeForm(request.POST)
        if not form.is_valid():
            raise _form_error(form)
        target = in_scope(user).filter(tracking_code=form.cleaned_data["into"].upper()).first()
        if target is None:
            raise services.ReportError(_("No report has this code."))
        services.merge_report(
            report=report, actor=user, into=target, public_note=form.cleaned_data["public_note"]
        )
        return _("The report is closed as a duplicate.")
    form = forms.HandOnForm(request.POST)
    if not form.is_valid():
        raise _form_error(form)
    unit = (
        AdminUnit.objects.valid_on()
        .filter(code=form.cleaned_data["unit"], level__in=[*BASE_LEVELS, UnitLevel.DISTRICT])
        .first()
    )
    if unit is None:
        raise services.ReportError(_("Reports go to a ward or a district in use today."))
    department = None
    if form.cleaned_data["department"]:
        department = Department.objects.filter(
            unit=unit, code=form.cleaned_data["department"]
        ).first()
        if department is None:
            raise services.ReportError(
                _("The department must belong to the unit the report goes to.")
            )
    services.hand_on(
        report=report,
        actor=user,
        to_unit=unit,
        to_department=department,
        reason=form.cleaned_data["reason"],
        public_note=form.cleaned_data["public_note"],
    )
    return _("The report was handed on to %(unit)s.") % {"unit": unit.name}
