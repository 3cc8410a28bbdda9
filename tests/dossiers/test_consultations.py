"""Consultations: each agency within its reply period; silence counts as agreement."""

import datetime as dt

import pytest

from dossiers import services
from dossiers.models import ConsultationStatus, HandOff, Step
from dossiers.services import DossierError
from tests.dossiers.factories import in_processing

pytestmark = pytest.mark.django_db

D = dt.date


def close_all_branches(office, dossier):
    for branch in dossier.branches.all():
        services.close_branch(branch=branch, actor=office.city_officer, approved=True)


def test_each_consulted_agency_has_its_reply_date(office):
    dossier = in_processing(office, "LT-XD")

    due = dict(dossier.consultations.values_list("agency_code", "reply_due"))
    assert due == {"PCCC": D(2025, 3, 24), "TNMT": D(2025, 3, 24), "GTVT": D(2025, 3, 19)}


def test_a_consultation_unanswered_after_its_date_is_deemed_agreed(office):
    dossier = in_processing(office, "LT-XD")
    services.reply_consultation(
        consultation=dossier.consultations.get(agency_code="PCCC"),
        actor=office.city_officer,
        agreed=True,
    )

    marked = services.deem_overdue_consultations(today=D(2025, 3, 20))

    assert marked == 1  # transport's reply was due on 19 March; environment's is not yet
    status = dict(dossier.consultations.values_list("agency_code", "status"))
    assert status == {
        "PCCC": ConsultationStatus.AGREED,
        "TNMT": ConsultationStatus.PENDING,
        "GTVT": ConsultationStatus.DEEMED_AGREED,
    }
    line = HandOff.objects.get(dossier=dossier, step=Step.CONSULTATION_DEEMED)
    assert line.note == "Sở Giao thông vận tải"
    assert line.sender is None


def test_the_decision_waits_for_a_consultation_still_within_its_period(office):
    dossier = in_processing(office, "LT-XD")
    close_all_branches(office, dossier)

    with pytest.raises(DossierError, match="24/03/2025"):
        services.decide(
            dossier=dossier, actor=office.city_leader, result="issued", today=D(2025, 3, 21)
        )


def test_the_decision_deems_silent_agencies_agreed_once_their_period_is_over(office):
    dossier = in_processing(office, "LT-XD")
    close_all_branches(office, dossier)

    done = services.decide(
        dossier=dossier, actor=office.city_leader, result="issued", today=D(2025, 3, 25)
    )

    assert done.result == "issued"
    assert set(dossier.consultations.values_list("status", flat=True)) == {
        ConsultationStatus.DEEMED_AGREED
    }


def test_a_reply_after_the_agency_was_deemed_to_agree_is_refused(office):
    dossier = in_processing(office, "LT-XD")
    services.deem_overdue_consultations(today=D(2025, 4, 1))

    with pytest.raises(DossierError, match="already answered"):
        services.reply_consultation(
            consultation=dossier.consultations.first(), actor=office.city_officer, agreed=False
        )
