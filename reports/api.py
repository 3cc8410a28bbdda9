"""The phone's JSON API for reports (documented at /api/schema/).

A phone sends `Idempotency-Key: <uuid>` with each new report (the same key on every retry of
that report) and `X-Device-Id: <random id kept on the phone>` for the rate limits. Answers
carry public fields only: the reporter's name and contact are never sent back.
"""

from __future__ import annotations

from django.contrib.gis.geos import Point
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reports import public
from reports.models import Category, Report
from reports.services import (
    ReportError,
    confirm_me_too,
    nearby_open_duplicates,
    submit_report,
)
from reports.views import client_ip

STATUS_OF_ERROR = {
    "invalid": status.HTTP_400_BAD_REQUEST,
    "outside": status.HTTP_400_BAD_REQUEST,
    "conflict": status.HTTP_409_CONFLICT,
    "rate_limited": status.HTTP_429_TOO_MANY_REQUESTS,
    "forbidden": status.HTTP_404_NOT_FOUND,
    "not_allowed": status.HTTP_409_CONFLICT,
}


def error_response(exc: ReportError) -> Response:
    body = {"error": exc.message, "code": exc.code}
    if exc.field:
        body["field"] = exc.field
    return Response(body, status=STATUS_OF_ERROR.get(exc.code, 400))


def first_error(errors: dict) -> str:
    for field, messages in errors.items():
        message = messages[0] if isinstance(messages, list) else messages
        return f"{field}: {message}" if field != "non_field_errors" else str(message)
    return "Invalid request."


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="label")
    group = serializers.CharField()
    responsible_level = serializers.CharField()
    target_days = serializers.IntegerField()
    duplicate_radius_m = serializers.IntegerField()


class NearbyQuerySerializer(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())


class NearbySerializer(serializers.Serializer):
    code = serializers.CharField(source="tracking_code")
    status = serializers.CharField()
    category = serializers.CharField(source="category.code")
    description = serializers.CharField()
    created_at = serializers.DateTimeField()
    confirmations = serializers.IntegerField()
    distance_m = serializers.SerializerMethodField()
    lon = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()

    def get_distance_m(self, report: Report) -> float:
        return round(report.distance.m, 1)

    def get_lon(self, report: Report) -> float:
        return round(report.location.x, 6)

    def get_lat(self, report: Report) -> float:
        return round(report.location.y, 6)


class ReportInputSerializer(serializers.Serializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all())
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    description = serializers.CharField(max_length=4000)
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=5, allow_empty=True
    )
    reporter_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    reporter_email = serializers.EmailField(required=False, allow_blank=True)
    reporter_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)


PUBLIC_REPORT = inline_serializer(
    "PublicReport",
    fields={
        "code": serializers.CharField(),
        "status": serializers.CharField(),
        "status_label": serializers.CharField(),
        "category": serializers.CharField(),
        "category_name": serializers.CharField(),
        "description": serializers.CharField(),
        "lon": serializers.FloatField(),
        "lat": serializers.FloatField(),
        "ward": inline_serializer(
            "WardRef", fields={"code": serializers.CharField(), "name": serializers.CharField()}
        ),
        "responsible": serializers.CharField(),
        "created_at": serializers.DateTimeField(),
        "updated_at": serializers.DateTimeField(),
        "due_date": serializers.DateField(),
        "overdue": serializers.BooleanField(),
        "confirmations": serializers.IntegerField(),
        "photos": serializers.ListField(child=serializers.DictField()),
        "timeline": serializers.ListField(child=serializers.DictField()),
    },
)
ERROR = inline_serializer(
    "ReportApiError",
    fields={
        "error": serializers.CharField(),
        "code": serializers.CharField(),
        "field": serializers.CharField(required=False),
    },
)


class CategoriesView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CategorySerializer(many=True), tags=["reports"])
    def get(self, request: Request) -> Response:
        """The categories a report can be filed under."""
        categories = Category.objects.filter(active=True)
        return Response(CategorySerializer(categories, many=True).data)


class NearbyView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[NearbyQuerySerializer],
        responses={200: NearbySerializer(many=True), 400: ERROR},
        tags=["reports"],
    )
    def get(self, request: Request) -> Response:
        """Open reports of the category near the point, filed in the last 30 days: offer
        "me too" on one of them before filing a duplicate."""
        query = NearbyQuerySerializer(data=request.query_params)
        if not query.is_valid():
            return Response({"error": first_error(query.errors), "code": "invalid"}, status=400)
        found = nearby_open_duplicates(
            category=query.validated_data["category"],
            location=Point(query.validated_data["lon"], query.validated_data["lat"], srid=4326),
        )
        return Response(NearbySerializer(found, many=True).data)


class ReportsView(APIView):
    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": ReportInputSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="A key the phone makes for this report (a UUID) and sends again "
                "on every retry: a retry answers 200 with the report the first attempt made.",
            ),
            OpenApiParameter(
                "X-Device-Id",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="A random id the app keeps on the phone, for the rate limits.",
            ),
        ],
        responses={201: PUBLIC_REPORT, 200: PUBLIC_REPORT, 400: ERROR, 409: ERROR, 429: ERROR},
        tags=["reports"],
    )
    def post(self, request: Request) -> Response:
        """File a report (multipart: fields and up to 5 photos named `photos`)."""
        incoming = ReportInputSerializer(data=request.data)
        if not incoming.is_valid():
            return Response({"error": first_error(incoming.errors), "code": "invalid"}, status=400)
        values = incoming.validated_data
        try:
            report = submit_report(
                category=values["category"],
                location=Point(values["lon"], values["lat"], srid=4326),
                description=values["description"],
                photos=values.get("photos") or [],
                reporter=request.user,
                reporter_name=values.get("reporter_name", ""),
                reporter_email=values.get("reporter_email", ""),
                reporter_phone=values.get("reporter_phone", ""),
                idempotency_key=request.headers.get("Idempotency-Key") or None,
                device_id=(request.headers.get("X-Device-Id") or "")[:64],
                ip=client_ip(request),
                source="app",
            )
        except ReportError as exc:
            return error_response(exc)
        body = public.as_dict(public.public_reports().get(pk=report.pk))
        return Response(body, status=200 if report.replayed else 201)


class ReportDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: PUBLIC_REPORT, 404: ERROR}, tags=["reports"])
    def get(self, request: Request, code: str) -> Response:
        """A report's public view and timeline, by its tracking code."""
        report = get_object_or_404(public.public_reports(), tracking_code=code.upper())
        return Response(public.as_dict(report))


class MeTooView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "MeTooResult",
                fields={
                    "counted": serializers.BooleanField(),
                    "confirmations": serializers.IntegerField(),
                },
            ),
            400: ERROR,
            429: ERROR,
        },
        tags=["reports"],
    )
    def post(self, request: Request, code: str) -> Response:
        """Confirm an open report ("me too") instead of filing a duplicate."""
        report = get_object_or_404(Report.objects.public(), tracking_code=code.upper())
        try:
            counted = confirm_me_too(
                report=report,
                user=request.user,
                device_id=(request.headers.get("X-Device-Id") or "")[:64],
                ip=client_ip(request),
            )
        except ReportError as exc:
            return error_response(exc)
        report.refresh_from_db(fields=["confirmations"])
        return Response({"counted": counted, "confirmations": report.confirmations})
