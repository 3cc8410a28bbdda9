import datetime as dt

import pytest
from django.contrib.gis.geos import Point

from gis.models import AdminUnit, UnitLevel
from gis.services import locate
from tests.factories import MIDDLE, make_unit, rect

pytestmark = pytest.mark.django_db


def test_a_point_inside_a_ward_finds_the_ward_its_district_and_city(district):
    found = locate(Point(106.69, 10.80, srid=4326))
    assert found.ward == district["ward_a"]
    assert found.district == district["district"]
    assert found.city == district["city"]


def test_a_point_in_the_other_ward_finds_that_ward(district):
    assert locate(Point(106.71, 10.80, srid=4326)).ward == district["ward_b"]


def test_a_point_on_the_boundary_between_two_wards_goes_to_the_lower_code(district):
    on_boundary = Point(MIDDLE, 10.80, srid=4326)
    assert AdminUnit.objects.base_units().containing(on_boundary).count() == 2
    assert locate(on_boundary).ward.code == "26905"


def test_a_point_outside_every_ward_is_not_covered(district):
    found = locate(Point(106.65, 10.75, srid=4326))
    assert not found.covered
    assert found.ward is None and found.district is None
    assert found.city == district["city"]


def test_a_merged_ward_answers_for_dates_before_the_merger_only(district):
    merged_on = dt.date(2025, 7, 1)
    for key in ("ward_a", "ward_b"):
        district[key].valid_to = merged_on - dt.timedelta(days=1)
        district[key].save()
    new_ward = make_unit(
        "26734",
        "Phường Gia Định",
        geom=rect(106.68, 10.78, 106.72, 10.82),
        parent=district["city"],
        valid_from=merged_on,
    )
    new_ward.predecessors.set([district["ward_a"], district["ward_b"]])
    point = Point(106.69, 10.80, srid=4326)

    before = locate(point, dt.date(2024, 1, 1))
    after = locate(point, dt.date(2026, 1, 1))

    assert before.ward == district["ward_a"]
    assert after.ward == new_ward
    assert set(new_ward.predecessors.all()) == {district["ward_a"], district["ward_b"]}
    assert list(district["ward_a"].successors.all()) == [new_ward]


def test_unit_search_ignores_diacritics_and_case(district):
    assert list(AdminUnit.objects.search("phuong 13")) == [district["ward_a"]]
    assert list(AdminUnit.objects.search("QUẬN BÌNH THẠNH")) == [district["district"]]


def test_areas_are_measured_in_square_metres(district):
    ward = AdminUnit.objects.get(pk=district["ward_a"].pk)
    # 0.02° × 0.04° at 10.8° N is about 2.19 km × 4.42 km.
    assert ward.area_m2 == pytest.approx(2.186e3 * 4.424e3, rel=0.01)
    assert ward.level == UnitLevel.WARD
    assert ward.geom_3857.srid == 3857


def test_stored_areas_agree_with_epsg_9210_to_a_few_parts_per_million(district):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT area_m2, ST_Area(ST_Transform(geom, 9210)) FROM spatial_adminunit WHERE code = '26905'"
        )
        stored, reference = cursor.fetchone()
    assert stored == pytest.approx(reference, rel=1e-5)
