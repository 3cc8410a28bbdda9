"""A citizen files a report from the web page (phone first)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import Report
from tests.reports.factories import IN_WARD_A, OUTSIDE, category, jpeg_bytes

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    category()
    data = {
        "category": "illegal-construction",
        "lon": IN_WARD_A.x,
        "lat": IN_WARD_A.y,
        "description": "Công trình xây thêm tầng 4 không phép",
        "idempotency_key": "web-form-key-0001",
    }
    data.update(overrides)
    return data


def test_the_filing_page_offers_the_categories_and_a_local_map(client, district):
    category()

    page = client.get(reverse("reports:new"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Illegal or unpermitted construction" in html
    assert "spatial/vendor/leaflet/leaflet.js" in html
    assert "report-map-config" in html
    assert 'name="idempotency_key"' in html
    assert "report_device" in page.cookies


@pytest.mark.parametrize("side", [None, 2048])
def test_the_page_tells_the_phone_the_size_photos_are_stored_at(client, district, settings, side):
    if side:
        settings.REPORTS_PHOTO_SIDE = side

    page = client.get(reverse("reports:new"))

    assert page.context["map_config"]["photo_side"] == (side or 1280)
    assert f'"photo_side": {side or 1280}' in page.content.decode()


def test_a_report_filed_with_a_photo_leads_to_its_tracking_page(client, district):
    photo = SimpleUploadedFile("IMG_0001.jpg", jpeg_bytes(gps=True), content_type="image/jpeg")

    answer = client.post(reverse("reports:new"), form_data(photos=[photo]))

    report = Report.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/reports/{report.tracking_code}/"
    assert report.photos.count() == 1
    assert report.ward == district["ward_a"]
    page = client.get(answer["Location"])
    assert report.tracking_code in page.content.decode()


def test_sending_the_form_twice_files_one_report(client, district):
    client.post(reverse("reports:new"), form_data())
    client.post(reverse("reports:new"), form_data())

    assert Report.objects.count() == 1


def test_a_place_outside_every_ward_is_refused_with_a_clear_message(client, district):
    answer = client.post(reverse("reports:new"), form_data(lon=OUTSIDE.x, lat=OUTSIDE.y))

    assert answer.status_code == 400
    assert "outside every ward we serve" in answer.content.decode()
    assert Report.objects.count() == 0


def test_a_non_image_upload_is_refused_with_a_clear_message(client, district):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 an executable", content_type="image/jpeg")

    answer = client.post(reverse("reports:new"), form_data(photos=[fake]))

    assert answer.status_code == 400
    assert "Only JPEG, PNG or WebP photos are accepted." in answer.content.decode()
    assert Report.objects.count() == 0


def test_a_report_without_a_place_asks_for_one(client, district):
    data = form_data()
    del data["lon"], data["lat"]

    answer = client.post(reverse("reports:new"), data)

    assert answer.status_code == 400
    assert "Choose the place on the map." in answer.content.decode()
