"""`GET /api/planning/lookup`: what the plan allows at a point, on a parcel, or for a text."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from planning.lookup import (
    LookupFailed,
    alookup_lonlat,
    alookup_parcel,
    lookup_lonlat,
    lookup_parcel,
    parse_parcel_key,
    search,
)
from urbanmgmt.fastpath import FastRequest, FastResponse
from urbanmgmt.renderers import FastJSONRenderer

# --- input ---------------------------------------------------------------------------------


_ONE_OF = gettext_lazy(
    "Ask by point (lon and lat, WGS 84), by parcel (parcel=<ward code>-<sheet>-<parcel>, "
    "e.g. 26920-010-0016) or by text (q=…): exactly one of them."
)


class BadQuestion(Exception):
    pass


def _number(params: Any, name: str, low: float, high: float) -> float:
    try:
        value = float(params[name])
    except ValueError:
        raise BadQuestion(_("%(field)s: a decimal number is required.") % {"field": name}) from None
    if not (low <= value <= high):
        raise BadQuestion(
            _("%(field)s must lie between %(low)s and %(high)s.")
            % {"field": name, "low": low, "high": high}
        )
    return value


def parse_question(params: Any) -> dict[str, Any]:
    """The question asked, checked; BadQuestion says what is wrong.

    Parsed by hand rather than with a serializer: this endpoint answers in a few
    milliseconds, and building a serializer costs one of them.
    """
    point = "lon" in params or "lat" in params
    if point and not ("lon" in params and "lat" in params):
        raise BadQuestion(_("Give both lon and lat."))
    if point + ("parcel" in params) + ("q" in params) != 1:
        raise BadQuestion(str(_ONE_OF))
    question: dict[str, Any] = {"date": None}
    if params.get("date"):
        try:
            question["date"] = dt.date.fromisoformat(params["date"])
        except ValueError:
            raise BadQuestion(_("date: write the day as YYYY-MM-DD.")) from None
    if point:
        question["point"] = (_number(params, "lon", -180, 180), _number(params, "lat", -90, 90))
    elif "parcel" in params:
        key = parse_parcel_key(params["parcel"][:40])
        if key is None:
            raise BadQuestion(
                _(
                    "“%(value)s” is not a parcel key; write it as <ward code>-<sheet>-<parcel>, "
                    "e.g. 26920-010-0016."
                )
                % {"value": params["parcel"][:40]}
            )
        question["parcel"] = key
    else:
        if len(params["q"]) > 200:
            raise BadQuestion(_("q: at most 200 characters."))
        question["q"] = params["q"]
    return question


# --- output (for the schema) ---------------------------------------------------------------


class UnitOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class DecisionOut(serializers.Serializer):
    number = serializers.CharField(help_text=gettext_lazy("Decision number (số quyết định)"))
    title = serializers.CharField()
    decided_on = serializers.DateField()
    authority = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    scale = serializers.IntegerField(help_text=gettext_lazy("N of the scale 1/N"))
    scale_label = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


class LimitsOut(serializers.Serializer):
    max_floors = serializers.IntegerField(allow_null=True)
    max_height_m = serializers.FloatField(allow_null=True)
    max_coverage_pct = serializers.FloatField(allow_null=True)
    max_far = serializers.FloatField(allow_null=True)
    setback_m = serializers.FloatField(allow_null=True)


class ZoneOut(serializers.Serializer):
    id = serializers.IntegerField()
    zone_id = serializers.CharField()
    code = serializers.CharField(help_text=gettext_lazy("Zoning code, e.g. NNO, HH, CXDVO"))
    name = serializers.CharField()
    group = serializers.CharField()
    group_label = serializers.CharField()
    function = serializers.CharField()
    share = serializers.FloatField(
        allow_null=True, help_text=gettext_lazy("Share of the parcel's area in the zone, 0–1")
    )
    share_pct = serializers.FloatField(allow_null=True)
    area_m2 = serializers.FloatField(allow_null=True)
    limits = LimitsOut()
    decision = DecisionOut()


class RoadBoundaryOut(serializers.Serializer):
    street = serializers.CharField()
    planned_width_m = serializers.FloatField()
    distance_to_centre_m = serializers.FloatField()
    reach_m = serializers.FloatField(
        help_text=gettext_lazy("How far the parcel reaches into the planned street, in metres")
    )
    inside_m2 = serializers.FloatField(allow_null=True)
    decision = DecisionOut(allow_null=True)


class ParcelOut(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    ward_code = serializers.CharField()
    sheet_no = serializers.IntegerField()
    parcel_no = serializers.IntegerField()
    area_m2 = serializers.FloatField()
    land_use = serializers.CharField()
    land_use_name = serializers.CharField(allow_null=True)
    address = serializers.CharField()
    bbox = serializers.ListField(child=serializers.FloatField())
    geometry = serializers.JSONField()


class EarlierDecisionOut(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    decided_on = serializers.DateField()
    valid_to = serializers.DateField()
    superseded_by = serializers.CharField(allow_null=True)


class AnswerOut(serializers.Serializer):
    covered = serializers.BooleanField()
    message = serializers.CharField(required=False)
    date = serializers.DateField()
    point = serializers.ListField(child=serializers.FloatField())
    parcel = ParcelOut(allow_null=True, required=False)
    ward = UnitOut(required=False)
    district = UnitOut(allow_null=True, required=False)
    city = UnitOut(allow_null=True, required=False)
    zones = ZoneOut(many=True, required=False)
    road_boundaries = RoadBoundaryOut(many=True, required=False)
    earlier_decisions = EarlierDecisionOut(many=True, required=False)
    links = serializers.DictField(child=serializers.CharField(), required=False)


class SearchResultOut(serializers.Serializer):
    type = serializers.ChoiceField(choices=["unit", "street", "parcel"])
    key = serializers.CharField()
    label = serializers.CharField()
    detail = serializers.CharField(allow_null=True)
    bbox = serializers.ListField(child=serializers.FloatField())


class SearchOut(serializers.Serializer):
    query = serializers.CharField()
    results = SearchResultOut(many=True)
    answer = AnswerOut(allow_null=True)


class ErrorOut(serializers.Serializer):
    error = serializers.CharField()


# --- the view ------------------------------------------------------------------------------


class LookupView(APIView):
    """What the approved plan allows at a point, on a parcel, or for an address or street."""

    permission_classes = [AllowAny]
    authentication_classes: list = []  # public data: no session or token is read
    renderer_classes = [FastJSONRenderer]

    @extend_schema(
        operation_id="planning_lookup",
        summary=gettext_lazy("What is planned here?"),
        description=gettext_lazy(
            "Ask by point (lon, lat), by parcel key (<ward code>-<sheet>-<parcel>) or by text "
            "(an address, a street or a ward, diacritics and case ignored). The answer gives the "
            "parcel, its ward and district, every plan zone it touches with its share and limits, "
            "the decision each comes from, and the road boundaries it reaches. `date` asks for "
            "the plan and units in force on that day (today by default)."
        ),
        parameters=[
            OpenApiParameter("lon", float, description=gettext_lazy("Longitude, WGS 84")),
            OpenApiParameter("lat", float, description=gettext_lazy("Latitude, WGS 84")),
            OpenApiParameter(
                "parcel", str, description=gettext_lazy("Parcel key, e.g. 26920-010-0016")
            ),
            OpenApiParameter(
                "q", str, description=gettext_lazy("Address, street or ward, e.g. dien bien phu")
            ),
            OpenApiParameter("date", dt.date, description=gettext_lazy("Day (YYYY-MM-DD)")),
        ],
        responses={
            200: PolymorphicProxySerializer(
                component_name="PlanningLookupAnswer",
                serializers=[AnswerOut, SearchOut],
                resource_type_field_name=None,
            ),
            400: OpenApiResponse(ErrorOut, description=gettext_lazy("The question is malformed")),
            404: OpenApiResponse(ErrorOut, description=gettext_lazy("No parcel with that key")),
        },
        examples=[
            OpenApiExample("By point", value={"lon": 106.7098, "lat": 10.8012}, request_only=True)
        ],
    )
    def get(self, request: Request) -> Response:
        body, status = answer(request.query_params)
        return Response(body, status=status)


def answer(params: Any) -> tuple[dict[str, Any], int]:
    """The lookup's answer to a query string, and its HTTP status."""
    try:
        question = parse_question(params)
        if "parcel" in question:
            return lookup_parcel(question["parcel"], question["date"]), 200
        if "q" in question:
            return search(question["q"], question["date"]), 200
        return lookup_lonlat(*question["point"], question["date"]), 200
    except (BadQuestion, LookupFailed) as exc:
        return _failed(exc)


async def answer_async(params: Any) -> tuple[dict[str, Any], int]:
    """`answer` for a point or a parcel key, on the async pool (a search is not asked here)."""
    try:
        question = parse_question(params)
        if "parcel" in question:
            return await alookup_parcel(question["parcel"], question["date"]), 200
        return await alookup_lonlat(*question["point"], question["date"]), 200
    except (BadQuestion, LookupFailed) as exc:
        return _failed(exc)


def _failed(exc: BadQuestion | LookupFailed) -> tuple[dict[str, Any], int]:
    return {"error": str(exc)}, getattr(exc, "status", 400)


def fast_lookup(request: FastRequest) -> FastResponse | None:
    """The same answer, for the fast path (urbanmgmt/fastpath.py), when only JSON is asked for.

    DRF would refuse an Accept header without JSON (406) and reads `?format=`; such
    requests go to the view.
    """
    params = _fast_params(request)
    if params is None:
        return None
    return _fast_response(*answer(params))


async def fast_lookup_async(request: FastRequest) -> FastResponse | None:
    """The same answer on the ASGI worker's event loop, by point or parcel key. A search by
    text goes on to `fast_lookup` (its statement runs on Django's connection)."""
    params = _fast_params(request)
    if params is None or "q" in params:
        return None
    return _fast_response(*await answer_async(params))


def _fast_params(request: FastRequest) -> dict[str, str] | None:
    accept = request.header("Accept")
    if accept and "json" not in accept and "*/*" not in accept:
        return None
    params = request.query
    return None if "format" in params else params


def _fast_response(body: dict[str, Any], status: int) -> FastResponse:
    response = FastResponse.json(body, status)
    response.headers.append(("Allow", "GET, HEAD, OPTIONS"))
    return response
