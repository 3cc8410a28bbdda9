"""Input a heat map cannot be made from is refused with a message that says what to change."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from gis.heat import MAX_CELLS, HeatError, Points, density_surface

WARD = shapely.box(106.70, 10.79, 106.72, 10.81)
CITY = (106.35, 10.35, 107.05, 11.15)  # about 77 × 88 km
ONE = Points(np.array([106.71]), np.array([10.80]))


@pytest.mark.parametrize("cell_size", [0, -10, float("nan"), float("inf"), "ten"])
def test_a_cell_size_that_is_not_a_positive_length_is_refused(cell_size):
    with pytest.raises(HeatError, match=r"cell size must be a (positive )?number of metres"):
        density_surface(ONE, WARD, cell_size=cell_size, bandwidth=50)


@pytest.mark.parametrize("bandwidth", [0, -50, float("nan")])
def test_a_bandwidth_that_is_not_a_positive_length_is_refused(bandwidth):
    with pytest.raises(HeatError, match="bandwidth must be a positive number of metres"):
        density_surface(ONE, WARD, cell_size=10, bandwidth=bandwidth)


@pytest.mark.parametrize(
    "frame",
    [
        shapely.Polygon(),
        shapely.box(106.70, 10.79, 106.70, 10.81),  # no width
        (106.72, 10.79, 106.70, 10.81),  # west of its east
        (106.70, 10.80, 106.70, 10.80),
    ],
)
def test_an_empty_frame_is_refused(frame):
    with pytest.raises(HeatError, match="empty"):
        density_surface(ONE, frame, cell_size=10, bandwidth=50)


def test_a_frame_that_is_not_an_area_is_refused():
    street = shapely.LineString([(106.70, 10.79), (106.72, 10.81)])
    with pytest.raises(HeatError, match="must be a polygon or multipolygon, not a LineString"):
        density_surface(ONE, street, cell_size=10, bandwidth=50)
    with pytest.raises(HeatError, match="geometry or a"):
        density_surface(ONE, "ward 26905", cell_size=10, bandwidth=50)


def test_a_grid_too_big_for_memory_is_refused_with_the_limit():
    with pytest.raises(HeatError, match=f"exceeds the limit of {MAX_CELLS:,} cells"):
        density_surface(ONE, CITY, cell_size=5, bandwidth=50)


def test_the_refusal_names_a_cell_size_that_fits():
    with pytest.raises(HeatError) as refused:
        density_surface(ONE, CITY, cell_size=50, bandwidth=100, max_cells=1_000_000)

    least = int(str(refused.value).rsplit("use cells of at least ", 1)[1].split(" m")[0])
    surface = density_surface(ONE, CITY, cell_size=least, bandwidth=100, max_cells=1_000_000)
    assert surface.shape[0] * surface.shape[1] <= 1_000_000


def test_the_cell_limit_counts_the_kernels_margin():
    # 100 × 100 cells, but a 2 km Gaussian at 10 m needs 800 cells of margin on each side.
    frame = shapely.box(106.70, 10.79, 106.709, 10.799)
    with pytest.raises(HeatError, match="margin"):
        density_surface(ONE, frame, cell_size=10, bandwidth=2000, max_cells=1_000_000)


def test_points_must_be_finite_and_paired():
    with pytest.raises(HeatError, match="finite"):
        Points(np.array([106.71, np.nan]), np.array([10.80, 10.81]))
    with pytest.raises(HeatError, match="differ in length"):
        Points(np.array([106.71, 106.72]), np.array([10.80]))
    with pytest.raises(HeatError, match="weights"):
        Points(np.array([106.71]), np.array([10.80]), np.array([1.0, 2.0]))
    with pytest.raises(HeatError, match="must not be negative"):
        Points(np.array([106.71]), np.array([10.80]), np.array([-1.0]))


def test_a_grid_needs_a_metric_crs():
    with pytest.raises(HeatError, match="not a projected CRS in metres"):
        density_surface(ONE, WARD, cell_size=10, bandwidth=50, crs=4326)


def test_an_unknown_kernel_is_refused():
    with pytest.raises(HeatError, match="kernel must be"):
        density_surface(ONE, WARD, cell_size=10, bandwidth=50, kernel="epanechnikov")
