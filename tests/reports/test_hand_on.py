"""A report that landed wrongly is handed on to another unit, with the reason in its history."""

import pytest

from reports.models import EventKind, Status
from reports.services import ReportError, assign_report, hand_on, verify_report
from tests.accounts_factories import make_department, make_official
from tests.reports.factories import ON_THE_BOUNDARY, file_report
from urbanmgmt import policy
from urbanmgmt.models import AuditEntry, Role

pytestmark = pytest.mark.django_db


def test_a_boundary_report_is_handed_on_to_the_neighbouring_ward(district):
    ward_a, ward_b = district["ward_a"], district["ward_b"]
    officer_a = make_official(ward_a)
    officer_b = make_official(ward_b)
    report = file_report(ON_THE_BOUNDARY)
    assert report.unit == ward_a

    hand_on(
        report=report,
        actor=officer_a,
        to_unit=ward_b,
        reason="Vỉa hè phía đông thuộc Phường 11.",
    )

    report.refresh_from_db()
    assert report.unit == ward_b
    assert report.ward == ward_a  # where it lies does not change
    event = report.events.last()
    assert event.kind == EventKind.HANDED_ON
    assert (event.from_unit, event.to_unit) == (ward_a, ward_b)
    assert event.reason == "Vỉa hè phía đông thuộc Phường 11."
    assert AuditEntry.objects.filter(action="report.hand_on", unit=ward_a).exists()
    # Now ward B handles it, and ward A no longer can.
    assert policy.can(officer_b, policy.Action.HANDLE, report.unit_id, report.department_id)
    assert not policy.can(officer_a, policy.Action.HANDLE, report.unit_id, report.department_id)
    with pytest.raises(ReportError):
        verify_report(report=report, actor=officer_a)
    verify_report(report=report, actor=officer_b)


def test_handing_on_needs_a_reason(district):
    officer_a = make_official(district["ward_a"])
    report = file_report(ON_THE_BOUNDARY)

    with pytest.raises(ReportError):
        hand_on(report=report, actor=officer_a, to_unit=district["ward_b"], reason="")


def test_an_assigned_report_handed_on_goes_back_to_verified_without_assignee(district):
    officer = make_official(district["ward_a"])
    head = make_official(district["ward_a"], Role.HEAD)
    report = file_report(ON_THE_BOUNDARY)
    verify_report(report=report, actor=officer)
    assign_report(report=report, actor=head, assignee=officer)

    hand_on(report=report, actor=officer, to_unit=district["ward_b"], reason="Sai phường.")

    report.refresh_from_db()
    assert (report.status, report.assignee) == (Status.VERIFIED, None)


def test_a_report_can_go_to_a_district_department(district):
    officer = make_official(district["ward_a"])
    environment = make_department(district["district"], "TNMT", "Phòng Tài nguyên và Môi trường")
    report = file_report(ON_THE_BOUNDARY)

    hand_on(
        report=report,
        actor=officer,
        to_unit=district["district"],
        to_department=environment,
        reason="Nước thải: thuộc phòng TNMT.",
    )

    report.refresh_from_db()
    assert (report.unit, report.department) == (district["district"], environment)
    department_officer = make_official(district["district"], department=environment)
    assert policy.can(
        department_officer, policy.Action.HANDLE, report.unit_id, report.department_id
    )
