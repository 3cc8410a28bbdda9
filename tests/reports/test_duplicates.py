"""Before filing, a reporter sees open reports of the same category nearby and can say "me too"."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from reports.models import Confirmation, Report, ReportEvent, Status
from reports.services import ReportError, confirm_me_too, nearby_open_duplicates
from tests.reports.factories import IN_WARD_A, category, file_report

pytestmark = pytest.mark.django_db

# About 30 m and 80 m north of IN_WARD_A (1e-5 degree of latitude is 1.1 m).
THIRTY_M_AWAY = Point(IN_WARD_A.x, IN_WARD_A.y + 0.00027, srid=4326)
EIGHTY_M_AWAY = Point(IN_WARD_A.x, IN_WARD_A.y + 0.00072, srid=4326)


def test_an_open_report_of_the_same_category_within_50_m_is_suggested(district):
    near = file_report(THIRTY_M_AWAY)
    file_report(EIGHTY_M_AWAY)
    file_report(THIRTY_M_AWAY, code="noise")

    found = nearby_open_duplicates(category=category(), location=IN_WARD_A)

    assert [r.pk for r in found] == [near.pk]
    assert 25 < found[0].distance.m < 35


def test_the_radius_is_set_per_category(district):
    far = file_report(EIGHTY_M_AWAY)
    wide = category(duplicate_radius_m=100)

    found = nearby_open_duplicates(category=wide, location=IN_WARD_A)

    assert [r.pk for r in found] == [far.pk]


def test_closed_and_old_reports_are_not_suggested(district):
    closed = file_report(THIRTY_M_AWAY)
    Report.objects.filter(pk=closed.pk).update(status=Status.RESOLVED)
    file_report(THIRTY_M_AWAY, now=timezone.now() - dt.timedelta(days=31))

    assert nearby_open_duplicates(category=category(), location=IN_WARD_A) == []


def test_me_too_counts_each_person_once(district):
    report = file_report(IN_WARD_A)

    assert confirm_me_too(report=report, device_id="phone-1") is True
    assert confirm_me_too(report=report, device_id="phone-1") is False
    assert confirm_me_too(report=report, device_id="phone-2") is True

    report.refresh_from_db()
    assert report.confirmations == 2
    assert Confirmation.objects.filter(report=report).count() == 2
    assert ReportEvent.objects.filter(report=report, kind="confirmed").count() == 2
    assert not Confirmation.objects.filter(device_key__contains="phone").exists()


def test_a_closed_report_cannot_be_confirmed(district):
    report = file_report(IN_WARD_A)
    Report.objects.filter(pk=report.pk).update(status=Status.REJECTED)

    with pytest.raises(ReportError):
        confirm_me_too(report=report, device_id="phone-1")
