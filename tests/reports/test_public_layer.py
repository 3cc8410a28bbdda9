"""The published reports layer (tiles, OGC API) and the per-unit figure carry no personal data."""

import math

import mapbox_vector_tile
import pytest

from gis.figures import compute_figures
from gis.publish import get_layer
from gis.tiles import TileAddress, build_tile
from reports.models import Report, Status
from tests.reports.factories import IN_WARD_A, IN_WARD_B, file_report

pytestmark = pytest.mark.django_db


def tile_of(lon: float, lat: float, z: int) -> TileAddress:
    n = 1 << z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return TileAddress(z, x, y)


def test_the_reports_tile_carries_status_category_and_date_but_no_reporter(district):
    report = file_report(
        IN_WARD_A, reporter_name="Võ Thị C", reporter_email="c@example.vn", reporter_phone="0903"
    )

    raw = build_tile(get_layer("reports"), tile_of(IN_WARD_A.x, IN_WARD_A.y, 16))

    features = mapbox_vector_tile.decode(raw)["reports"]["features"]
    assert len(features) == 1
    properties = features[0]["properties"]
    assert set(properties) == {
        "code",
        "status",
        "category",
        "category_group",
        "date",
        "confirmations",
    }
    assert properties["code"] == report.tracking_code
    assert b"example.vn" not in raw and "Võ".encode() not in raw


def test_rejected_reports_are_not_published(district):
    report = file_report(IN_WARD_A)
    Report.objects.filter(pk=report.pk).update(status=Status.REJECTED)

    assert build_tile(get_layer("reports"), tile_of(IN_WARD_A.x, IN_WARD_A.y, 16)) == b""


def test_ward_and_district_maps_count_the_reports(district):
    file_report(IN_WARD_A)
    file_report(IN_WARD_A)
    file_report(IN_WARD_B)
    ids = [district["ward_a"].pk, district["ward_b"].pk, district["district"].pk]

    figures = compute_figures(ids)["reports"]

    assert figures == {
        district["ward_a"].pk: 2,
        district["ward_b"].pk: 1,
        district["district"].pk: 3,
    }
