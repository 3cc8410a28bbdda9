"""Every status change goes through one service and leaves a line on the control sheet."""

import pytest
from django.db import IntegrityError, connection, transaction

from dossiers import services
from dossiers.models import HandOff, Status, Step
from dossiers.services import DossierError
from tests.dossiers.factories import MONDAY, accepted, in_processing, submit
from urbanmgmt.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_dossier_goes_from_intake_to_return_with_who_when_and_from_which_post(office):
    dossier = in_processing(office)
    services.decide(dossier=dossier, actor=office.leader, result="issued", today=MONDAY)
    services.return_result(dossier=dossier, actor=office.officer, rating=5, today=MONDAY)

    lines = list(
        HandOff.objects.filter(dossier=dossier).values_list(
            "step", "from_status", "to_status", "sender", "sender_post__role"
        )
    )
    assert lines == [
        (Step.SUBMITTED, 0, 1, office.citizen.pk, None),
        (Step.ACCEPTED, 1, 2, office.officer.pk, "officer"),
        (Step.ROUTED, 2, 4, office.officer.pk, "officer"),
        (Step.DECIDED, 4, 9, office.leader.pk, "leader"),
        (Step.RETURNED, 9, 10, office.officer.pk, "officer"),
    ]
    audit = list(
        AuditEntry.objects.filter(object_id=str(dossier.pk), object_type="dossiers.dossier")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert audit == [
        "dossier.submitted",
        "dossier.accepted",
        "dossier.routed",
        "dossier.decided",
        "dossier.returned",
    ]


def test_a_transition_outside_the_machine_is_refused(office):
    dossier = submit(office)
    with pytest.raises(DossierError, match="cannot become"):
        services.decide(dossier=dossier, actor=office.leader, result="issued")
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


def test_only_a_post_that_approves_signs_the_decision(office):
    dossier = in_processing(office)
    with pytest.raises(DossierError, match="may not"):
        services.decide(dossier=dossier, actor=office.officer, result="issued")


def test_an_officer_outside_the_unit_cannot_accept(office):
    from tests.accounts_factories import make_official

    ward_officer = make_official(office.ward_a)
    dossier = submit(office)
    with pytest.raises(DossierError, match="may not"):
        services.accept_dossier(dossier=dossier, actor=ward_officer)


def test_a_hand_over_records_the_receiver(office):
    dossier = in_processing(office)
    services.assign(
        dossier=dossier, actor=office.officer, handler=office.second_officer, note="Đi thực địa"
    )

    line = HandOff.objects.filter(dossier=dossier).last()
    assert line.step == Step.HANDED_OVER
    assert line.receiver == office.second_officer
    assert (line.from_status, line.to_status) == (4, 4)
    dossier.refresh_from_db()
    assert dossier.handler == office.second_officer


def test_a_dossier_cannot_be_handed_to_someone_who_does_not_handle_it(office):
    dossier = in_processing(office)
    with pytest.raises(DossierError, match="does not handle"):
        services.assign(dossier=dossier, actor=office.officer, handler=office.citizen)


def test_the_applicant_may_withdraw_their_dossier(office):
    dossier = accepted(office)
    services.withdraw(dossier=dossier, actor=office.citizen, reason="Đổi thiết kế")
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN


def test_refusal_at_intake_needs_a_reason_and_ends_the_dossier(office):
    dossier = submit(office)
    with pytest.raises(DossierError, match="reason"):
        services.refuse_intake(dossier=dossier, actor=office.officer, reason=" ")
    services.refuse_intake(dossier=dossier, actor=office.officer, reason="Không thuộc thẩm quyền")
    dossier.refresh_from_db()
    assert dossier.status == Status.REFUSED
    with pytest.raises(DossierError):
        services.accept_dossier(dossier=dossier, actor=office.officer)


def test_fees_requested_then_paid_return_to_processing(office):
    dossier = in_processing(office)
    services.request_fees(dossier=dossier, actor=office.officer)
    services.record_payment(dossier=dossier, actor=office.officer)
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING


@pytest.mark.parametrize(
    "statement", ["UPDATE dossiers_handoff SET note = 'x'", "DELETE FROM dossiers_handoff"]
)
def test_the_control_sheet_refuses_updates_and_deletes_in_the_database(office, statement):
    submit(office)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement)


def test_the_control_sheet_refuses_a_second_save_of_a_line(office):
    line = HandOff.objects.filter(dossier=submit(office)).first()
    line.note = "changed"
    with pytest.raises(ValueError, match="append-only"):
        line.save()


def test_an_accepted_dossier_always_has_a_code(office):
    dossier = submit(office)
    from dossiers.models import Dossier

    with pytest.raises(IntegrityError), transaction.atomic():
        Dossier.objects.filter(pk=dossier.pk).update(status=Status.ACCEPTED)
