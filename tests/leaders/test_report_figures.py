"""Report figures per ward, per department and per month, computed by hand: received and
resolved in the period, the median time to resolve, and those overdue at its end."""

import datetime as dt

import pytest

from reports.models import Status
from tests.leaders.factories import IN_WARD_B, close, report_at
from urbanmgmt.leaders.services import Period, frame_for, trend

pytestmark = pytest.mark.django_db

D = dt.date
A = (106.69, 10.80)
MARCH = {"start": "2025-03-01", "end": "2025-03-31"}


@pytest.fixture
def reports(office):
    close(report_at(*A, filed=D(2025, 2, 1)), after_days=4)  # resolved before the period
    report_at(*A, filed=D(2025, 2, 20))  # due 27 February, still open
    close(report_at(*A, filed=D(2025, 3, 3)), after_days=2)
    close(report_at(*A, filed=D(2025, 3, 4)), after_days=4)
    close(report_at(*A, filed=D(2025, 3, 5)), after_days=9)
    close(report_at(*A, filed=D(2025, 3, 10)), after_days=1, status=Status.REJECTED)
    report_at(*A, filed=D(2025, 3, 20))  # due 27 March: overdue on the 31st
    report_at(*A, filed=D(2025, 3, 28))  # due 4 April
    report_at(*IN_WARD_B, filed=D(2025, 3, 12), code="blocked-drain")  # QLDT, due 17 March


def rows(response, name):
    return {item["row"].code or item["row"].name: item["row"] for item in response.context[name]}


def test_the_figures_of_a_ward(client, office, reports):
    client.force_login(office.leader)

    ward_a = rows(client.get("/leaders/765/", MARCH), "ward_rows")["26905"].reports

    assert (ward_a.received, ward_a.resolved) == (6, 3)
    assert ward_a.median_days == 4.0  # of 2, 4 and 9 days
    assert (ward_a.open_at_end, ward_a.overdue) == (3, 2)


def test_the_figures_of_each_department_and_of_the_ward_offices(client, office, reports):
    client.force_login(office.leader)

    by_department = rows(client.get("/leaders/765/", MARCH), "department_rows")

    assert by_department["QLDT"].reports.received == 1
    assert by_department["QLDT"].reports.overdue == 1
    assert by_department["Ward offices"].reports.received == 6


def test_the_total_takes_every_ward(client, office, reports):
    client.force_login(office.leader)

    total = client.get("/leaders/765/", MARCH).context["total"]["row"].reports

    assert (total.received, total.resolved, total.overdue) == (7, 3, 3)


def test_the_category_filter_applies_to_the_report_figures(client, office, reports):
    client.force_login(office.leader)

    response = client.get("/leaders/765/", {**MARCH, "category": "blocked-drain"})

    assert response.context["total"]["row"].reports.received == 1
    assert response.context["total"]["row"].dossiers is not None  # dossiers have no category


def test_month_by_month(office, reports):
    frame = frame_for(office.leader, "765")

    months = trend(office.leader, frame, Period(D(2025, 2, 1), D(2025, 3, 31)), "reports")

    received, resolved, overdue = (series.values for series in months.series)
    assert months.labels == ["02/2025", "03/2025"]
    assert received == [2, 7]
    assert resolved == [1, 3]
    assert overdue == [1, 3]
