"""Anyone with the tracking code follows a report: status, timeline, public updates only."""

import pytest
from django.urls import reverse

from reports.services import verify_report
from tests.accounts_factories import make_official
from tests.reports.factories import IN_WARD_A, file_report, jpeg_bytes

pytestmark = pytest.mark.django_db

PERSONAL = {
    "reporter_name": "Nguyễn Văn Dân",
    "reporter_email": "dan.nguyen@example.vn",
    "reporter_phone": "0901234567",
}


def test_the_tracking_page_shows_the_timeline_without_personal_data(client, district):
    report = file_report(IN_WARD_A, photos=[jpeg_bytes()], **PERSONAL)
    verify_report(
        report=report, actor=make_official(district["ward_a"]), public_note="Đã kiểm tra."
    )

    page = client.get(reverse("reports:track", kwargs={"code": report.tracking_code}))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Verified" in html and "Đã kiểm tra." in html
    assert "Phường 13" in html
    for value in PERSONAL.values():
        assert value not in html


def test_the_tracking_page_takes_a_fixed_number_of_queries(
    client, district, django_assert_num_queries
):
    report = file_report(IN_WARD_A, photos=[jpeg_bytes(), jpeg_bytes()])
    url = reverse("reports:track", kwargs={"code": report.tracking_code})

    # The report with its relations, its photos, its events.
    with django_assert_num_queries(3):
        client.get(url)


def test_a_code_is_found_typed_in_lower_case_without_its_dash(client, district):
    report = file_report(IN_WARD_A)
    typed = report.tracking_code.replace("-", "").lower()

    answer = client.get(reverse("reports:find"), {"code": typed})

    assert answer.status_code == 302
    assert answer["Location"] == reverse("reports:track", kwargs={"code": report.tracking_code})


def test_an_unknown_code_is_a_404_with_a_message(client, district):
    answer = client.get(reverse("reports:find"), {"code": "ZZZZ-ZZZZ"})

    assert answer.status_code == 404
    assert "No report has the code ZZZZ-ZZZZ." in answer.content.decode()
    assert client.get("/reports/ZZZZ-ZZZZ/").status_code == 404


def test_me_too_from_the_tracking_page_counts_once_per_device(client, district):
    report = file_report(IN_WARD_A)
    url = reverse("reports:me-too", kwargs={"code": report.tracking_code})

    client.post(url)
    client.post(url)

    report.refresh_from_db()
    assert report.confirmations == 1


def test_photos_are_served_without_metadata(client, district):
    report = file_report(IN_WARD_A, photos=[jpeg_bytes(gps=True)])
    photo = report.photos.get()

    answer = client.get(reverse("reports:photo", kwargs={"pk": photo.pk, "size": "full"}))

    body = b"".join(answer.streaming_content)
    assert answer["Content-Type"] == "image/jpeg"
    assert b"Exif" not in body
