from __future__ import annotations

import datetime as dt
import json

from django.contrib.gis.geos import Point
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gis.models import AdminUnit, UnitLevel
from gis.services import locate, units_feature_collection


def _json(body: dict, status: int = 200) -> JsonResponse:
    """JSON with Vietnamese text as it is, not as \\u escapes."""
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _bad_request(message: str) -> JsonResponse:
    return _json({"error": message}, status=400)


@require_GET
def units_geojson(request: HttpRequest) -> HttpResponse:
    """Boundaries of the units valid today, simplified for display, as GeoJSON."""
    level = request.GET.get("level")
    if level is not None and level not in UnitLevel.values:
        return _bad_request(_("Unknown level “%(level)s”.") % {"level": level})
    units = AdminUnit.objects.valid_on()
    if level:
        units = units.filter(level=level)
    stamp = units.order_by("-updated_at").values_list("updated_at", flat=True).first()
    etag = f'"units-{level or "all"}-{units.count()}-{stamp.timestamp() if stamp else 0}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304)
    body = units_feature_collection(units)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/geo+json"
    )
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_GET
def locate_view(request: HttpRequest) -> JsonResponse:
    """`GET /api/locate?lon=&lat=[&date=YYYY-MM-DD]`: the ward, district and city at a point."""
    try:
        lon = float(request.GET["lon"])
        lat = float(request.GET["lat"])
    except KeyError:
        return _bad_request(_("Give the point as lon and lat (decimal degrees, WGS 84)."))
    except ValueError:
        return _bad_request(_("lon and lat must be decimal numbers."))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return _bad_request(_("lon must lie in [-180, 180] and lat in [-90, 90]."))
    day = None
    if request.GET.get("date"):
        try:
            day = dt.date.fromisoformat(request.GET["date"])
        except ValueError:
            return _bad_request(_("date must be YYYY-MM-DD."))
    found = locate(Point(lon, lat, srid=4326), day)

    def unit(u: AdminUnit | None) -> dict | None:
        return None if u is None else {"code": u.code, "name": u.name, "level": u.level}

    if not found.covered:
        return _json(
            {
                "covered": False,
                "message": _("This place is outside the area we cover."),
                "ward": None,
                "district": None,
                "city": unit(found.city),
            },
            status=200,
        )
    return _json(
        {
            "covered": True,
            "ward": unit(found.ward),
            "district": unit(found.district),
            "city": unit(found.city),
        }
    )
