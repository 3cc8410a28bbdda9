"""/leaders/heatmap.tif: a GeoTIFF whose transform and CRS put each report in its cell."""

import io

import numpy as np
import pytest
import rasterio
from pyproj import Transformer

from tests.leaders.factories import report_at

pytestmark = pytest.mark.django_db

KNOWN = (106.6937, 10.8012)  # in ward A


def read(body: bytes):
    with rasterio.MemoryFile(io.BytesIO(body)) as memfile, memfile.open() as tif:
        return {
            "crs": tif.crs,
            "transform": tif.transform,
            "density": tif.read(1),
            "counts": tif.read(2),
            "tags": tif.tags(),
        }


def test_a_known_report_falls_in_its_cell(client, office):
    report_at(*KNOWN)
    client.force_login(office.leader)

    response = client.get("/leaders/heatmap.tif", {"unit": "765"})

    assert response.status_code == 200
    assert response["Content-Type"] == "image/tiff"
    assert response["Content-Disposition"].startswith('attachment; filename="heatmap-765-')
    with rasterio.MemoryFile(io.BytesIO(response.content)) as memfile, memfile.open() as tif:
        assert tif.crs.to_epsg() == 32648
        x, y = Transformer.from_crs(4326, 32648, always_xy=True).transform(*KNOWN)
        row, col = tif.index(x, y)
        counts = tif.read(2)
        density = tif.read(1)
        # The cell's bounds from the transform hold the point.
        left, top = tif.transform @ (col, row)
        right, bottom = tif.transform @ (col + 1, row + 1)
    assert left <= x < right and bottom < y <= top
    assert counts[row, col] == 1
    assert np.nansum(counts) == 1
    assert np.unravel_index(np.nanargmax(density), density.shape) == (row, col)


def test_a_ward_surface_is_framed_on_the_ward(client, office):
    report_at(*KNOWN)
    client.force_login(office.leader)

    district = read(client.get("/leaders/heatmap.tif", {"unit": "765"}).content)
    ward = read(client.get("/leaders/heatmap.tif", {"unit": "26905"}).content)

    assert ward["density"].shape[1] < district["density"].shape[1]
    # Both grids are aligned on multiples of the cell size: the report is in the same place.
    assert ward["transform"].a == district["transform"].a
    assert np.nansum(ward["counts"]) == 1


def test_the_file_says_what_its_values_are(client, office):
    client.force_login(office.leader)

    tif = read(client.get("/leaders/heatmap.tif", {"unit": "765"}).content)

    assert tif["tags"]["units"] == "points per km2"
    assert float(tif["tags"]["cell_size_m"]) == 10
    assert np.nansum(tif["density"]) == 0
