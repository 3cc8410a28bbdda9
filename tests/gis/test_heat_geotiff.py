"""The heat map as a GeoTIFF: a GIS reading it back finds each report in its own cell."""

from __future__ import annotations

import numpy as np
import rasterio
import rasterio.warp
import shapely
from rasterio.io import MemoryFile

from gis.heat import Points, density_surface, geotiff_bytes, write_geotiff

REPORT = (106.71234, 10.80123)  # lon, lat of a known report
WARD = shapely.Polygon([(106.700, 10.790), (106.725, 10.792), (106.722, 10.812), (106.703, 10.810)])


def surface_of_one_report(**kwargs):
    return density_surface(
        Points(np.array([REPORT[0]]), np.array([REPORT[1]])), WARD, bandwidth=50, **kwargs
    )


def test_the_geotiff_puts_a_known_report_in_its_cell(tmp_path):
    surface = surface_of_one_report(cell_size=10)

    path = write_geotiff(surface, tmp_path / "heat.tif", with_counts=True)

    with rasterio.open(path) as tif:
        assert tif.crs.to_epsg() == 32648
        [x], [y] = rasterio.warp.transform("EPSG:4326", tif.crs, [REPORT[0]], [REPORT[1]])
        row, col = tif.index(x, y)
        density, counts = tif.read(1), tif.read(2)
        assert counts[row, col] == 1
        assert np.nansum(counts) == 1
        assert np.unravel_index(np.nanargmax(density), density.shape) == (row, col)
        # The cell's centre is within half a cell of the report, each way.
        cx, cy = tif.xy(row, col)
        assert abs(cx - x) <= 5 and abs(cy - y) <= 5


def test_the_geotiff_in_the_cadastral_crs_also_places_the_report(tmp_path):
    surface = surface_of_one_report(cell_size=5, crs=9210)

    path = write_geotiff(surface, tmp_path / "heat.tif")

    with rasterio.open(path) as tif:
        assert tif.crs.to_epsg() == 9210
        [x], [y] = rasterio.warp.transform("EPSG:4326", tif.crs, [REPORT[0]], [REPORT[1]])
        density = tif.read(1)
        assert np.unravel_index(np.nanargmax(density), density.shape) == tif.index(x, y)


def test_the_geotiff_is_compressed_with_no_data_outside_the_ward(tmp_path):
    surface = surface_of_one_report(cell_size=10)

    path = write_geotiff(surface, tmp_path / "heat.tif")

    with rasterio.open(path) as tif:
        assert tif.profile["compress"] == "deflate"
        assert tif.dtypes == ("float32",)
        assert np.isnan(tif.nodata)
        band = tif.read(1, masked=True)
        # The ward is a tilted quadrilateral: its bbox's corner cells are not in it.
        assert band.mask[0, 0] and band.mask[-1, -1]
        assert not band.mask[band.shape[0] // 2, band.shape[1] // 2]
        assert tif.tags()["kind"] == "density" and tif.tags()["bandwidth_m"] == "50"


def test_the_geotiff_keeps_the_density_to_one_part_in_ten_thousand():
    surface = surface_of_one_report(cell_size=10)

    with MemoryFile(geotiff_bytes(surface)) as memfile, memfile.open() as tif:
        back = tif.read(1)
        assert tif.transform == surface.transform

    np.testing.assert_allclose(back, surface.density, rtol=1e-4, equal_nan=True)
