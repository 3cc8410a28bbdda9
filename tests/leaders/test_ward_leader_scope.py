"""A ward leader sees only their ward: other wards and the district answer 404, as if they did
not exist, and their figures and heat maps hold only their ward's cases."""

import io

import numpy as np
import pytest
import rasterio

from tests.accounts_factories import make_citizen, make_official
from tests.leaders.factories import IN_WARD_B, cluster, report_at, ward_leader
from urbanmgmt.models import Role

pytestmark = pytest.mark.django_db

PAGES = [
    "/leaders/{code}/",
    "/leaders/heatmap.tif?unit={code}",
    "/leaders/heatmap.png?unit={code}",
    "/leaders/heatmap.json?unit={code}",
    "/leaders/figures.csv?unit={code}",
    "/leaders/wards.gpkg?unit={code}",
    "/leaders/trend.png?unit={code}",
    "/leaders/trend.svg?unit={code}",
]


@pytest.fixture
def reports(office):
    cluster(5)  # ward A
    report_at(*IN_WARD_B)
    report_at(*IN_WARD_B, code="blocked-drain")  # handled by the district's QLDT


def test_a_ward_leader_sees_their_ward(client, office, reports):
    client.force_login(ward_leader(office))

    response = client.get("/leaders/26905/")

    assert response.status_code == 200
    assert [item["row"].code for item in response.context["ward_rows"]] == ["26905"]
    assert response.context["total"]["row"].reports.received == 5


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("code", ["26908", "765", "79", "00000"])
def test_another_ward_the_district_or_no_unit_is_not_found(client, office, page, code):
    client.force_login(ward_leader(office))

    assert client.get(page.format(code=code)).status_code == 404


def test_the_ward_leaders_heat_map_holds_only_their_ward(client, office, reports):
    client.force_login(ward_leader(office))

    response = client.get("/leaders/heatmap.tif", {"unit": "26905"})

    with rasterio.MemoryFile(io.BytesIO(response.content)) as memfile, memfile.open() as tif:
        assert np.nansum(tif.read(2)) == 5


def test_the_ward_page_does_not_link_up_to_the_district(client, office):
    client.force_login(ward_leader(office))

    response = client.get("/leaders/26905/")

    assert response.context["up"] is None
    assert b'href="/leaders/765/"' not in response.content


def test_the_district_leader_sees_every_ward_and_the_districts_cases(client, office, reports):
    client.force_login(office.leader)

    response = client.get("/leaders/765/")

    by_code = {item["row"].code: item["row"] for item in response.context["ward_rows"]}
    assert by_code["26905"].reports.received == 5
    assert by_code["26908"].reports.received == 2
    assert response.context["up"] is None
    assert client.get("/leaders/26908/").status_code == 200


def test_a_department_head_sees_their_departments_cases_only(client, office, reports):
    head = make_official(office.district, Role.HEAD, office.department)
    client.force_login(head)

    response = client.get("/leaders/765/")

    assert response.status_code == 200
    assert response.context["total"]["row"].reports.received == 1  # the blocked drain


def test_the_index_lists_only_the_units_one_leads(client, office):
    client.force_login(ward_leader(office))

    response = client.get("/leaders/")

    assert response.status_code == 302
    assert response["Location"] == "/leaders/26905/"


def test_a_citizen_gets_not_found(client, office):
    client.force_login(make_citizen())

    assert client.get("/leaders/").status_code == 404
    assert client.get("/leaders/26905/").status_code == 404
    assert client.get("/leaders/heatmap.tif?unit=26905").status_code == 404


def test_an_anonymous_visitor_is_asked_to_sign_in(client, office):
    for page in ("/leaders/", "/leaders/765/", "/leaders/heatmap.tif?unit=765"):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_a_city_leader_chooses_among_the_citys_districts(client, office):
    client.force_login(office.city_leader)

    response = client.get("/leaders/")

    assert response.status_code == 302
    assert response["Location"] == "/leaders/765/"


def test_someone_leading_two_wards_chooses_between_them(client, office):
    from tests.accounts_factories import add_post

    leader = ward_leader(office)
    add_post(leader, office.ward_b, Role.LEADER)
    client.force_login(leader)

    response = client.get("/leaders/")

    assert [unit.code for unit in response.context["units"]] == ["26905", "26908"]
    assert b'href="/leaders/26908/"' in response.content
