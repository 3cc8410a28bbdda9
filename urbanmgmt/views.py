from __future__ import annotations

import folium
from django.contrib.gis.db.models import Extent
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from gis.maps import embed, local_map
from gis.models import AdminUnit, Parcel, UnitLevel
from gis.services import units_feature_collection


def home(request: HttpRequest) -> HttpResponse:
    """The district on a map, with its wards and their figures."""
    districts = list(AdminUnit.objects.valid_on().filter(level=UnitLevel.DISTRICT).order_by("code"))
    wards = list(
        AdminUnit.objects.valid_on().base_units().order_by("code").defer("geom", "geom_3857")
    )
    parcels = dict(
        Parcel.objects.values_list("ward_id").annotate(n=Count("id")).values_list("ward_id", "n")
    )
    for ward in wards:
        ward.parcel_count = parcels.get(ward.id, 0)
        ward.area_km2 = ward.area_m2 / 1e6
    context: dict = {
        "districts": districts,
        "wards": wards,
        "map": None,
        "ogc_path": reverse("spatial:ogc-landing"),
        "ogc_url": request.build_absolute_uri(reverse("spatial:ogc-landing")),
    }
    if wards:
        extent = AdminUnit.objects.filter(id__in=[w.id for w in wards]).aggregate(e=Extent("geom"))[
            "e"
        ]
        fmap = local_map(prefer_canvas=True)
        fmap.fit_bounds([[extent[1], extent[0]], [extent[3], extent[2]]])
        folium.GeoJson(
            units_feature_collection(AdminUnit.objects.filter(id__in=[w.id for w in wards])),
            name=_("Wards"),
            style_function=lambda _feature: {
                "color": "#1d4ed8",
                "weight": 1.5,
                "fillColor": "#93c5fd",
                "fillOpacity": 0.35,
            },
            highlight_function=lambda _feature: {"weight": 3, "fillOpacity": 0.6},
            tooltip=folium.GeoJsonTooltip(
                fields=["name", "code", "area_km2"], aliases=[_("Ward"), _("Code"), _("Area (km²)")]
            ),
        ).add_to(fmap)
        context["map"] = embed(fmap)
    return render(request, "home.html", context)
