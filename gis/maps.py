"""folium maps whose Leaflet comes from our static files, not from a CDN."""

from __future__ import annotations

from typing import Any

import folium
from django.templatetags.static import static


def local_map(**kwargs: Any) -> folium.Map:
    """A folium Map with only Leaflet, served by this app, and no third-party tile server."""
    kwargs.setdefault("tiles", None)
    kwargs.setdefault("control_scale", True)
    fmap = folium.Map(**kwargs)
    fmap.default_js = [("leaflet", static("spatial/vendor/leaflet/leaflet.js"))]
    fmap.default_css = [("leaflet_css", static("spatial/vendor/leaflet/leaflet.css"))]
    return fmap


def embed(fmap: folium.Map) -> dict[str, str]:
    """Split a rendered map into the parts a Django template places: head, body and script."""
    root = fmap.get_root()
    root.render()
    return {
        "head": root.header.render(),
        "body": root.html.render(),
        "script": root.script.render(),
    }
