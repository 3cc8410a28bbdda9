"""The dashboard's queries are pinned: a fixed number whatever the wards, months, officers
and reports (one grouped query per table), and none for a cached heat map's overlay."""

import pytest

from tests.accounts_factories import make_official
from tests.dossiers.factories import in_processing
from tests.factories import make_unit, rect
from tests.leaders.factories import IN_WARD_B, cluster, report_at
from urbanmgmt.models import Role

pytestmark = pytest.mark.django_db

# Session and user; the person's posts and their subtrees; the unit and its wards; per ward,
# per department and in all: dossiers and reports, the departments' names; the trend; staff:
# posts, reports, dossiers, people; the wards' outlines; the categories; the session saved
# (a savepoint, an update and its release).
DASHBOARD_QUERIES = 23
# Session and user, posts and subtrees, the unit and its wards, the session saved.
OVERLAY_QUERIES = 9
TWO_YEARS = {"start": "2024-01-01", "end": "2025-12-31"}


@pytest.fixture
def signed_in(client, office):
    cluster(5)
    report_at(*IN_WARD_B, code="blocked-drain")
    in_processing(office)
    client.force_login(office.leader)
    client.get("/leaders/765/")  # computes the heat map once
    return client


def test_the_dashboard_takes_a_fixed_number_of_queries(signed_in, django_assert_num_queries):
    signed_in.get("/leaders/765/", TWO_YEARS)  # computes this period's heat map

    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = signed_in.get("/leaders/765/", TWO_YEARS)
    assert response.status_code == 200


def test_more_wards_officers_and_months_take_no_more_queries(
    signed_in, office, django_assert_num_queries
):
    make_unit("26911", "Phường 27", geom=rect(106.72, 10.78, 106.73, 10.82), parent=office.district)
    for _i in range(3):
        make_official(office.district, Role.OFFICER, office.department)
    cluster(5, seed=2)
    five_years = {"start": "2021-01-01", "end": "2025-12-31"}
    signed_in.get("/leaders/765/", five_years)

    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = signed_in.get("/leaders/765/", five_years)
    assert len(response.context["ward_rows"]) == 3


def test_a_cached_overlay_reads_nothing_but_who_asks(signed_in, django_assert_num_queries):
    with django_assert_num_queries(OVERLAY_QUERIES):
        response = signed_in.get("/leaders/heatmap.png", {"unit": "765"})
    assert response.status_code == 200
