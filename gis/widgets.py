"""Admin map widgets whose JavaScript and base layer come from this app, never from a CDN.

Django's GIS widgets load OpenLayers from jsDelivr and a base map from NASA or OSM tile
servers. Ours use the OpenLayers build vendored under static/spatial/vendor and draw the
administrative boundaries served by this app as the base layer.
"""

from django.conf import settings
from django.contrib.gis.forms.widgets import OpenLayersWidget


class LocalMapWidget(OpenLayersWidget):
    template_name = "spatial/widgets/openlayers.html"

    class Media:
        extend = False  # drop the parent's jsDelivr URLs
        css = {"all": ("spatial/vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("spatial/vendor/ol/ol.js", "gis/js/OLMapWidget.js")

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.attrs.setdefault("default_lon", settings.MAP_DEFAULT_LON)
        self.attrs.setdefault("default_lat", settings.MAP_DEFAULT_LAT)
        self.attrs.setdefault("default_zoom", settings.MAP_DEFAULT_ZOOM)
