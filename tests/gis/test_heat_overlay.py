"""The coloured overlay for Leaflet: placed where the reports are, with a legend to read it."""

from __future__ import annotations

import io
import math

import numpy as np
import shapely
from PIL import Image

from gis.heat import Points, density_surface, difference, render_overlay

# A frame of 8.7 × 7.7 km with its cluster near a corner, where a UTM grid stretched between
# lon/lat corners (not reprojected to Web Mercator) lands 40 m off.
HOT = (106.7520, 10.8330)  # lon, lat
WARD = shapely.box(106.680, 10.770, 106.760, 10.840)
R = 6378137.0


def mercator_y(lat: float) -> float:
    return R * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def surface(n_hot: int = 200, seed: int = 1):
    rng = np.random.default_rng(seed)
    lon = np.concatenate([rng.normal(HOT[0], 0.0002, n_hot), rng.uniform(106.68, 106.76, 300)])
    lat = np.concatenate([rng.normal(HOT[1], 0.0002, n_hot), rng.uniform(10.77, 10.84, 300)])
    return density_surface(Points(lon, lat), WARD, cell_size=10, bandwidth=50)


def decode(overlay) -> np.ndarray:
    image = Image.open(io.BytesIO(overlay.png))
    assert image.mode == "RGBA" and image.size == (overlay.width, overlay.height)
    return np.asarray(image)


def test_the_overlay_shows_the_cluster_where_it_is_on_the_map():
    overlay = render_overlay(surface())

    rgba = decode(overlay)
    (south, west), (north, east) = overlay.bounds
    # The strongest colour (darkest red) marks the peak; Leaflet lays the image out linearly in
    # Web Mercator between its bounds, so its pixel maps back to lon/lat that way.
    row, col = np.unravel_index(np.argmin(rgba[..., 1].astype(int) - rgba[..., 3]), rgba.shape[:2])
    lon = west + (col + 0.5) / overlay.width * (east - west)
    y = mercator_y(north) - (row + 0.5) / overlay.height * (mercator_y(north) - mercator_y(south))
    lat = math.degrees(2 * math.atan(math.exp(y / R)) - math.pi / 2)
    metres = math.hypot(
        (lon - HOT[0]) * 111_320 * math.cos(math.radians(lat)), (lat - HOT[1]) * 110_600
    )
    assert metres < 15


def test_the_overlay_covers_the_frame_and_nothing_shows_where_there_is_nothing():
    overlay = render_overlay(surface(n_hot=0))

    (south, west), (north, east) = overlay.bounds
    assert south <= 10.770 and west <= 106.680 and north >= 10.840 and east >= 106.760
    assert north - 10.840 < 0.001 and 106.680 - west < 0.001
    alpha = decode(overlay)[..., 3]
    assert alpha.max() > 0 and alpha.min() == 0


def test_the_legend_runs_from_nothing_to_the_peak():
    heat = surface()

    legend = render_overlay(heat).legend

    peak = float(np.nanmax(heat.density))
    assert (legend.vmin, legend.vmax) == (0.0, peak)
    assert legend.stops[0].value == 0 and legend.stops[0].opacity == 0
    assert legend.stops[-1].value == peak
    assert all(a.value < b.value for a, b in zip(legend.stops, legend.stops[1:], strict=False))
    assert legend.as_dict()["stops"][-1] == {"value": peak, "color": "#bd0026", "opacity": 0.85}


def test_two_periods_can_share_one_scale():
    legend = render_overlay(surface(), vmax=5000).legend

    assert legend.vmax == 5000 and legend.stops[-1].value == 5000


def test_a_difference_is_drawn_on_a_scale_centred_on_no_change():
    change = difference(surface(n_hot=300, seed=2), surface(n_hot=100, seed=3))

    overlay = render_overlay(change)

    assert overlay.legend.kind == "difference"
    assert overlay.legend.vmin == -overlay.legend.vmax
    assert overlay.legend.vmax == float(np.nanmax(np.abs(change.density)))
    no_change = [s for s in overlay.legend.stops if s.value == 0]
    assert no_change and no_change[0].opacity == 0
    rgba = decode(overlay)
    reddest = np.unravel_index(np.argmax(rgba[..., 0].astype(int) - rgba[..., 2]), rgba.shape[:2])
    assert rgba[reddest][3] > 0  # where it got worse is drawn, in red
