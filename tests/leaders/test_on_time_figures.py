"""On-time figures match hand-computed cases: early, on the deadline day, one day late, and a
dossier whose clock paused while the applicant brought a supplement."""

import datetime as dt

import pytest

from dossiers import services
from dossiers.figures import dossier_figures
from tests.dossiers.factories import in_processing
from urbanmgmt.leaders.services import Period, frame_for, trend

pytestmark = pytest.mark.django_db

D = dt.date
SPRING = {"start": "2025-03-01", "end": "2025-04-30"}


@pytest.fixture
def four_permits(office):
    """Four permits accepted on Monday 10 March 2025, due Monday 31 March."""

    def decide(dossier, day):
        return services.decide(dossier=dossier, actor=office.leader, result="issued", today=day)

    early = decide(in_processing(office), D(2025, 3, 20))
    on_the_day = decide(in_processing(office), D(2025, 3, 31))
    one_day_late = decide(in_processing(office), D(2025, 4, 1))
    paused = in_processing(office)
    services.request_supplement(
        dossier=paused, actor=office.officer, note="x", today=D(2025, 3, 12)
    )
    # Five working days waiting: the deadline moves to 8 April (7 April is a holiday).
    services.receive_supplement(dossier=paused, actor=office.officer, today=D(2025, 3, 19))
    paused = decide(paused, D(2025, 4, 8))
    return early, on_the_day, one_day_late, paused


def ward_row(response, code="26905"):
    return next(item for item in response.context["ward_rows"] if item["row"].code == code)


def test_the_cases_are_judged_as_decision_766_says(four_permits):
    assert [d.timing for d in four_permits] == ["early", "on_time", "late", "on_time"]


def test_three_of_four_on_time_is_a_75_percent_rate(client, office, four_permits):
    client.force_login(office.leader)

    response = client.get("/leaders/765/", SPRING)

    figures = ward_row(response)["row"].dossiers
    assert (figures.received, figures.early, figures.on_time, figures.late) == (4, 1, 2, 1)
    assert figures.on_time_rate == 75.0
    assert response.context["total"]["row"].dossiers.on_time_rate == 75.0
    assert b"75.0" in response.content


def test_the_average_counts_working_days_without_the_pause(client, office, four_permits):
    client.force_login(office.leader)

    response = client.get("/leaders/765/", SPRING)

    # 8 working days (10–20 March), 15, 16, and 20 minus the 5 spent waiting.
    assert [d.working_days_used for d in four_permits] == [8, 15, 16, 15]
    assert ward_row(response)["row"].dossiers.average_working_days == 13.5


def test_month_by_month_the_open_dossiers_count_as_within_their_deadline(office, four_permits):
    frame = frame_for(office.leader, "765")

    rates = trend(office.leader, frame, Period(D(2025, 3, 1), D(2025, 4, 30)), "on_time")

    # March: two finished in time, two still open within their deadline; April: one of two.
    assert rates.series[0].values == [100.0, 50.0]


def test_the_monthly_figures_are_those_of_the_dossiers_app(office, four_permits):
    frame = frame_for(office.leader, "765")
    months = Period(D(2025, 2, 15), D(2025, 4, 30)).months()

    dossiers = trend(office.leader, frame, Period(D(2025, 2, 15), D(2025, 4, 30)), "dossiers")

    for i, month in enumerate(months):
        expected = dossier_figures(start=month.start, end=month.end)[0]
        assert dossiers.series[0].values[i] == expected.received
        assert dossiers.series[1].values[i] == expected.finished
        assert dossiers.series[2].values[i] == expected.late
