"""Rate limits keep a flood out without blocking a street of honest reporters."""

import pytest

from reports.models import Report
from reports.services import ReportError
from tests.reports.factories import IN_WARD_A, file_report

pytestmark = pytest.mark.django_db


def test_one_device_is_stopped_after_its_limit(district, settings):
    settings.REPORTS_RATE_LIMITS = {"device": [(600, 3)], "ip": [(3600, 100)]}
    for _ in range(3):
        file_report(IN_WARD_A, device_id="phone-1", ip="203.0.113.5")

    with pytest.raises(ReportError) as refused:
        file_report(IN_WARD_A, device_id="phone-1", ip="203.0.113.5")

    assert refused.value.code == "rate_limited"
    assert Report.objects.count() == 3


def test_many_phones_behind_one_address_all_get_through(district, settings):
    settings.REPORTS_RATE_LIMITS = {"device": [(600, 3)], "ip": [(3600, 100)]}

    for n in range(30):
        file_report(IN_WARD_A, device_id=f"phone-{n}", ip="203.0.113.5")

    assert Report.objects.count() == 30


def test_a_flood_from_one_address_is_stopped_even_with_new_device_ids(district, settings):
    settings.REPORTS_RATE_LIMITS = {"device": [(600, 3)], "ip": [(3600, 10)]}
    for n in range(10):
        file_report(IN_WARD_A, device_id=f"bot-{n}", ip="198.51.100.7")

    with pytest.raises(ReportError):
        file_report(IN_WARD_A, device_id="bot-new", ip="198.51.100.7")
    file_report(IN_WARD_A, device_id="phone-x", ip="203.0.113.9")  # others are not affected


def test_a_retry_with_its_idempotency_key_is_not_counted(district, settings):
    settings.REPORTS_RATE_LIMITS = {"device": [(600, 1)], "ip": [(3600, 100)]}
    file_report(IN_WARD_A, description="Một", device_id="phone-1", idempotency_key="retry-key-1")

    again = file_report(
        IN_WARD_A, description="Một", device_id="phone-1", idempotency_key="retry-key-1"
    )

    assert again.replayed
