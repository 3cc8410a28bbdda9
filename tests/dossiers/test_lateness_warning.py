"""A day before the deadline, the officer in charge is warned (once)."""

import datetime as dt

import pytest
from django.core.management import call_command

from dossiers import services
from dossiers.models import HandOff, Step
from tests.dossiers.factories import in_processing

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def officer_with_email(office):
    office.officer.email = "can-bo@example.vn"
    office.officer.save()
    return office.officer


def test_the_officer_in_charge_is_warned_the_working_day_before(
    office, officer_with_email, mailoutbox, django_capture_on_commit_callbacks
):
    dossier = in_processing(office)  # due Monday 31 March 2025
    mailoutbox.clear()

    assert services.warn_due_dossiers(today=D(2025, 3, 27)) == 0  # Thursday: too early
    with django_capture_on_commit_callbacks(execute=True):
        assert services.warn_due_dossiers(today=D(2025, 3, 28)) == 1  # Friday: the day before

    assert [m.to for m in mailoutbox] == [["can-bo@example.vn"]]
    assert dossier.code in mailoutbox[0].subject
    line = HandOff.objects.get(dossier=dossier, step=Step.WARNED)
    assert line.receiver == office.officer


def test_a_dossier_is_warned_once(office, officer_with_email):
    in_processing(office)
    services.warn_due_dossiers(today=D(2025, 3, 28))
    assert services.warn_due_dossiers(today=D(2025, 3, 31)) == 0


def test_a_paused_dossier_is_not_warned(office):
    dossier = in_processing(office)
    services.request_supplement(
        dossier=dossier, actor=office.officer, note="x", today=D(2025, 3, 27)
    )
    assert services.warn_due_dossiers(today=D(2025, 3, 28)) == 0


def test_the_queue_marks_the_dossier_due_soon(office):
    dossier = in_processing(office)
    assert not dossier.due_soon(D(2025, 3, 27))
    assert dossier.due_soon(D(2025, 3, 28))


def test_the_daily_command_warns_and_deems_overdue_consultations(office):
    in_processing(office)
    call_command("dossiers_daily", "--date", "2025-03-28", verbosity=0)
    assert HandOff.objects.filter(step=Step.WARNED).count() == 1
