"""Everything on the dashboard can be taken away: CSV tables, the wards as a GeoPackage, the
trend chart as PNG and SVG, the heat map's PNG overlay."""

import csv
import datetime as dt
import io
from xml.etree import ElementTree

import pyogrio
import pytest
from django.utils import timezone

from tests.leaders.factories import IN_WARD_B, close, cluster, png_size, report_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, office):
    for report in cluster(3, filed=timezone.localdate() - dt.timedelta(days=10)):
        close(report, after_days=2)
    report_at(*IN_WARD_B)
    client.force_login(office.leader)
    return client


def rows_of(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheets read the Vietnamese names
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_ward_table_is_a_csv_with_a_total_row(signed_in):
    response = signed_in.get("/leaders/figures.csv", {"unit": "765", "table": "wards"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = rows_of(response)
    assert [row["code"] for row in rows] == ["26905", "26908", "765"]
    assert rows[0]["name"] == "Phường 13"
    assert (rows[0]["reports_received"], rows[0]["reports_resolved"]) == ("3", "3")
    assert float(rows[0]["reports_median_days"]) == 2.0
    assert rows[2]["name"] == "Total" and rows[2]["reports_received"] == "4"
    assert rows[1]["dossiers_on_time_rate"] == ""  # no dossier: no rate


@pytest.mark.parametrize(
    ("table", "column"),
    [("departments", "dossiers_received"), ("staff", "reports_open"), ("trend", "month")],
)
def test_the_other_tables_are_csv_too(signed_in, table, column):
    response = signed_in.get("/leaders/figures.csv", {"unit": "765", "table": table})

    assert response.status_code == 200
    assert column in rows_of(response)[0]


def test_the_wards_layer_opens_as_a_geopackage(signed_in, tmp_path):
    response = signed_in.get("/leaders/wards.gpkg", {"unit": "765"})

    path = tmp_path / "wards.gpkg"
    path.write_bytes(response.content)
    assert pyogrio.list_layers(path)[0][0] == "ward_figures"
    frame = pyogrio.read_dataframe(path)
    assert frame.crs.to_epsg() == 4326
    assert list(frame["code"]) == ["26905", "26908"]
    assert list(frame["reports_received"]) == [3, 1]
    assert frame.geometry.iloc[0].contains(frame.geometry.iloc[0].centroid)


def test_the_trend_chart_is_a_png(signed_in):
    response = signed_in.get("/leaders/trend.png", {"unit": "765", "trend": "reports"})

    assert response["Content-Type"] == "image/png"
    assert png_size(response.content) == (1520, 660)


def test_the_trend_chart_is_an_svg_with_a_line_per_series(signed_in):
    response = signed_in.get("/leaders/trend.svg", {"unit": "765", "trend": "dossiers"})

    svg = ElementTree.fromstring(response.content)
    lines = svg.findall("{http://www.w3.org/2000/svg}polyline")
    assert svg.find("{http://www.w3.org/2000/svg}title").text == "Dossiers per month"
    assert len(lines) == 3


def test_the_heat_maps_overlay_is_a_png(signed_in):
    response = signed_in.get("/leaders/heatmap.png", {"unit": "765"})

    assert response["Content-Type"] == "image/png"
    width, height = png_size(response.content)
    assert width > 100 and height > 100
