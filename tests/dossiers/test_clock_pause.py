"""Waiting for the applicant's supplement pauses the clock; its arrival resumes it."""

import datetime as dt

import pytest

from dossiers import services
from dossiers.models import HandOff, Status, Step, Timing
from tests.dossiers.factories import MONDAY, in_processing

pytestmark = pytest.mark.django_db

D = dt.date


def test_the_deadline_moves_on_by_the_working_days_spent_waiting(office):
    dossier = in_processing(office)  # accepted Monday 10 March 2025, due Monday 31 March
    assert dossier.deadline == D(2025, 3, 31)

    services.request_supplement(
        dossier=dossier, actor=office.officer, note="Thiếu bản vẽ móng", today=D(2025, 3, 12)
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT
    assert dossier.paused_since == D(2025, 3, 12)

    # Back on Wednesday 19 March: 5 working days waited (13, 14, 17, 18, 19 March).
    services.receive_supplement(dossier=dossier, actor=office.officer, today=D(2025, 3, 19))
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.paused_since is None
    assert dossier.paused_working_days == 5
    assert dossier.deadline == D(2025, 4, 8)  # 31 March + 5 working days (7 April is a holiday)
    assert dossier.appointment_date == dossier.deadline


def test_the_applicant_can_bring_the_supplement_online(office):
    dossier = in_processing(office)
    services.request_supplement(dossier=dossier, actor=office.officer, note="Thiếu", today=MONDAY)

    services.receive_supplement(dossier=dossier, actor=office.citizen, today=MONDAY)

    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING


def test_days_waiting_are_not_counted_in_the_processing_time(office):
    dossier = in_processing(office)
    services.request_supplement(
        dossier=dossier, actor=office.officer, note="x", today=D(2025, 3, 12)
    )
    services.receive_supplement(dossier=dossier, actor=office.officer, today=D(2025, 3, 19))

    done = services.decide(
        dossier=dossier, actor=office.leader, result="issued", today=D(2025, 4, 8)
    )

    assert done.timing == Timing.ON_TIME  # on the moved deadline
    assert done.working_days_used == 15  # 20 working days from 10 March to 8 April, minus 5


def test_a_second_supplement_request_makes_the_dossier_late_whatever_the_date(office):
    dossier = in_processing(office)
    for start, back in ((D(2025, 3, 11), D(2025, 3, 12)), (D(2025, 3, 13), D(2025, 3, 14))):
        services.request_supplement(dossier=dossier, actor=office.officer, note="x", today=start)
        services.receive_supplement(dossier=dossier, actor=office.officer, today=back)

    done = services.decide(
        dossier=dossier, actor=office.leader, result="issued", today=D(2025, 3, 17)
    )

    assert done.supplement_requests == 2
    assert done.timing == Timing.LATE


def test_pause_and_resume_are_on_the_processing_control_sheet(office):
    dossier = in_processing(office)
    services.request_supplement(
        dossier=dossier, actor=office.officer, note="x", today=D(2025, 3, 12)
    )
    services.receive_supplement(dossier=dossier, actor=office.officer, today=D(2025, 3, 13))

    steps = list(HandOff.objects.filter(dossier=dossier).values_list("step", flat=True))
    assert steps[-2:] == [Step.SUPPLEMENT_REQUESTED, Step.SUPPLEMENT_RECEIVED]
