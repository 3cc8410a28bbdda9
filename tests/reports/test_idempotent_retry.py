"""A phone that retries after a timeout never creates two reports."""

import pytest

from reports.models import Report, ReportEvent
from reports.services import ReportError
from tests.reports.factories import IN_WARD_A, file_report, jpeg_bytes

pytestmark = pytest.mark.django_db


def test_a_retry_with_the_same_key_gets_the_same_report(district):
    first = file_report(
        IN_WARD_A,
        description="Rác đổ bên lề đường",
        idempotency_key="0b8e5f8a-1c51-4a63-9f0e-4e1d3c2b1a00",
        photos=[jpeg_bytes()],
    )
    again = file_report(
        IN_WARD_A,
        description="Rác đổ bên lề đường",
        idempotency_key="0b8e5f8a-1c51-4a63-9f0e-4e1d3c2b1a00",
        photos=[jpeg_bytes()],
    )

    assert again.pk == first.pk
    assert again.replayed and not first.replayed
    assert Report.objects.count() == 1
    assert first.photos.count() == 1
    assert ReportEvent.objects.filter(report=first).count() == 1


def test_the_same_key_for_another_report_is_refused(district):
    file_report(IN_WARD_A, description="Một", idempotency_key="key-0000001")

    with pytest.raises(ReportError) as refused:
        file_report(IN_WARD_A, description="Hai", idempotency_key="key-0000001")

    assert refused.value.code == "conflict"
    assert Report.objects.count() == 1


def test_without_a_key_two_submissions_are_two_reports(district):
    file_report(IN_WARD_A, description="Giống nhau")
    file_report(IN_WARD_A, description="Giống nhau")

    assert Report.objects.count() == 2


def test_a_malformed_key_is_refused(district):
    with pytest.raises(ReportError) as refused:
        file_report(IN_WARD_A, idempotency_key="short")

    assert refused.value.field == "idempotency_key"
