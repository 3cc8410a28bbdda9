"""OGC API - Features, Part 1 (core, GeoJSON, HTML, OpenAPI 3.0) at `/ogc/`.

The collections are exactly the published layers (`gis.publish`), the same as the vector
tiles. Each resource answers JSON or HTML, chosen by `?f=json|html` or else by the Accept
header (JSON unless the client prefers HTML, as browsers do). Responses carry an ETag made
of the layers' data versions, so asking again for anything unchanged is a 304 without a
query. Bad parameters are a 400 and unknown collections or features a 404, each with a
message in the resource's format.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

import folium
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gis import ogc
from gis.map_views import fit_to, tile_overlay
from gis.maps import embed, local_map
from gis.publish import PublishedLayer, data_version, get_layer, published_layers
from gis.tiles import layer_bounds

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
# Clients may keep an answer but must ask again (a cheap 304) before using it.
CACHE_CONTROL = "public, no-cache"
FORMAT_PARAMETER = ("f",)


class NotFound(Exception):
    """A collection or feature that does not exist; its message says which."""


# --- answering ----------------------------------------------------------------------------


def _format(request: HttpRequest, json_type: str = JSON) -> str:
    """'json' or 'html', from ?f= or else the Accept header (JSON unless HTML is preferred)."""
    chosen = request.GET.get("f")
    if chosen is not None:
        if chosen not in ("json", "html"):
            raise ogc.InvalidParameter(
                _("Unknown format “%(f)s”; f must be json or html.") % {"f": chosen}
            )
        return chosen
    preferred = request.get_preferred_type([json_type, JSON, HTML])
    return "html" if preferred == HTML else "json"


def _json_response(body: Any, content_type: str = JSON, status: int = 200) -> HttpResponse:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    response = HttpResponse(text, content_type=content_type, status=status)
    response["Access-Control-Allow-Origin"] = "*"  # public data, read by clients on any site
    return response


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    try:
        fmt = _format(request)
    except ogc.InvalidParameter:
        fmt = "json"
    if fmt == "html":
        return render(
            request,
            "spatial/ogc/error.html",
            {"status": status, "message": message},
            status=status,
        )
    return _json_response({"code": code, "description": message}, status=status)


def ogc_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET and HEAD only; bad input answered as a 400, missing things as a 404, with a message."""

    @require_safe
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except ogc.InvalidParameter as error:
            response = _error(request, 400, "InvalidParameterValue", str(error))
        except NotFound as error:
            response = _error(request, 404, "NotFound", str(error))
        patch_vary_headers(response, ["Accept"])
        return response

    return wrapper


def _conditional(
    request: HttpRequest, parts: list[str], build: Callable[[], HttpResponse]
) -> HttpResponse:
    """`build()`'s answer with an ETag of `parts`, or a 304 when the client already has it."""
    parts = [*parts, request.get_full_path(), request.get_host(), translation.get_language()]
    etag = 'W/"' + hashlib.sha1("\n".join(parts).encode(), usedforsecurity=False).hexdigest() + '"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = build()
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    return response


def _url(
    request: HttpRequest, name: str, /, query: dict[str, Any] | None = None, **kwargs: Any
) -> str:
    url = request.build_absolute_uri(reverse(f"spatial:{name}", kwargs=kwargs or None))
    if query:
        url += "?" + urlencode(query)
    return url


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _link(href: str, rel: str, type_: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": type_, "title": title}


def _self_links(
    request: HttpRequest, name: str, fmt: str, json_type: str = JSON, **kwargs: Any
) -> list[dict[str, str]]:
    """`self` and `alternate`: the same resource as JSON and as HTML."""
    as_json = _link(
        _url(request, name, {"f": "json"}, **kwargs), "self", json_type, _("This document as JSON")
    )
    as_html = _link(
        _url(request, name, {"f": "html"}, **kwargs), "alternate", HTML, _("This document as HTML")
    )
    if fmt == "html":
        as_json["rel"], as_html["rel"] = "alternate", "self"
    return [as_json, as_html]


def _layer_or_404(name: str) -> PublishedLayer:
    layer = get_layer(name)
    if layer is None:
        raise NotFound(
            _("There is no collection “%(name)s”; the collections are: %(names)s.")
            % {"name": name, "names": ", ".join(layer.name for layer in published_layers())}
        )
    return layer


def _given(request: HttpRequest) -> dict[str, list[str]]:
    return dict(request.GET.lists())


def _versions() -> list[str]:
    return [f"{layer.name}:{data_version(layer)}" for layer in published_layers()]


# --- landing page, conformance, OpenAPI ---------------------------------------------------


@ogc_view
def landing(request: HttpRequest) -> HttpResponse:
    ogc.check_parameters(_given(request), FORMAT_PARAMETER)
    fmt = _format(request)
    title = _("Urban management: open spatial data")
    description = _(
        "The published layers of urbanmgmt (administrative units, cadastral parcels and "
        "more) as OGC API - Features collections, in GeoJSON and HTML."
    )
    links = [
        *_self_links(request, "ogc-landing", fmt),
        _link(
            _url(request, "ogc-api"), "service-desc", OPENAPI, _("The API definition (OpenAPI 3.0)")
        ),
        _link(
            _url(request, "ogc-conformance", {"f": "json"}),
            "conformance",
            JSON,
            _("Conformance classes implemented by this API"),
        ),
        _link(
            _url(request, "ogc-collections", {"f": "json"}),
            "data",
            JSON,
            _("The collections of features"),
        ),
    ]
    if fmt == "html":
        return render(
            request,
            "spatial/ogc/landing.html",
            {"title": title, "description": description, "links": links},
        )
    return _json_response({"title": title, "description": description, "links": links})


@ogc_view
def conformance(request: HttpRequest) -> HttpResponse:
    ogc.check_parameters(_given(request), FORMAT_PARAMETER)
    if _format(request) == "html":
        return render(request, "spatial/ogc/conformance.html", {"classes": CONFORMANCE})
    return _json_response({"conformsTo": CONFORMANCE})


@ogc_view
def api_document(request: HttpRequest) -> HttpResponse:
    ogc.check_parameters(_given(request), FORMAT_PARAMETER)
    return _json_response(_openapi(request), content_type=OPENAPI)


# --- collections --------------------------------------------------------------------------


def _collection(request: HttpRequest, layer: PublishedLayer, fmt: str) -> dict[str, Any]:
    version = data_version(layer)
    body: dict[str, Any] = {
        "id": layer.name,
        "title": str(layer.title),
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            *_self_links(request, "ogc-collection", fmt, collection=layer.name),
            _link(
                _url(request, "ogc-items", collection=layer.name),
                "items",
                GEOJSON,
                _("The features as GeoJSON"),
            ),
            _link(
                _url(request, "ogc-items", {"f": "html"}, collection=layer.name),
                "items",
                HTML,
                _("The features as HTML"),
            ),
        ],
    }
    extent: dict[str, Any] = {}
    bounds = layer_bounds(layer, version)
    if bounds:
        extent["spatial"] = {"bbox": [bounds], "crs": CRS84}
    times = ogc.temporal_extent(layer, version)
    if times:
        extent["temporal"] = {"interval": [times], "trs": GREGORIAN}
    if extent:
        body["extent"] = extent
    return body


@ogc_view
def collections(request: HttpRequest) -> HttpResponse:
    ogc.check_parameters(_given(request), FORMAT_PARAMETER)
    fmt = _format(request)

    def build() -> HttpResponse:
        body = {
            "links": _self_links(request, "ogc-collections", fmt),
            "collections": [_collection(request, layer, fmt) for layer in published_layers()],
        }
        if fmt == "html":
            return render(request, "spatial/ogc/collections.html", body)
        return _json_response(body)

    return _conditional(request, _versions(), build)


@ogc_view
def collection(request: HttpRequest, collection: str) -> HttpResponse:
    layer = _layer_or_404(collection)
    ogc.check_parameters(_given(request), FORMAT_PARAMETER)
    fmt = _format(request)

    def build() -> HttpResponse:
        body = _collection(request, layer, fmt)
        if fmt == "html":
            return render(
                request,
                "spatial/ogc/collection.html",
                {
                    "collection": body,
                    "layer": layer,
                    "queryables": layer.properties,
                    "map": _layer_map(layer, body.get("extent", {}).get("spatial")),
                },
            )
        return _json_response(body)

    return _conditional(request, [f"{layer.name}:{data_version(layer)}"], build)


def _layer_map(layer: PublishedLayer, spatial: dict[str, Any] | None) -> dict[str, str] | None:
    if spatial is None:
        return None
    fmap = local_map(prefer_canvas=True)
    tile_overlay(layer).add_to(fmap)
    west, south, east, north = spatial["bbox"][0]
    fit_to(fmap, (west, south, east, north))
    return embed(fmap)


# --- features -----------------------------------------------------------------------------


def _page_links(
    request: HttpRequest, layer: PublishedLayer, page: ogc.Page, fmt: str
) -> list[dict[str, str]]:
    kept = {k: v for k, v in request.GET.items() if k not in ("after", "before", "f")}
    as_json = _link(
        _url(
            request, "ogc-items", {**kept, **_cursor(request), "f": "json"}, collection=layer.name
        ),
        "self",
        GEOJSON,
        _("This page as GeoJSON"),
    )
    as_html = _link(
        _url(
            request, "ogc-items", {**kept, **_cursor(request), "f": "html"}, collection=layer.name
        ),
        "alternate",
        HTML,
        _("This page as HTML"),
    )
    if fmt == "html":
        as_json["rel"], as_html["rel"] = "alternate", "self"
    links = [as_json, as_html]
    page_type, page_format = (HTML, "html") if fmt == "html" else (GEOJSON, "json")
    if page.has_next and page.last_id is not None:
        links.append(
            _link(
                _url(
                    request,
                    "ogc-items",
                    {**kept, "after": page.last_id, "f": page_format},
                    collection=layer.name,
                ),
                "next",
                page_type,
                _("Next page"),
            )
        )
    if page.has_prev and page.first_id is not None:
        links.append(
            _link(
                _url(
                    request,
                    "ogc-items",
                    {**kept, "before": page.first_id, "f": page_format},
                    collection=layer.name,
                ),
                "prev",
                page_type,
                _("Previous page"),
            )
        )
    links.append(
        _link(
            _url(request, "ogc-collection", {"f": "json"}, collection=layer.name),
            "collection",
            JSON,
            _("The collection"),
        )
    )
    return links


def _cursor(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET[k] for k in ("after", "before") if k in request.GET}


@ogc_view
def items(request: HttpRequest, collection: str) -> HttpResponse:
    layer = _layer_or_404(collection)
    ogc.check_parameters(_given(request), ogc.ITEMS_PARAMETERS)
    fmt = _format(request, GEOJSON)
    query = ogc.parse_items_query(layer, request.GET)

    def build() -> HttpResponse:
        page = ogc.items_page(layer, query)
        links = _page_links(request, layer, page, fmt)
        tail: dict[str, Any] = {"numberReturned": page.returned}
        if page.matched is not None:
            tail["numberMatched"] = page.matched
        tail["timeStamp"] = timezone.now().isoformat(timespec="seconds")
        tail["links"] = links
        if fmt == "html":
            features = json.loads(f"[{page.features_json}]")
            columns = [p.name for p in layer.properties]
            return render(
                request,
                "spatial/ogc/items.html",
                {
                    "layer": layer,
                    "rows": [
                        {
                            "id": feature["id"],
                            "values": [feature["properties"].get(c) for c in columns],
                        }
                        for feature in features
                    ],
                    "columns": columns,
                    "page": page,
                    # Paths, not absolute URLs: the page links only within this site.
                    "links": {link["rel"]: _path(link["href"]) for link in links},
                    "query": query,
                    "map": _features_map(features),
                },
            )
        # The features stay the text PostgreSQL wrote; only the envelope is added here.
        head = '{"type": "FeatureCollection", "features": [' + page.features_json + "], "
        return _json_response(head + json.dumps(tail, ensure_ascii=False)[1:], GEOJSON)

    return _conditional(request, [f"{layer.name}:{data_version(layer)}"], build)


def _feature_id(value: str, layer: PublishedLayer) -> int:
    number = ogc.as_feature_id(value)
    if number is None:
        raise NotFound(_no_feature(layer, value))
    return number


def _no_feature(layer: PublishedLayer, value: str) -> str:
    return _("Collection “%(layer)s” has no feature “%(id)s”.") % {"layer": layer.name, "id": value}


@ogc_view
def item(request: HttpRequest, collection: str, feature_id: str) -> HttpResponse:
    layer = _layer_or_404(collection)
    ogc.check_parameters(_given(request), FORMAT_PARAMETER)
    fmt = _format(request, GEOJSON)
    fid = _feature_id(feature_id, layer)

    def build() -> HttpResponse:
        text = ogc.feature_json(layer, fid)
        if text is None:
            raise NotFound(_no_feature(layer, feature_id))
        feature = json.loads(text)
        feature["links"] = [
            *_self_links(request, "ogc-item", fmt, GEOJSON, collection=layer.name, feature_id=fid),
            _link(
                _url(request, "ogc-collection", {"f": "json"}, collection=layer.name),
                "collection",
                JSON,
                _("The collection"),
            ),
        ]
        if fmt == "html":
            return render(
                request,
                "spatial/ogc/item.html",
                {"layer": layer, "feature": feature, "map": _features_map([feature])},
            )
        return _json_response(feature, GEOJSON)

    return _conditional(request, [f"{layer.name}:{data_version(layer)}"], build)


def _features_map(features: list[dict[str, Any]]) -> dict[str, str] | None:
    bounds = _bounds(f["geometry"] for f in features if f.get("geometry"))
    if bounds is None:
        return None
    fmap = local_map(prefer_canvas=True)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=lambda _feature: {
            "color": "#b91c1c",
            "weight": 2,
            "fillColor": "#fca5a5",
            "fillOpacity": 0.4,
        },
        marker=folium.CircleMarker(radius=6, fill=True),
    ).add_to(fmap)
    fit_to(fmap, bounds)
    return embed(fmap)


def _bounds(geometries: Any) -> tuple[float, float, float, float] | None:
    xs: list[float] = []
    ys: list[float] = []

    def walk(coordinates: Any) -> None:
        if coordinates and isinstance(coordinates[0], int | float):
            xs.append(coordinates[0])
            ys.append(coordinates[1])
        else:
            for part in coordinates:
                walk(part)

    for geometry in geometries:
        if geometry["type"] == "GeometryCollection":
            for part in geometry["geometries"]:
                walk(part["coordinates"])
        else:
            walk(geometry["coordinates"])
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


# --- OpenAPI 3.0 --------------------------------------------------------------------------


def _openapi(request: HttpRequest) -> dict[str, Any]:
    """The API definition: every path, with the parameters the views really accept."""
    names = [layer.name for layer in published_layers()]
    timed = [layer.name for layer in published_layers() if layer.datetime_column]
    f_param = {
        "name": "f",
        "in": "query",
        "description": _("The format of the answer; otherwise chosen by the Accept header."),
        "required": False,
        "schema": {"type": "string", "enum": ["json", "html"]},
    }
    errors = {
        "400": {"$ref": "#/components/responses/InvalidParameter"},
        "404": {"$ref": "#/components/responses/NotFound"},
    }

    def json_or_html(description: str, schema: dict[str, Any], json_type: str = JSON) -> dict:
        return {
            "description": description,
            "content": {json_type: {"schema": schema}, HTML: {"schema": {"type": "string"}}},
        }

    def get(operation_id: str, summary: str, parameters: list, ok: dict) -> dict[str, Any]:
        return {
            "get": {
                "operationId": operation_id,
                "summary": summary,
                "parameters": parameters,
                "responses": {"200": ok, **errors},
            }
        }

    collection_id = {"$ref": "#/components/parameters/collectionId"}
    object_schema = {"type": "object"}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": _("Urban management: open spatial data"),
            "version": "1.0.0",
            "description": _(
                "OGC API - Features, Part 1: the layers published by urbanmgmt. Pages of "
                "features are ordered by id; follow the next and prev links to move on."
            ),
            "license": {"name": "ODbL-1.0"},
        },
        "servers": [
            {"url": request.build_absolute_uri(reverse("spatial:ogc-landing")).rstrip("/")}
        ],
        "paths": {
            "/": get(
                "getLandingPage", _("Landing page"), [f_param], json_or_html("OK", object_schema)
            ),
            "/conformance": get(
                "getConformanceDeclaration",
                _("Conformance classes"),
                [f_param],
                json_or_html("OK", {"$ref": "#/components/schemas/confClasses"}),
            ),
            "/api": get(
                "getAPIDefinition",
                _("This API definition"),
                [f_param],
                {"description": "OK", "content": {OPENAPI: {"schema": object_schema}}},
            ),
            "/collections": get(
                "getCollections",
                _("The collections"),
                [f_param],
                json_or_html("OK", object_schema),
            ),
            "/collections/{collectionId}": get(
                "describeCollection",
                _("One collection"),
                [collection_id, f_param],
                json_or_html("OK", object_schema),
            ),
            "/collections/{collectionId}/items": get(
                "getFeatures",
                _("A page of features"),
                [
                    collection_id,
                    {"$ref": "#/components/parameters/bbox"},
                    {"$ref": "#/components/parameters/limit"},
                    {"$ref": "#/components/parameters/datetime"},
                    {"$ref": "#/components/parameters/after"},
                    {"$ref": "#/components/parameters/before"},
                    f_param,
                ],
                json_or_html(
                    "OK", {"$ref": "#/components/schemas/featureCollectionGeoJSON"}, GEOJSON
                ),
            ),
            "/collections/{collectionId}/items/{featureId}": get(
                "getFeature",
                _("One feature"),
                [
                    collection_id,
                    {
                        "name": "featureId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                    f_param,
                ],
                json_or_html("OK", {"$ref": "#/components/schemas/featureGeoJSON"}, GEOJSON),
            ),
        },
        "components": {
            "parameters": {
                "collectionId": {
                    "name": "collectionId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": names},
                },
                "bbox": {
                    "name": "bbox",
                    "in": "query",
                    "description": _(
                        "Only features that intersect the box: west, south, east, north in "
                        "degrees (CRS84)."
                    ),
                    "required": False,
                    "style": "form",
                    "explode": False,
                    "schema": {
                        "type": "array",
                        "minItems": 4,
                        "maxItems": 6,
                        "items": {"type": "number"},
                    },
                },
                "limit": {
                    "name": "limit",
                    "in": "query",
                    "description": _("How many features a page holds at most."),
                    "required": False,
                    "style": "form",
                    "explode": False,
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": ogc.MAX_LIMIT,
                        "default": ogc.DEFAULT_LIMIT,
                    },
                },
                "datetime": {
                    "name": "datetime",
                    "in": "query",
                    "description": _(
                        "Only features of that time: an instant or an interval (start/end, .. "
                        "for an open end). Only for the collections with a time: %(names)s."
                    )
                    % {"names": ", ".join(timed) or "–"},
                    "required": False,
                    "style": "form",
                    "explode": False,
                    "schema": {"type": "string"},
                },
                "after": {
                    "name": "after",
                    "in": "query",
                    "description": _("The page that follows the feature with this id."),
                    "required": False,
                    "schema": {"type": "integer"},
                },
                "before": {
                    "name": "before",
                    "in": "query",
                    "description": _("The page that comes before the feature with this id."),
                    "required": False,
                    "schema": {"type": "integer"},
                },
            },
            "schemas": {
                "confClasses": {
                    "type": "object",
                    "required": ["conformsTo"],
                    "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
                },
                "exception": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {
                        "code": {"type": "string"},
                        "description": {"type": "string"},
                    },
                },
                "featureGeoJSON": {
                    "type": "object",
                    "required": ["type", "geometry", "properties"],
                    "properties": {
                        "type": {"type": "string", "enum": ["Feature"]},
                        "id": {"type": "integer"},
                        "geometry": {"type": "object", "nullable": True},
                        "properties": {"type": "object", "nullable": True},
                        "links": {"type": "array", "items": {"type": "object"}},
                    },
                },
                "featureCollectionGeoJSON": {
                    "type": "object",
                    "required": ["type", "features"],
                    "properties": {
                        "type": {"type": "string", "enum": ["FeatureCollection"]},
                        "features": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/featureGeoJSON"},
                        },
                        "links": {"type": "array", "items": {"type": "object"}},
                        "timeStamp": {"type": "string", "format": "date-time"},
                        "numberMatched": {"type": "integer", "minimum": 0},
                        "numberReturned": {"type": "integer", "minimum": 0},
                    },
                },
            },
            "responses": {
                "InvalidParameter": {
                    "description": _("A parameter is unknown or its value is not valid."),
                    "content": {JSON: {"schema": {"$ref": "#/components/schemas/exception"}}},
                },
                "NotFound": {
                    "description": _("No such collection or feature."),
                    "content": {JSON: {"schema": {"$ref": "#/components/schemas/exception"}}},
                },
            },
        },
    }
