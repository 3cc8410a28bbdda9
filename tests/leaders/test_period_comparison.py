"""Comparing two periods: the difference surface is positive where reports grew and negative
where they fell, with the earlier period scaled to the later one's length."""

import datetime as dt
import io

import numpy as np
import pytest
import rasterio
from pyproj import Transformer

from tests.leaders.factories import report_at
from urbanmgmt.leaders import heat
from urbanmgmt.leaders.services import Period, frame_for

pytestmark = pytest.mark.django_db

D = dt.date
GREW = (106.6905, 10.8055)
FELL = (106.6875, 10.7905)
TO_UTM = Transformer.from_crs(4326, 32648, always_xy=True)


def value_at(body: bytes, lonlat, band: int = 1) -> float:
    with rasterio.MemoryFile(io.BytesIO(body)) as memfile, memfile.open() as tif:
        row, col = tif.index(*TO_UTM.transform(*lonlat))
        return float(tif.read(band)[row, col])


def test_the_difference_is_positive_where_reports_grew_and_negative_where_they_fell(client, office):
    report_at(*FELL, filed=D(2025, 3, 5))  # the period before
    report_at(*GREW, filed=D(2025, 3, 15))
    report_at(*GREW, filed=D(2025, 3, 16))
    client.force_login(office.leader)
    query = {"unit": "765", "start": "2025-03-11", "end": "2025-03-20", "compare": "previous"}

    page = client.get("/leaders/765/", query)
    tif = client.get("/leaders/heatmap.tif", query).content

    assert page.context["heat"]["entry"].kind == "difference"
    assert page.context["filters"].earlier == Period(D(2025, 3, 1), D(2025, 3, 10))
    assert value_at(tif, GREW) > 0 > value_at(tif, FELL)
    assert value_at(tif, GREW, band=2) == 2 and value_at(tif, FELL, band=2) == -1
    first = page.context["heat"]["spots"][0]
    assert first["count"] == 2
    assert "2 more reports" in page.content.decode()


def test_a_longer_earlier_period_is_scaled_to_the_later_ones_length(office):
    report_at(*FELL, filed=D(2025, 3, 25))  # 1 report in 10 days
    report_at(*FELL, filed=D(2025, 3, 3))  # 2 reports in 20 days before
    report_at(*FELL, filed=D(2025, 3, 12))
    frame = frame_for(office.leader, "765")

    spec = heat.spec_for(
        office.leader,
        frame,
        period=Period(D(2025, 3, 22), D(2025, 3, 31)),
        earlier=Period(D(2025, 3, 2), D(2025, 3, 21)),
    )
    entry = heat.compute(spec)

    assert spec.earlier_weight == 0.5
    assert abs(value_at(entry.tif, FELL)) < 1e-3
    assert np.isclose(value_at(entry.tif, FELL, band=2), 0)
