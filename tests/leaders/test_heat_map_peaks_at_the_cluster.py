"""The dashboard's heat map: the surface peaks where reports gather, and the hot spots say so."""

import io

import numpy as np
import pytest
import rasterio
from pyproj import Transformer

from tests.leaders.factories import CLUSTER, IN_WARD_B, cluster, report_at

pytestmark = pytest.mark.django_db

TO_UTM = Transformer.from_crs(4326, 32648, always_xy=True)


@pytest.fixture
def reports(office):
    cluster(30)
    # A thinner scatter across both wards.
    for i in range(8):
        report_at(106.682 + 0.0045 * i, 10.783 + 0.0042 * i)
    report_at(*IN_WARD_B)


def test_the_first_hot_spot_is_the_seeded_cluster(client, office, reports):
    client.force_login(office.leader)

    response = client.get("/leaders/765/")

    assert response.status_code == 200
    first = response.context["heat"]["spots"][0]
    assert first["rank"] == 1
    assert first["count"] >= 30
    lon, lat = first["center"]
    assert abs(lon - CLUSTER[0]) < 0.001 and abs(lat - CLUSTER[1]) < 0.001
    assert "reports/queue/?bbox=" in first["url"]


def test_the_surface_is_highest_in_the_cell_of_the_cluster(client, office, reports):
    client.force_login(office.leader)

    response = client.get("/leaders/heatmap.tif", {"unit": "765"})

    with rasterio.MemoryFile(io.BytesIO(response.content)) as memfile, memfile.open() as tif:
        density = tif.read(1)
        row, col = np.unravel_index(np.nanargmax(density), density.shape)
        x, y = TO_UTM.transform(*CLUSTER)
        cluster_row, cluster_col = tif.index(x, y)
    # Within three cells (the cluster's spread) of its centre.
    assert abs(row - cluster_row) <= 3 and abs(col - cluster_col) <= 3


def test_the_hot_spot_links_to_the_reports_inside_it(client, office, reports):
    client.force_login(office.leader)
    spot = client.get("/leaders/765/").context["heat"]["spots"][0]

    queue = client.get(spot["url"])

    assert queue.status_code == 200
    assert len(queue.context["reports"]) >= 30
