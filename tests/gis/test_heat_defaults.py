"""Sensible cell sizes and bandwidths when none are given: by the frame's size or the zoom."""

from __future__ import annotations

import numpy as np
import shapely

from gis.heat import Points, Resolution, default_resolution, density_surface


def test_a_district_gets_ten_metre_cells_and_a_city_fifty():
    assert default_resolution(extent_m=6_700) == Resolution(cell_size=10, bandwidth=100)
    assert default_resolution(extent_m=28_000) == Resolution(cell_size=50, bandwidth=500)


def test_a_small_ward_is_not_drawn_finer_than_phone_positions():
    assert default_resolution(extent_m=900) == Resolution(cell_size=5, bandwidth=50)


def test_a_map_zoom_gets_cells_of_about_two_screen_pixels():
    assert default_resolution(zoom=14) == Resolution(cell_size=20, bandwidth=200)
    assert default_resolution(zoom=18).cell_size == 5


def test_a_surface_without_a_resolution_takes_the_default_for_its_frame():
    district = shapely.box(106.684, 10.785, 106.745, 10.845)  # about 6.7 × 6.6 km

    surface = density_surface(Points(np.array([106.7]), np.array([10.8])), district)

    assert (surface.cell_size, surface.bandwidth) == (10, 100)


def test_a_given_bandwidth_is_kept_with_the_default_cell_size():
    district = shapely.box(106.684, 10.785, 106.745, 10.845)

    surface = density_surface(Points(np.array([106.7]), np.array([10.8])), district, bandwidth=250)

    assert (surface.cell_size, surface.bandwidth) == (10, 250)
