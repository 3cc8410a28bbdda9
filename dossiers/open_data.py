"""Open data: construction permits in the fields of BLDS, the open permit-data standard.

Only accepted permit dossiers (they have a code), and nothing about the applicant: the place
is the parcel's (public anyway on the parcel map), the building is the one applied for.
`CompletedDate` (BLDS: the works finished and inspected) is left empty: we do not follow
the works after the permit. Streamed, so a year of a city's permits does not sit in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dossiers.models import Dossier, Result, Status

FIELDS = (
    "PermitNum",
    "Description",
    "AppliedDate",
    "IssuedDate",
    "CompletedDate",
    "StatusCurrent",
    "StatusCurrentMapped",
    "OriginalAddress1",
    "OriginalCity",
    "Latitude",
    "Longitude",
    "PermitType",
    "PermitTypeMapped",
    "WorkClass",
    "WorkClassMapped",
    "TotalSqFt",
    "Link",
)
SQFT_PER_M2 = 10.7639104

# Vietnamese status (the national code's name) → BLDS StatusCurrentMapped.
_MAPPED = {
    Status.ACCEPTED: "Application Accepted",
    Status.PROCESSING: "In Review",
    Status.SUPPLEMENT: "In Review",
    Status.FEES: "In Review",
    Status.WITHDRAWN: "Application Withdrawn",
    Status.STOPPED: "Permit Cancelled",
}
_STATUS_VI = {
    Status.ACCEPTED: "Đã tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.SUPPLEMENT: "Chờ bổ sung hồ sơ",
    Status.FEES: "Chờ nộp phí",
    Status.WITHDRAWN: "Rút hồ sơ",
    Status.STOPPED: "Dừng xử lý",
    Status.DECIDED: "Đã có kết quả",
    Status.RETURNED: "Đã trả kết quả",
}
_COLUMNS = (
    "code",
    "procedure__name",
    "procedure__is_combined",
    "description",
    "floors",
    "height_m",
    "gross_floor_area_m2",
    "accepted_on",
    "decided_on",
    "result",
    "status",
    "address",
    "ward__name",
    "unit__name",
    "location",
)


def permits(since: dt.date | None = None, until: dt.date | None = None) -> QuerySet:
    rows = Dossier.objects.filter(code__isnull=False).filter(
        Q(procedure__is_permit=True) | Q(procedure__is_combined=True)
    )
    if since:
        rows = rows.filter(accepted_on__gte=since)
    if until:
        rows = rows.filter(accepted_on__lte=until)
    return rows.order_by("accepted_on", "id").values_list(*_COLUMNS)


def _record(row: tuple[Any, ...]) -> dict[str, Any]:
    values = dict(zip(_COLUMNS, row, strict=True))
    status = values["status"]
    result = values["result"]
    issued = result == Result.ISSUED and values["decided_on"] is not None
    if status in (Status.DECIDED, Status.RETURNED):
        mapped = "Permit Issued" if issued else "Application Denied"
        current = _STATUS_VI[status] + (": cấp phép" if issued else ": từ chối")
    else:
        mapped = _MAPPED.get(status, "")
        current = _STATUS_VI.get(status, "")
    parts = [values["procedure__name"]]
    if values["floors"]:
        parts.append(f"{values['floors']} tầng")
    if values["height_m"] is not None:
        parts.append(f"cao {values['height_m']:g} m")
    if values["description"]:
        parts.append(values["description"][:200])
    gross = values["gross_floor_area_m2"]
    point = values["location"]
    address = ", ".join(p for p in (values["address"], values["ward__name"]) if p)
    return {
        "PermitNum": values["code"],
        "Description": "; ".join(parts),
        "AppliedDate": values["accepted_on"].isoformat() if values["accepted_on"] else "",
        "IssuedDate": values["decided_on"].isoformat() if issued else "",
        "CompletedDate": "",
        "StatusCurrent": current,
        "StatusCurrentMapped": mapped,
        "OriginalAddress1": address,
        "OriginalCity": values["unit__name"],
        "Latitude": round(point.y, 6) if point else "",
        "Longitude": round(point.x, 6) if point else "",
        "PermitType": values["procedure__name"],
        "PermitTypeMapped": "Building",
        "WorkClass": "Liên thông" if values["procedure__is_combined"] else "Xây dựng mới",
        "WorkClassMapped": "New",
        "TotalSqFt": round(float(gross) * SQFT_PER_M2) if gross is not None else "",
        "Link": "",
    }


def _period(request: HttpRequest) -> tuple[dt.date | None, dt.date | None]:
    since = until = None
    if request.GET.get("since"):
        since = dt.date.fromisoformat(request.GET["since"])
    if request.GET.get("until"):
        until = dt.date.fromisoformat(request.GET["until"])
    return since, until


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: QuerySet) -> Iterator[str]:
    writer = csv.DictWriter(_Echo(), fieldnames=FIELDS)
    yield "\ufeff" + writer.writeheader()  # the BOM lets spreadsheets read Vietnamese as UTF-8
    for row in rows.iterator(chunk_size=2000):
        yield writer.writerow(_record(row))


def _bad_period() -> JsonResponse:
    return JsonResponse(
        {"error": _("since and until must be dates written YYYY-MM-DD.")},
        status=400,
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def permits_csv(request: HttpRequest) -> HttpResponse:
    """`GET /open-data/permits.csv[?since=&until=]`: permits in BLDS columns."""
    try:
        since, until = _period(request)
    except ValueError:
        return _bad_period()
    response = StreamingHttpResponse(
        _csv_lines(permits(since, until)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="permits.csv"'
    return response


def _geojson_chunks(rows: QuerySet) -> Iterator[str]:
    yield '{"type":"FeatureCollection","features":['
    first = True
    for row in rows.iterator(chunk_size=2000):
        record = _record(row)
        feature = {
            "type": "Feature",
            "id": record["PermitNum"],
            "geometry": (
                {"type": "Point", "coordinates": [record["Longitude"], record["Latitude"]]}
                if record["Latitude"] != ""
                else None
            ),
            "properties": record,
        }
        yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "]}"


@require_GET
def permits_geojson(request: HttpRequest) -> HttpResponse:
    """`GET /open-data/permits.geojson[?since=&until=]`: the same permits as GeoJSON points."""
    try:
        since, until = _period(request)
    except ValueError:
        return _bad_period()
    return StreamingHttpResponse(
        _geojson_chunks(permits(since, until)), content_type="application/geo+json"
    )
