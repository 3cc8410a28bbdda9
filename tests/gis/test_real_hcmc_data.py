"""Real Ho Chi Minh City boundaries from ../shared (not in the repo; skipped where absent)."""

import unicodedata
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point

from gis.importer import ImportFailed, run_import
from gis.models import AdminUnit
from gis.services import locate

pytestmark = pytest.mark.django_db

HCMC = Path(__file__).resolve().parents[3] / "shared" / "data" / "hcmc"
WARDS = HCMC / "hcmc_binhthanh_wards_2020_cityscope.geojson"


@pytest.fixture
def binh_thanh_wards():
    if not WARDS.exists():
        pytest.skip(f"{WARDS} is not on this machine")
    return WARDS


def test_the_real_binh_thanh_wards_import_with_their_names_and_area(binh_thanh_wards):
    summary = run_import("units", binh_thanh_wards, mapping={"parent_code": ""})

    assert (summary.read, summary.created, len(summary.refused)) == (20, 20, 0)
    wards = AdminUnit.objects.filter(level="ward")
    assert wards.count() == 20
    assert all(unicodedata.is_normalized("NFC", w.name) for w in wards)
    assert AdminUnit.objects.get(code="26947").name == "Phường 03"
    total_km2 = sum(w.area_m2 for w in wards) / 1e6
    assert total_km2 == pytest.approx(20.8, rel=0.05)


def test_a_point_inside_a_real_ward_finds_it(binh_thanh_wards):
    run_import("units", binh_thanh_wards, mapping={"parent_code": ""})
    ward = AdminUnit.objects.get(code="26947")
    inside = ward.geom.point_on_surface

    assert locate(Point(inside.x, inside.y, srid=4326)).ward == ward


def test_reading_the_district_code_as_parent_of_unknown_district_is_refused(binh_thanh_wards):
    with pytest.raises(ImportFailed, match="765"):
        run_import("units", binh_thanh_wards)
    assert not AdminUnit.objects.exists()
