"""The workflow: received → verified → assigned → in progress → resolved | rejected | merged,
with an append-only history, an audit row per step and a mail to the reporter."""

import pytest
from django.core import mail
from django.db import DatabaseError, transaction

from reports.models import EventKind, Report, ReportEvent, Status
from reports.services import (
    ReportError,
    assign_report,
    merge_report,
    reject_report,
    resolve_report,
    start_work,
    verify_report,
)
from tests.accounts_factories import make_official
from tests.reports.factories import IN_WARD_A, file_report, jpeg_bytes
from urbanmgmt.models import AuditEntry, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward_a_staff(district):
    return {
        "officer": make_official(district["ward_a"], Role.OFFICER),
        "head": make_official(district["ward_a"], Role.HEAD),
    }


def test_the_full_workflow_leaves_its_history_and_audit_trail(district, ward_a_staff):
    officer, head = ward_a_staff["officer"], ward_a_staff["head"]
    report = file_report(IN_WARD_A, reporter_email="dan@example.vn")

    verify_report(report=report, actor=officer, public_note="Đã xác minh tại chỗ.")
    assign_report(report=report, actor=head, assignee=officer)
    start_work(report=report, actor=officer)
    resolve_report(
        report=report, actor=officer, photo=jpeg_bytes(gps=True), public_note="Đã tháo dỡ."
    )

    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert report.assignee == officer
    assert report.closed_at is not None
    assert report.photos.filter(kind="after").count() == 1
    steps = list(report.events.values_list("kind", "from_status", "to_status"))
    assert steps == [
        (EventKind.SUBMITTED, "", "received"),
        (EventKind.STATUS, "received", "verified"),
        (EventKind.STATUS, "verified", "assigned"),
        (EventKind.STATUS, "assigned", "in_progress"),
        (EventKind.STATUS, "in_progress", "resolved"),
    ]
    audit = list(
        AuditEntry.objects.filter(object_type="reports.report", object_id=str(report.pk))
        .order_by("id")
        .values_list("action", "actor_id")
    )
    assert audit == [
        ("report.submit", None),
        ("report.verify", officer.pk),
        ("report.assign", head.pk),
        ("report.start", officer.pk),
        ("report.resolve", officer.pk),
    ]
    assert AuditEntry.objects.filter(action="report.verify").get().post.unit == district["ward_a"]


def test_the_reporter_is_mailed_at_each_status_change(
    district, ward_a_staff, django_capture_on_commit_callbacks
):
    report = file_report(IN_WARD_A, reporter_email="dan@example.vn")

    with django_capture_on_commit_callbacks(execute=True):
        verify_report(report=report, actor=ward_a_staff["officer"], public_note="Đã xác minh.")
    with django_capture_on_commit_callbacks(execute=True):
        reject_report(report=report, actor=ward_a_staff["officer"], reason="Đã có giấy phép.")

    assert [m.to for m in mail.outbox] == [["dan@example.vn"], ["dan@example.vn"]]
    assert report.tracking_code in mail.outbox[0].subject
    assert "Đã có giấy phép." in mail.outbox[1].body
    assert f"/reports/{report.tracking_code}/" in mail.outbox[1].body


def test_resolving_needs_an_after_photo(district, ward_a_staff):
    report = file_report(IN_WARD_A)
    Report.objects.filter(pk=report.pk).update(status=Status.IN_PROGRESS)

    with pytest.raises(ReportError):
        resolve_report(report=report, actor=ward_a_staff["officer"], photo=b"")
    with pytest.raises(ReportError):
        resolve_report(report=report, actor=ward_a_staff["officer"], photo=b"not a photo")
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS


def test_rejecting_needs_a_reason_which_the_public_sees(district, ward_a_staff):
    report = file_report(IN_WARD_A)

    with pytest.raises(ReportError):
        reject_report(report=report, actor=ward_a_staff["officer"], reason="  ")
    reject_report(report=report, actor=ward_a_staff["officer"], reason="Không phải vi phạm.")

    event = report.events.last()
    assert (event.to_status, event.public_note) == ("rejected", "Không phải vi phạm.")


def test_steps_cannot_be_skipped(district, ward_a_staff):
    report = file_report(IN_WARD_A)

    with pytest.raises(ReportError) as refused:
        start_work(report=report, actor=ward_a_staff["officer"])

    assert refused.value.code == "not_allowed"


def test_an_officer_cannot_assign_but_a_head_can(district, ward_a_staff):
    report = file_report(IN_WARD_A)
    verify_report(report=report, actor=ward_a_staff["officer"])

    with pytest.raises(ReportError) as refused:
        assign_report(
            report=report, actor=ward_a_staff["officer"], assignee=ward_a_staff["officer"]
        )

    assert refused.value.code == "forbidden"


def test_a_report_is_only_assigned_to_someone_who_may_handle_it(district, ward_a_staff):
    report = file_report(IN_WARD_A)
    verify_report(report=report, actor=ward_a_staff["officer"])
    ward_b_officer = make_official(district["ward_b"])

    with pytest.raises(ReportError):
        assign_report(report=report, actor=ward_a_staff["head"], assignee=ward_b_officer)


def test_merging_closes_the_duplicate_and_counts_it_on_the_original(district, ward_a_staff):
    original = file_report(IN_WARD_A)
    duplicate = file_report(IN_WARD_A)

    merge_report(report=duplicate, actor=ward_a_staff["officer"], into=original)

    duplicate.refresh_from_db()
    original.refresh_from_db()
    assert duplicate.status == Status.MERGED
    assert duplicate.duplicate_of == original
    assert original.confirmations == 1
    assert original.tracking_code in duplicate.events.last().public_note


def test_a_closed_report_stays_closed(district, ward_a_staff):
    report = file_report(IN_WARD_A)
    reject_report(report=report, actor=ward_a_staff["officer"], reason="Trùng.")

    with pytest.raises(ReportError):
        verify_report(report=report, actor=ward_a_staff["officer"])


def test_the_history_cannot_be_changed_even_in_the_database(district):
    event = file_report(IN_WARD_A).events.get()

    with pytest.raises(DatabaseError), transaction.atomic():
        ReportEvent.objects.filter(pk=event.pk).update(public_note="sửa lịch sử")
    with pytest.raises(DatabaseError), transaction.atomic():
        ReportEvent.objects.filter(pk=event.pk).delete()
