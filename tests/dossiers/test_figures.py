"""Figures per unit, department and period: received, early / on time / late (Decision 766)."""

import datetime as dt

import pytest
from django.utils import timezone

from dossiers import services
from dossiers.figures import count_dossiers_by_unit, dossier_figures, totals
from tests.dossiers.factories import accepted, house, in_processing
from tests.factories import make_parcel

pytestmark = pytest.mark.django_db

D = dt.date
MARCH = {"start": D(2025, 3, 1), "end": D(2025, 3, 31)}


def decide(office, dossier, day):
    return services.decide(dossier=dossier, actor=office.leader, result="issued", today=day)


@pytest.fixture
def march(office):
    """Seven dossiers handled in March 2025, one received in April."""
    early = decide(office, in_processing(office), D(2025, 3, 20))
    on_time = decide(office, in_processing(office), D(2025, 3, 31))
    decided_in_april = decide(office, in_processing(office), D(2025, 4, 2))
    twice_supplemented = in_processing(office)
    for start, back in ((D(2025, 3, 11), D(2025, 3, 12)), (D(2025, 3, 13), D(2025, 3, 14))):
        services.request_supplement(
            dossier=twice_supplemented, actor=office.officer, note="x", today=start
        )
        services.receive_supplement(dossier=twice_supplemented, actor=office.officer, today=back)
    decide(office, twice_supplemented, D(2025, 3, 21))
    still_open = in_processing(office)  # due 31 March
    overdue = in_processing(
        office, today=D(2025, 3, 3), parcel=make_parcel(office.ward_b, 3, 3), building=house()
    )  # due 24 March, in the east ward
    inter_agency = accepted(office, "LT-XD")
    accepted(office, today=D(2025, 4, 7 + 1))
    return locals()


def test_the_on_time_rate_counts_finished_and_still_open_dossiers(office, march):
    figures = totals(**MARCH)

    assert figures.received == 7
    assert (figures.finished, figures.early, figures.on_time, figures.late) == (3, 1, 1, 1)
    # Open at the end of March: decided in April, still open, inter-agency (within); one overdue.
    assert (figures.open_within, figures.open_overdue) == (3, 1)
    assert figures.handled == 7
    assert figures.on_time_rate == 71.43  # (1 + 1 + 3) / 7
    # 8 working days, 15, and 9 minus the 2 spent waiting for supplements.
    assert figures.average_working_days == 10.0
    assert (figures.permits_received, figures.inter_agency) == (7, 1)
    assert figures.inter_agency_share == 14.29


def test_lateness_is_counted_against_the_original_date_after_an_apology(office):
    dossier = in_processing(office)
    services.issue_apology(
        dossier=dossier,
        actor=office.officer,
        reason="x",
        new_date=D(2025, 4, 10),
        today=D(2025, 3, 28),
    )
    decide(office, dossier, D(2025, 4, 9))

    figures = totals(start=D(2025, 4, 1), end=D(2025, 4, 30))
    assert (figures.finished, figures.late, figures.on_time_rate) == (1, 1, 0.0)


def test_figures_group_by_ward_in_one_query(office, march, django_assert_num_queries):
    with django_assert_num_queries(1):
        by_ward = {f.key: f for f in dossier_figures(by="ward", **MARCH)}

    assert by_ward[office.ward_a.pk].handled == 6
    assert by_ward[office.ward_b.pk].open_overdue == 1
    assert by_ward[office.ward_b.pk].on_time_rate == 0.0


def test_figures_of_a_unit_keep_the_dossiers_located_in_it(office, march):
    assert totals(unit=office.ward_b, **MARCH).handled == 1
    assert totals(unit=office.district, **MARCH).handled == 7


def test_figures_of_a_department(office, march):
    by_department = {f.key: f.received for f in dossier_figures(by="department", **MARCH)}
    assert by_department == {office.department.pk: 6, office.city_department.pk: 1}
    assert totals(department_id=office.city_department.pk, **MARCH).inter_agency == 1


def test_an_empty_period_has_no_rate(office):
    figures = totals(start=D(2020, 1, 1), end=D(2020, 12, 31))
    assert figures.handled == 0
    assert figures.on_time_rate is None and figures.inter_agency_share is None


def test_a_period_ending_before_it_starts_is_refused(office):
    with pytest.raises(ValueError):
        totals(start=D(2025, 3, 31), end=D(2025, 3, 1))


def test_the_map_counts_dossiers_per_ward_and_district(office):
    today = timezone.localdate()
    accepted(office, today=today)
    accepted(office, today=today)

    counts = count_dossiers_by_unit([office.ward_a.pk, office.ward_b.pk, office.district.pk])
    assert counts == {office.ward_a.pk: 2, office.district.pk: 2}


def test_the_dossier_count_is_registered_with_the_map_figures(office):
    from gis.figures import compute_figures

    accepted(office, today=timezone.localdate())
    assert compute_figures([office.ward_a.pk])["dossiers"] == {office.ward_a.pk: 1}
