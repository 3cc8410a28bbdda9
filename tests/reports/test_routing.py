"""A report goes to the ward that contains it, or the district department its category names."""

import datetime as dt

import pytest
from django.utils import timezone

from reports.models import Report, Status
from reports.services import ReportError
from tests.accounts_factories import make_department
from tests.factories import make_unit, rect
from tests.reports.factories import IN_WARD_A, IN_WARD_B, ON_THE_BOUNDARY, OUTSIDE, file_report

pytestmark = pytest.mark.django_db


def test_report_inside_a_ward_goes_to_that_ward(district):
    report = file_report(IN_WARD_B)

    assert report.ward == district["ward_b"]
    assert report.unit == district["ward_b"]
    assert report.department is None
    assert report.status == Status.RECEIVED


def test_report_on_a_ward_boundary_goes_to_the_ward_with_the_lower_code(district):
    reports = [file_report(ON_THE_BOUNDARY) for _ in range(3)]

    assert {r.ward.code for r in reports} == {"26905"}


def test_report_outside_every_ward_is_refused(district):
    with pytest.raises(ReportError) as refused:
        file_report(OUTSIDE)

    assert refused.value.code == "outside"
    assert "outside every ward we serve" in refused.value.message
    assert Report.objects.count() == 0


def test_a_sanitation_report_goes_to_the_district_department_its_category_names(district):
    environment = make_department(district["district"], "TNMT", "Phòng Tài nguyên và Môi trường")

    report = file_report(IN_WARD_A, code="illegal-dumping")

    assert report.ward == district["ward_a"]
    assert report.unit == district["district"]
    assert report.department == environment


def test_without_that_department_the_report_stays_with_the_ward(district):
    report = file_report(IN_WARD_A, code="illegal-dumping")

    assert report.unit == district["ward_a"]
    assert report.department is None


def test_routing_uses_the_units_valid_on_the_reports_date(district):
    # Ward A was closed yesterday and a new ward took over its area.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ward_a = district["ward_a"]
    ward_a.valid_to = yesterday
    ward_a.save()
    successor = make_unit(
        "26999",
        "Phường Gia Định",
        geom=rect(106.68, 10.78, 106.70, 10.82),
        parent=district["city"],
        valid_from=yesterday + dt.timedelta(days=1),
    )

    report = file_report(IN_WARD_A)

    assert report.ward == successor


def test_the_due_date_counts_working_days_without_vietnamese_holidays():
    from reports.services import due_date

    # Tuesday 29 April 2025: 30 April, 1 and 2 May are days off, then a weekend.
    assert due_date(dt.date(2025, 4, 29), 1) == dt.date(2025, 5, 5)


def test_a_new_report_is_due_after_its_categorys_target_working_days(district):
    from reports.services import due_date

    report = file_report(IN_WARD_A, code="encroachment")

    assert report.due_date == due_date(timezone.localdate(), 3)
