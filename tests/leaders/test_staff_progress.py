"""Staff progress: each officer's open and overdue cases today and their median time over the
period, for the posts that lead them."""

import datetime as dt

import pytest
from django.utils import timezone

from reports.models import Status
from tests.accounts_factories import make_official
from tests.dossiers.factories import in_processing
from tests.leaders.factories import IN_WARD_B, assign, close, report_at, ward_leader
from urbanmgmt.models import Role

pytestmark = pytest.mark.django_db

A = (106.69, 10.80)


@pytest.fixture
def cases(office):
    today = timezone.localdate()
    ward_officer = make_official(office.ward_a, Role.OFFICER)
    assign(report_at(*A, filed=today - dt.timedelta(days=30)), ward_officer)  # overdue
    assign(report_at(*A), ward_officer, Status.IN_PROGRESS)  # due in 5 working days
    for days in (1, 3):
        resolved = assign(report_at(*A, filed=today - dt.timedelta(days=20)), ward_officer)
        close(resolved, after_days=days)
    drain = report_at(*IN_WARD_B, filed=today - dt.timedelta(days=30), code="blocked-drain")
    assign(drain, office.officer)
    in_processing(office)  # handled by the district's officer, due in March 2025
    return ward_officer


def staff(response):
    return {item["row"].user_id: item["row"] for item in response.context["staff_rows"]}


def test_each_officer_with_their_open_and_overdue_cases(client, office, cases):
    client.force_login(office.leader)

    rows = staff(client.get("/leaders/765/"))

    ward = rows[cases.id]
    assert (ward.reports_open, ward.reports_overdue) == (2, 1)
    assert (ward.reports_resolved, ward.reports_median_days) == (2, 2.0)
    district = rows[office.officer.id]
    assert (district.reports_open, district.reports_overdue) == (1, 1)
    assert (district.dossiers_open, district.dossiers_overdue) == (1, 1)
    assert rows[office.second_officer.id].open == 0  # listed, with nothing to do


def test_the_most_overdue_come_first(client, office, cases):
    client.force_login(office.leader)

    response = client.get("/leaders/765/")

    overdue = [item["row"].overdue for item in response.context["staff_rows"]]
    assert overdue == sorted(overdue, reverse=True)
    assert response.context["staff_rows"][0]["row"].user_id == office.officer.id


def test_a_ward_leader_sees_the_wards_officers_only(client, office, cases):
    client.force_login(ward_leader(office))

    rows = staff(client.get("/leaders/26905/"))

    assert set(rows) == {cases.id}


def test_a_department_head_sees_their_departments_officers(client, office, cases):
    client.force_login(make_official(office.district, Role.HEAD, office.department))

    rows = staff(client.get("/leaders/765/"))

    assert cases.id not in rows
    assert rows[office.officer.id].reports_open == 1
