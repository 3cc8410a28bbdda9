"""Make the vendored OpenLayers build fetch nothing from the internet by default.

OpenLayers' OSM source defaults to tile.openstreetmap.org, and Django's admin map widget
falls back to that source when no base layer is given; its KML reader defaults to an icon on
maps.google.com. The copy under gis/static/spatial/vendor/ol/ points both at a transparent
tile served by this app. (Sources that need an explicit URL or key, such as Bing or Stamen,
fetch nothing unless configured.) Run again after updating the vendored file:

    .venv/bin/python scripts/patch_vendor.py
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OL = ROOT / "gis" / "static" / "spatial" / "vendor" / "ol" / "ol.js"
LOCAL = "/static/spatial/blank-tile.png"
# The remote defaults to replace, as patterns: OSM's tile template, with or without the
# {a-c} subdomains older OpenLayers builds use, and the KML reader's default icon.
DEFAULTS = (
    re.compile(r"https://(?:\{a-c\}\.)?tile\.openstreetmap\.org/\{z\}/\{x\}/\{y\}\.png"),
    re.compile(r"https://maps\.google\.com/mapfiles/kml/pushpin/ylw-pushpin\.png"),
)


def main() -> None:
    text = OL.read_text(encoding="utf-8")
    for pattern in DEFAULTS:
        text = pattern.sub(LOCAL, text)
    OL.write_text(text, encoding="utf-8")
    print(f"{OL.relative_to(ROOT)}: default remote URLs now point at {LOCAL}")


if __name__ == "__main__":
    main()
