import datetime as dt

import pytest

from tests.factories import MIDDLE, NORTH, SOUTH, WEST, make_parcel, rect
from tests.planning.factories import make_decision, make_road, make_zone

pytestmark = pytest.mark.django_db
URL = "/api/planning/lookup"


@pytest.fixture
def plan(district):
    decision = make_decision("1234/QĐ-UBND")
    housing = make_zone(decision, rect(WEST, SOUTH, 106.69, NORTH), code="NNO", zone_id="I.1")
    park = make_zone(
        decision,
        rect(106.69, SOUTH, MIDDLE, NORTH),
        code="CXDVO",
        zone_id="I.2",
        max_floors=None,
        max_height_m=None,
        max_coverage_pct=5,
        max_far=0.05,
    )
    return {"decision": decision, "housing": housing, "park": park, **district}


def test_a_point_inside_a_parcel_answers_with_the_parcel_its_units_and_its_zone(client, plan):
    parcel = make_parcel(
        plan["ward_a"],
        sheet_no=10,
        parcel_no=16,
        land_use="ODT",
        address="12 Điện Biên Phủ, Phường 13",
        geom=rect(106.685, 10.80, 106.6852, 10.8002),
    )

    response = client.get(URL, {"lon": "106.6851", "lat": "10.8001"})

    assert response.status_code == 200
    body = response.json()
    assert body["covered"] is True
    assert body["parcel"]["key"] == "26905-010-0016"
    assert body["parcel"]["area_m2"] == pytest.approx(parcel.area_m2, abs=0.1)
    assert (body["parcel"]["land_use"], body["parcel"]["land_use_name"]) == (
        "ODT",
        "Đất ở tại đô thị",
    )
    assert body["ward"] == {"code": "26905", "name": "Phường 13", "level": "ward"}
    assert body["district"]["name"] == "Quận Bình Thạnh"
    assert body["city"]["code"] == "79"
    [zone] = body["zones"]
    assert (zone["code"], zone["zone_id"], zone["share"], zone["share_pct"]) == (
        "NNO",
        "I.1",
        1.0,
        100.0,
    )
    assert zone["group"] == "residential"
    assert zone["limits"] == {
        "max_floors": 5,
        "max_height_m": 25.0,
        "max_coverage_pct": 80.0,
        "max_far": 4.0,
        "setback_m": None,
    }
    assert zone["decision"]["number"] == "1234/QĐ-UBND"
    assert zone["decision"]["scale_label"] == "1/2000"
    assert zone["decision"]["status"] == "in_force"
    assert body["links"]["sheet"] == "/planning/sheet/26905-010-0016/"


def test_a_parcel_on_a_zone_boundary_gets_both_zones_with_shares_adding_up_to_100(client, plan):
    make_parcel(plan["ward_a"], geom=rect(106.68985, 10.80, 106.69005, 10.8002))

    body = client.get(URL, {"lon": "106.6899", "lat": "10.8001"}).json()

    assert [(z["code"], z["share_pct"]) for z in body["zones"]] == [("NNO", 75.0), ("CXDVO", 25.0)]
    assert sum(z["share"] for z in body["zones"]) == pytest.approx(1.0, abs=1e-3)
    assert body["zones"][1]["limits"]["max_floors"] is None


def test_a_point_with_no_parcel_still_gets_the_zone_and_the_units(client, plan):
    body = client.get(URL, {"lon": "106.695", "lat": "10.81"}).json()

    assert body["covered"] is True
    assert body["parcel"] is None
    assert body["ward"]["code"] == "26905"
    assert [(z["code"], z["share"]) for z in body["zones"]] == [("CXDVO", None)]
    assert body["message"]


def test_a_point_outside_every_unit_is_outside_the_area_we_cover(client, plan):
    response = client.get(URL, {"lon": "105.0", "lat": "10.0"})

    assert response.status_code == 200
    assert response.json() == {
        "covered": False,
        "message": "This place is outside the area we cover.",
        "date": dt.date.today().isoformat(),
        "point": [105.0, 10.0],
    }


def test_a_superseded_decision_gives_way_to_the_newer_one_but_answers_for_its_own_days(
    client, plan
):
    plan["decision"].valid_from = dt.date(2012, 1, 1)
    plan["decision"].save()
    newer = make_decision("999/QĐ-UBND", decided_on=dt.date(2022, 6, 1))
    make_zone(newer, rect(WEST, SOUTH, MIDDLE, NORTH), code="HH", zone_id="II.1")
    from planning.services import supersede_decision

    supersede_decision(old=plan["decision"], new=newer)
    today = client.get(URL, {"lon": "106.685", "lat": "10.80"}).json()
    # The wards exist from 2020 on; the older plan was in force until mid-2022.
    in_2021 = client.get(URL, {"lon": "106.685", "lat": "10.80", "date": "2021-01-01"}).json()

    assert [z["code"] for z in today["zones"]] == ["HH"]
    assert [d["number"] for d in today["earlier_decisions"]] == ["1234/QĐ-UBND"]
    assert today["earlier_decisions"][0]["superseded_by"] == "999/QĐ-UBND"
    assert [z["code"] for z in in_2021["zones"]] == ["NNO"]
    assert in_2021["earlier_decisions"] == []


def test_a_parcel_facing_a_street_learns_its_road_boundary_and_how_far_it_reaches_in(client, plan):
    # Centre line along lat 10.80; the parcel's south edge is about 11 m north of it.
    make_road("Điện Biên Phủ", 30.0, [(WEST, 10.80), (106.69, 10.80)])
    make_parcel(plan["ward_a"], geom=rect(106.685, 10.8001, 106.6852, 10.8003))

    body = client.get(URL, {"lon": "106.6851", "lat": "10.8002"}).json()

    [road] = body["road_boundaries"]
    assert road["street"] == "Điện Biên Phủ"
    assert road["planned_width_m"] == 30.0
    assert road["distance_to_centre_m"] == pytest.approx(11.06, abs=0.05)
    assert road["reach_m"] == pytest.approx(15 - 11.06, abs=0.05)
    # The strip inside the planned street: about 3.94 m deep along a 21.9 m side.
    assert road["inside_m2"] == pytest.approx(3.94 * 21.87, rel=0.02)


def test_a_parcel_far_from_any_street_has_no_road_boundary(client, plan):
    make_road("Điện Biên Phủ", 30.0, [(WEST, 10.80), (106.69, 10.80)])
    make_parcel(plan["ward_a"], geom=rect(106.685, 10.801, 106.6852, 10.8012))

    body = client.get(URL, {"lon": "106.6851", "lat": "10.8011"}).json()

    assert body["road_boundaries"] == []


def test_the_answer_for_a_point_costs_one_query(client, plan, django_assert_num_queries):
    make_parcel(plan["ward_a"], geom=rect(106.685, 10.80, 106.6852, 10.8002))
    make_road()

    with django_assert_num_queries(1):
        client.get(URL, {"lon": "106.6851", "lat": "10.8001"})


def test_the_answer_speaks_vietnamese_unless_asked_otherwise(client, plan):
    del client.cookies["django_language"]

    body = client.get(URL, {"lon": "105.0", "lat": "10.0"}).json()

    assert body["message"] == "Vị trí này nằm ngoài khu vực do hệ thống quản lý."
