"""An official of ward A cannot see or change a report of ward B; personal data stays with
the officials who handle the report."""

import pytest
from django.urls import reverse

from reports.models import Status
from tests.accounts_factories import make_citizen, make_department, make_official
from tests.reports.factories import IN_WARD_A, IN_WARD_B, file_report
from urbanmgmt.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_wards(district):
    return {
        "report_a": file_report(IN_WARD_A, reporter_name="Lê Văn A", reporter_phone="0901111111"),
        "report_b": file_report(IN_WARD_B, reporter_name="Phạm Thị B", reporter_phone="0902222222"),
        "official_a": make_official(district["ward_a"]),
        "official_b": make_official(district["ward_b"]),
    }


def test_the_queue_lists_only_the_officials_own_reports(client, two_wards):
    client.force_login(two_wards["official_a"])

    page = client.get(reverse("reports:queue"))

    assert [r.pk for r in page.context["reports"]] == [two_wards["report_a"].pk]
    points = client.get(reverse("reports:queue-points")).json()
    assert [f["properties"]["code"] for f in points["features"]] == [
        two_wards["report_a"].tracking_code
    ]


def test_an_official_of_ward_a_cannot_see_a_report_of_ward_b(client, two_wards):
    client.force_login(two_wards["official_a"])
    code_b = two_wards["report_b"].tracking_code

    assert client.get(reverse("reports:review", kwargs={"code": code_b})).status_code == 404


def test_an_official_of_ward_a_cannot_change_a_report_of_ward_b(client, two_wards):
    client.force_login(two_wards["official_a"])
    report_b = two_wards["report_b"]

    for action, data in [
        ("verify", {}),
        ("reject", {"reason": "Không phải của tôi"}),
        ("hand-on", {"unit": "26905", "reason": "Lấy về"}),
    ]:
        url = reverse("reports:act", kwargs={"code": report_b.tracking_code, "action": action})
        assert client.post(url, data).status_code == 404

    report_b.refresh_from_db()
    assert report_b.status == Status.RECEIVED
    assert report_b.events.count() == 1


def test_the_handling_official_sees_the_reporters_details(client, two_wards):
    client.force_login(two_wards["official_a"])

    page = client.get(
        reverse("reports:review", kwargs={"code": two_wards["report_a"].tracking_code})
    )

    assert page.status_code == 200
    assert "Lê Văn A" in page.content.decode() and "0901111111" in page.content.decode()


def test_a_district_department_sees_only_its_own_reports_and_the_ward_not_them(client, district):
    environment = make_department(district["district"], "TNMT", "Phòng Tài nguyên và Môi trường")
    dumping = file_report(IN_WARD_A, code="illegal-dumping")
    building = file_report(IN_WARD_A)
    department_officer = make_official(district["district"], department=environment)
    ward_officer = make_official(district["ward_a"])

    client.force_login(department_officer)
    assert [r.pk for r in client.get(reverse("reports:queue")).context["reports"]] == [dumping.pk]
    client.force_login(ward_officer)
    assert [r.pk for r in client.get(reverse("reports:queue")).context["reports"]] == [building.pk]


def test_a_district_leader_sees_every_ward(client, district, two_wards):
    leader = make_official(district["district"], Role.LEADER)
    client.force_login(leader)

    listed = {r.pk for r in client.get(reverse("reports:queue")).context["reports"]}

    assert listed == {two_wards["report_a"].pk, two_wards["report_b"].pk}


def test_a_citizen_gets_no_queue(client, two_wards):
    client.force_login(make_citizen())

    assert client.get(reverse("reports:queue")).status_code == 404
    assert client.get(reverse("reports:queue-points")).status_code == 404
    code = two_wards["report_a"].tracking_code
    assert client.get(reverse("reports:review", kwargs={"code": code})).status_code == 404


def test_an_anonymous_visitor_is_asked_to_sign_in(client, two_wards):
    answer = client.get(reverse("reports:queue"))

    assert answer.status_code == 302
    assert "login" in answer["Location"]
