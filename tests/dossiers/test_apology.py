"""Lateness: one apology letter with a new date, never two; late is still late."""

import datetime as dt

import pytest
from django.db import IntegrityError

from dossiers import services
from dossiers.models import Dossier, Timing
from dossiers.services import DossierError
from tests.dossiers.factories import in_processing

pytestmark = pytest.mark.django_db

D = dt.date
DEADLINE = D(2025, 3, 31)


def test_one_apology_moves_the_appointment_but_not_the_deadline(office):
    dossier = in_processing(office)

    services.issue_apology(
        dossier=dossier,
        actor=office.officer,
        reason="Chờ ý kiến cơ quan quản lý chuyên ngành",
        new_date=D(2025, 4, 10),
        today=D(2025, 3, 28),
    )

    dossier.refresh_from_db()
    assert dossier.apology_count == 1
    assert dossier.appointment_date == D(2025, 4, 10)
    assert dossier.deadline == DEADLINE


def test_a_second_apology_is_refused(office):
    dossier = in_processing(office)
    services.issue_apology(
        dossier=dossier,
        actor=office.officer,
        reason="x",
        new_date=D(2025, 4, 10),
        today=D(2025, 3, 27),
    )

    with pytest.raises(DossierError, match="already sent once"):
        services.issue_apology(
            dossier=dossier,
            actor=office.officer,
            reason="y",
            new_date=D(2025, 4, 15),
            today=D(2025, 3, 28),
        )
    dossier.refresh_from_db()
    assert dossier.appointment_date == D(2025, 4, 10)


def test_the_database_refuses_a_second_apology_too(office):
    dossier = in_processing(office)
    with pytest.raises(IntegrityError):
        Dossier.objects.filter(pk=dossier.pk).update(apology_count=2)


def test_a_dossier_decided_by_the_new_date_is_still_late(office):
    dossier = in_processing(office)
    services.issue_apology(
        dossier=dossier,
        actor=office.officer,
        reason="x",
        new_date=D(2025, 4, 10),
        today=D(2025, 3, 28),
    )

    done = services.decide(
        dossier=dossier, actor=office.leader, result="issued", today=D(2025, 4, 9)
    )

    assert done.timing == Timing.LATE


def test_the_apology_comes_at_least_a_day_before_the_deadline(office):
    dossier = in_processing(office)
    with pytest.raises(DossierError, match="a day before"):
        services.issue_apology(
            dossier=dossier,
            actor=office.officer,
            reason="x",
            new_date=D(2025, 4, 10),
            today=DEADLINE,
        )


@pytest.mark.parametrize("new_date", [D(2025, 3, 31), D(2025, 4, 5), D(2025, 4, 7)])
def test_the_new_date_is_a_working_day_after_the_deadline(office, new_date):
    # the deadline itself, a Saturday, Hùng Kings' day
    dossier = in_processing(office)
    with pytest.raises(DossierError, match="working day after the deadline"):
        services.issue_apology(
            dossier=dossier,
            actor=office.officer,
            reason="x",
            new_date=new_date,
            today=D(2025, 3, 20),
        )


def test_the_applicant_is_told_the_new_date(office, mailoutbox, django_capture_on_commit_callbacks):
    dossier = in_processing(office)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_apology(
            dossier=dossier,
            actor=office.officer,
            reason="Chờ ý kiến",
            new_date=D(2025, 4, 10),
            today=D(2025, 3, 28),
        )

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["an@example.vn"]
    assert dossier.code in mailoutbox[0].subject
    assert "10/04/2025" in mailoutbox[0].body
