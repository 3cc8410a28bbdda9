"""Hot spots: the busiest places, in order, with their counts and where to find their reports."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from gis.heat import HeatError, Points, density_surface, hot_spots

UTM = 32648
TO_UTM = Transformer.from_crs(4326, UTM, always_xy=True)
FRAME = shapely.box(686_000, 1_193_000, 690_000, 1_197_000)
MARKET, BRIDGE, SCHOOL = (
    (686_800.0, 1_196_100.0),
    (689_100.0, 1_193_900.0),
    (688_000.0, 1_195_000.0),
)


def surface(clusters: dict[tuple[float, float], int], *, noise: int = 0, seed: int = 1):
    rng = np.random.default_rng(seed)
    xs = [rng.normal(x, 15.0, n) for (x, _), n in clusters.items()]
    ys = [rng.normal(y, 15.0, n) for (_, y), n in clusters.items()]
    xs.append(rng.uniform(686_000, 690_000, noise))
    ys.append(rng.uniform(1_193_000, 1_197_000, noise))
    to_lonlat = Transformer.from_crs(UTM, 4326, always_xy=True)
    lon, lat = to_lonlat.transform(np.concatenate(xs), np.concatenate(ys))
    return density_surface(Points(lon, lat), FRAME, frame_crs=UTM, cell_size=10, bandwidth=100), (
        lon,
        lat,
    )


def test_hot_spots_come_busiest_first_with_their_counts():
    heat, _ = surface({MARKET: 50, BRIDGE: 120, SCHOOL: 80})

    spots = hot_spots(heat, 3)

    assert [s.rank for s in spots] == [1, 2, 3]
    assert [s.count for s in spots] == [120, 80, 50]
    for spot, place in zip(spots, (BRIDGE, SCHOOL, MARKET), strict=True):
        assert np.hypot(spot.center[0] - place[0], spot.center[1] - place[1]) < 20
        assert spot.bbox[0] < place[0] < spot.bbox[2] and spot.bbox[1] < place[1] < spot.bbox[3]


def test_a_hot_spot_counts_exactly_the_reports_inside_its_square():
    heat, (lon, lat) = surface({MARKET: 50, BRIDGE: 120, SCHOOL: 80}, noise=2000)

    for spot in hot_spots(heat, 5):
        x, y = TO_UTM.transform(lon, lat)
        in_box = (x >= spot.bbox[0]) & (x < spot.bbox[2]) & (y >= spot.bbox[1]) & (y < spot.bbox[3])
        assert spot.count == in_box.sum()
        quad = shapely.Polygon(spot.polygon_lonlat)
        assert spot.count == shapely.contains_xy(quad, lon, lat).sum()
        west, south, east, north = spot.bbox_lonlat
        in_lonlat_box = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
        assert in_lonlat_box.sum() >= spot.count


def test_the_square_reaches_the_radius_each_way_in_whole_cells():
    heat, _ = surface({SCHOOL: 30})

    [default] = hot_spots(heat, 1)
    [narrow] = hot_spots(heat, 1, radius=50)

    assert default.bbox[2] - default.bbox[0] == 210  # the 100 m bandwidth and the peak's cell
    assert narrow.bbox[2] - narrow.bbox[0] == 110
    assert narrow.bbox[3] - narrow.bbox[1] == 110


def test_neighbouring_peaks_are_not_counted_twice():
    near = (SCHOOL[0] + 120.0, SCHOOL[1])
    heat, _ = surface({SCHOOL: 60, near: 40})

    spots = hot_spots(heat, 5)

    assert sum(s.count for s in spots) == 100
    boxes = [shapely.box(*s.bbox) for s in spots]
    assert all(not a.intersection(b).area for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_only_places_with_enough_reports_are_listed():
    heat, _ = surface({MARKET: 50, BRIDGE: 3})

    assert [s.count for s in hot_spots(heat, 5, min_count=5)] == [50]
    assert len(hot_spots(heat, 1)) == 1


def test_a_surface_without_reports_has_no_hot_spots():
    heat, _ = surface({})

    assert hot_spots(heat, 3) == []


def test_the_number_of_hot_spots_must_be_positive():
    heat, _ = surface({MARKET: 5})

    with pytest.raises(HeatError, match="positive whole number"):
        hot_spots(heat, 0)
