"""Vector tiles and their TileJSON documents: `/tiles/<layer>/<z>/<x>/<y>.pbf`, `/tiles/<layer>.json`."""

from __future__ import annotations

import gzip
import re
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gis.publish import PublishedLayer, data_version, get_layer, published_layers
from gis.tiles import TileAddress, gzipped_tile, layer_bounds
from urbanmgmt.fastpath import FastRequest, FastResponse

MVT_CONTENT_TYPE = "application/vnd.mapbox-vector-tile"
# Browsers may reuse a tile for a minute, then ask again with its ETag (usually a 304).
CACHE_CONTROL = "public, max-age=60, must-revalidate"
WORLD_BOUNDS = [-180.0, -85.051129, 180.0, 85.051129]
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _json(body: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _not_found(message: str) -> JsonResponse:
    return _json({"error": message}, status=404)


def _unknown_layer(name: str) -> JsonResponse:
    return _not_found(
        _("No layer “%(layer)s” is published; the layers are: %(layers)s.")
        % {"layer": name, "layers": ", ".join(layer.name for layer in published_layers())}
    )


def _public(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = CACHE_CONTROL
    response["Access-Control-Allow-Origin"] = "*"  # public data, read by maps on any site
    return response


@require_safe
def tile(request: HttpRequest, layer: str, z: str, x: str, y: str) -> HttpResponse:
    """One Mapbox Vector Tile: 204 when empty, 404 outside the layer's tile matrix."""
    published = get_layer(layer)
    if published is None:
        return _unknown_layer(layer)
    address = TileAddress(int(z), int(x), int(y))
    if not address.in_matrix(published):
        return _not_found(
            _(
                "Tile %(z)s/%(x)s/%(y)s is outside the tile matrix of layer “%(layer)s”: "
                "zoom from %(minzoom)s to %(maxzoom)s, x and y from 0 to 2^zoom − 1."
            )
            % {
                "z": z,
                "x": x,
                "y": y,
                "layer": layer,
                "minzoom": published.minzoom,
                "maxzoom": published.maxzoom,
            }
        )
    return _http(_tile_answer(published, address, request))


def _tile_answer(published: PublishedLayer, address: TileAddress, request: Any) -> FastResponse:
    """A tile inside the matrix: 200 (gzipped if the client takes it), 204 when empty, or what
    the request's preconditions call for (304, 412). The view and the fast path both answer
    with it; the view turns it into an HttpResponse. `request` is the view's, or what
    get_conditional_response reads of one (`_Conditional`)."""
    version = data_version(published)
    # Weak: the gzipped and the plain body are the same tile, not the same bytes.
    etag = f'W/"{published.name}-{version}-{address.z}-{address.x}-{address.y}"'
    headers = [
        ("ETag", etag),
        ("Cache-Control", CACHE_CONTROL),
        ("Access-Control-Allow-Origin", "*"),  # public data, read by maps on any site
    ]
    vary = ("Accept-Encoding",)
    conditional = get_conditional_response(request, etag=etag)
    if conditional is not None:
        content_type = conditional.get("Content-Type")
        return FastResponse(conditional.status_code, b"", content_type, headers, vary)
    body = gzipped_tile(published, version, address)
    if not body:
        return FastResponse(204, headers=headers, vary=vary)  # no content, so no type
    if _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        headers.insert(0, ("Content-Encoding", "gzip"))
    else:
        body = gzip.decompress(body)
    return FastResponse(200, body, MVT_CONTENT_TYPE, headers, vary)


def _http(answer: FastResponse) -> HttpResponse:
    response = HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)
    if answer.content_type is None:
        del response["Content-Type"]
    for name, value in answer.headers:
        response[name] = value
    patch_vary_headers(response, answer.vary)
    return response


_TILE_PATH = re.compile(r"^/tiles/([A-Za-z0-9_-]+)/(\d{1,2})/(\d{1,7})/(\d{1,7})\.pbf$")


def fast_tile(request: FastRequest) -> FastResponse | None:
    """The plain case of `tile` for the fast path (urbanmgmt/fastpath.py): a published layer,
    a tile inside its matrix, no precondition but If-None-Match. Anything else (an error to
    explain, If-Match...) goes to the view above."""
    match = _TILE_PATH.match(request.path)
    if match is None:
        return None
    environ = request.environ
    if "HTTP_IF_MATCH" in environ or "HTTP_IF_UNMODIFIED_SINCE" in environ:
        return None
    published = get_layer(match[1])
    if published is None:
        return None
    address = TileAddress(int(match[2]), int(match[3]), int(match[4]))
    if not address.in_matrix(published):
        return None
    return _tile_answer(published, address, _Conditional(environ, request.path))


class _Conditional:
    """What django.utils.cache.get_conditional_response reads of a GET request."""

    method = "GET"

    def __init__(self, environ: dict, path: str) -> None:
        self.META = environ
        self.path = path


def _tile_url_template(request: HttpRequest, layer: PublishedLayer) -> str:
    first = reverse("spatial:tile", kwargs={"layer": layer.name, "z": 0, "x": 0, "y": 0})
    return request.build_absolute_uri(first.removesuffix("0/0/0.pbf")) + "{z}/{x}/{y}.pbf"


@require_safe
def tilejson(request: HttpRequest, layer: str) -> HttpResponse:
    """The layer's TileJSON 3.0.0 document: tile URL, bounds of its data, zooms and fields."""
    published = get_layer(layer)
    if published is None:
        return _unknown_layer(layer)
    bounds = layer_bounds(published, data_version(published)) or WORLD_BOUNDS
    fields = {p.name: p.tilejson_type for p in published.tile_property_list}
    vector_layers = []
    if published.detail_zoom > published.minzoom and published.overview == "clusters":
        vector_layers.append(
            {
                "id": published.overview_layer_name,
                "description": _("Clusters: how many features and their most frequent values."),
                "minzoom": published.minzoom,
                "maxzoom": published.detail_zoom - 1,
                "fields": {
                    "count": "Number",
                    **{name: fields[name] for name in published.overview_properties},
                },
            }
        )
        detail_minzoom = published.detail_zoom
    else:
        detail_minzoom = published.minzoom
    vector_layers.append(
        {
            "id": published.name,
            "description": str(published.title),
            "minzoom": detail_minzoom,
            "maxzoom": published.maxzoom,
            "fields": fields,
        }
    )
    body = {
        "tilejson": "3.0.0",
        "name": str(published.title),
        "scheme": "xyz",
        "tiles": [_tile_url_template(request, published)],
        "minzoom": published.minzoom,
        "maxzoom": published.maxzoom,
        "bounds": bounds,
        "center": [
            round((bounds[0] + bounds[2]) / 2, 6),
            round((bounds[1] + bounds[3]) / 2, 6),
            published.minzoom,
        ],
        "vector_layers": vector_layers,
    }
    response = _json(body)
    return _public(response)
