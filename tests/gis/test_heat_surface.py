"""A density surface of points: where it peaks, what its numbers mean, how it is framed."""

from __future__ import annotations

import math

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry
from pyproj import Transformer

from gis.heat import Points, density_surface

UTM = 32648
TO_LONLAT = Transformer.from_crs(UTM, 4326, always_xy=True)
CENTER = (688_000.0, 1_195_000.0)  # metres in UTM 48N, in Bình Thạnh


def cluster(n: int, at: tuple[float, float], spread: float, seed: int = 1) -> tuple:
    rng = np.random.default_rng(seed)
    return rng.normal(at[0], spread, n), rng.normal(at[1], spread, n)


def uniform(n: int, half: float, seed: int = 2) -> tuple:
    rng = np.random.default_rng(seed)
    return (
        rng.uniform(CENTER[0] - half, CENTER[0] + half, n),
        rng.uniform(CENTER[1] - half, CENTER[1] + half, n),
    )


def lonlat(x, y) -> Points:
    lon, lat = TO_LONLAT.transform(np.asarray(x), np.asarray(y))
    return Points(lon, lat)


def square(half: float, at: tuple[float, float] = CENTER):
    return shapely.box(at[0] - half, at[1] - half, at[0] + half, at[1] + half)


def lonlat_geom(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(TO_LONLAT.transform(*xy.T)))


def test_the_surface_peaks_where_the_seeded_cluster_is():
    hot = (CENTER[0] + 730.0, CENTER[1] - 410.0)
    cx, cy = cluster(300, hot, 30.0)
    bx, by = uniform(600, 1500.0)
    points = lonlat(np.concatenate([cx, bx]), np.concatenate([cy, by]))

    surface = density_surface(points, lonlat_geom(square(1500.0)), cell_size=10, bandwidth=60)

    peak = np.unravel_index(np.nanargmax(surface.density), surface.shape)
    row, col = surface.cell_of(*hot)
    assert abs(peak[0] - row) <= 1 and abs(peak[1] - col) <= 1
    assert surface.crs == UTM


def test_the_density_is_in_points_per_square_kilometre():
    x, y = cluster(1000, CENTER, 50.0)

    surface = density_surface(
        Points(x, y, crs=UTM), square(1000.0), frame_crs=UTM, cell_size=10, bandwidth=50
    )

    cell_km2 = (surface.cell_size / 1000) ** 2
    assert math.isclose(float(np.nansum(surface.density)) * cell_km2, 1000, rel_tol=1e-3)
    # A Gaussian of σ = √(50² + 50²) m holding 1000 points peaks at 1000 / (2π σ²) per m².
    expected_peak = 1000 / (2 * math.pi * (50**2 + 50**2)) * 1e6
    assert math.isclose(float(np.nanmax(surface.density)), expected_peak, rel_tol=0.1)


def test_the_figures_do_not_change_with_the_cell_size():
    x, y = cluster(2000, CENTER, 100.0)
    points = Points(x, y, crs=UTM)

    fine = density_surface(points, square(1000.0), frame_crs=UTM, cell_size=5, bandwidth=100)
    coarse = density_surface(points, square(1000.0), frame_crs=UTM, cell_size=20, bandwidth=100)

    assert math.isclose(np.nanmax(fine.density), np.nanmax(coarse.density), rel_tol=0.05)


def test_each_point_is_binned_into_the_cell_that_holds_it():
    x = np.array([CENTER[0] + 12.0, CENTER[0] + 12.5, CENTER[0] - 333.0])
    y = np.array([CENTER[1] + 7.0, CENTER[1] + 9.0, CENTER[1] + 250.0])

    surface = density_surface(
        Points(x, y, crs=UTM), square(500.0), frame_crs=UTM, cell_size=10, bandwidth=50
    )

    assert surface.counts[surface.cell_of(x[0], y[0])] == 2
    assert surface.counts[surface.cell_of(x[2], y[2])] == 1
    assert surface.total == 3


def test_cells_outside_the_frame_polygon_have_no_value():
    triangle = shapely.Polygon(
        [
            (CENTER[0] - 500, CENTER[1] - 500),
            (CENTER[0] + 500, CENTER[1] - 500),
            (CENTER[0] - 500, CENTER[1] + 500),
        ]
    )
    x, y = uniform(200, 500.0)

    surface = density_surface(
        Points(x, y, crs=UTM), triangle, frame_crs=UTM, cell_size=10, bandwidth=50
    )

    assert np.isnan(surface.density[0, -1])  # north-east corner, beyond the hypotenuse
    assert np.isfinite(surface.density[-1, 0])  # south-west corner, inside
    assert not surface.inside[0, -1] and surface.inside[-1, 0]


def test_a_bbox_frame_clips_nothing():
    x, y = uniform(100, 400.0)

    surface = density_surface(
        Points(x, y, crs=UTM),
        (687_600, 1_194_600, 688_400, 1_195_400),
        frame_crs=UTM,
        cell_size=10,
        bandwidth=50,
    )

    assert surface.shape == (80, 80)
    assert np.isfinite(surface.density).all()


def test_points_just_outside_the_frame_warm_its_edge():
    outside = (CENTER[0] + 530.0, CENTER[1])  # 30 m east of the frame
    x, y = cluster(100, outside, 5.0)

    surface = density_surface(
        Points(x, y, crs=UTM), square(500.0), frame_crs=UTM, cell_size=10, bandwidth=50
    )

    assert surface.total == 0
    assert np.nanmax(surface.density[:, -1]) > 1000
    # Beyond the kernel's reach only float32 FFT round-off is left: nothing a map shows.
    assert np.nanmax(surface.density[:, 0]) < 0.01


def test_surfaces_of_one_cell_size_share_their_grid_whatever_the_frame():
    points = Points(*cluster(10, CENTER, 50.0), crs=UTM)

    a = density_surface(points, square(503.0), frame_crs=UTM, cell_size=10, bandwidth=50)
    b = density_surface(points, square(777.0), frame_crs=UTM, cell_size=10, bandwidth=50)

    for surface in (a, b):
        assert surface.transform.c % 10 == 0 and surface.transform.f % 10 == 0


def test_a_point_weighs_as_many_points_as_its_weight():
    x, y = np.array([CENTER[0]]), np.array([CENTER[1]])

    weighted = density_surface(
        Points(x, y, np.array([3.0]), crs=UTM),
        square(300.0),
        frame_crs=UTM,
        cell_size=10,
        bandwidth=50,
    )
    three = density_surface(
        Points(np.repeat(x, 3), np.repeat(y, 3), crs=UTM),
        square(300.0),
        frame_crs=UTM,
        cell_size=10,
        bandwidth=50,
    )

    np.testing.assert_allclose(weighted.density, three.density, rtol=1e-5, atol=1e-3)


def test_lonlat_and_metric_points_give_the_same_surface():
    x, y = cluster(500, CENTER, 80.0)
    # Off the cell lines: the lon/lat copy's edges bow by millimetres in UTM.
    frame = square(605.0)

    metric = density_surface(
        Points(x, y, crs=UTM), frame, frame_crs=UTM, cell_size=10, bandwidth=50
    )
    geographic = density_surface(lonlat(x, y), lonlat_geom(frame), cell_size=10, bandwidth=50)

    assert metric.transform == geographic.transform
    np.testing.assert_array_equal(metric.counts, geographic.counts)


def test_a_geos_frame_is_read_in_its_own_srid():
    frame = lonlat_geom(square(400.0))
    geos = GEOSGeometry(frame.wkt, srid=4326)
    points = lonlat(*cluster(50, CENTER, 40.0))

    from_geos = density_surface(points, geos, frame_crs=UTM, cell_size=10, bandwidth=50)
    from_shapely = density_surface(points, frame, cell_size=10, bandwidth=50)

    assert from_geos.transform == from_shapely.transform
    np.testing.assert_array_equal(from_geos.density, from_shapely.density)


def test_the_quartic_kernel_peaks_at_the_cluster_and_keeps_the_count():
    hot = (CENTER[0] - 200.0, CENTER[1] + 300.0)
    x, y = cluster(400, hot, 20.0)

    surface = density_surface(
        Points(x, y, crs=UTM),
        square(800.0),
        frame_crs=UTM,
        cell_size=10,
        bandwidth=150,
        kernel="quartic",
    )

    peak = np.unravel_index(np.nanargmax(surface.density), surface.shape)
    row, col = surface.cell_of(*hot)
    assert abs(peak[0] - row) <= 1 and abs(peak[1] - col) <= 1
    assert math.isclose(float(np.nansum(surface.density)) * 1e-4, 400, rel_tol=1e-3)


def test_no_points_give_a_flat_surface():
    surface = density_surface(
        Points(np.empty(0), np.empty(0)), lonlat_geom(square(300.0)), cell_size=10, bandwidth=50
    )

    assert np.nanmax(surface.density) == 0
    assert surface.total == 0
