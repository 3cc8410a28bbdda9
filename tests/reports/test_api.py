"""The phone's JSON API: file with an idempotency key, see duplicates, follow, say "me too"."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.models import Report
from tests.reports.factories import IN_WARD_A, OUTSIDE, category, file_report, jpeg_bytes

pytestmark = pytest.mark.django_db


def new_report(client, key="3f1c9a52-0d55-4b7e-8f43-2a9b6c1d0e77", **fields):
    category()
    data = {
        "category": "illegal-construction",
        "lon": IN_WARD_A.x,
        "lat": IN_WARD_A.y,
        "description": "Lấn chiếm vỉa hè để kinh doanh",
        "reporter_email": "dan@example.vn",
        **fields,
    }
    headers = {"Idempotency-Key": key, "X-Device-Id": "phone-42"} if key else {}
    return client.post("/api/reports/", data, headers=headers)


def test_a_phone_files_a_report_and_gets_its_code(client, district):
    answer = new_report(
        client, photos=[SimpleUploadedFile("a.jpg", jpeg_bytes(gps=True), "image/jpeg")]
    )

    assert answer.status_code == 201
    body = answer.json()
    report = Report.objects.get()
    assert body["code"] == report.tracking_code
    assert body["status"] == "received"
    assert body["ward"] == {"code": "26905", "name": "Phường 13"}
    assert len(body["photos"]) == 1
    assert "dan@example.vn" not in answer.content.decode()


def test_a_retry_after_a_timeout_gets_the_same_report(client, district):
    first = new_report(client)
    again = new_report(client)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["code"] == again.json()["code"]
    assert Report.objects.count() == 1


def test_a_place_outside_is_a_400_with_the_message(client, district):
    answer = new_report(client, lon=OUTSIDE.x, lat=OUTSIDE.y)

    assert answer.status_code == 400
    assert answer.json()["code"] == "outside"
    assert "outside every ward" in answer.json()["error"]


def test_a_non_image_is_a_400(client, district):
    answer = new_report(client, photos=[SimpleUploadedFile("x.png", b"<svg/>", "image/png")])

    assert answer.status_code == 400
    assert answer.json()["field"] == "photos"


def test_missing_fields_are_a_400_naming_the_field(client, district):
    answer = new_report(client, description="")

    assert answer.status_code == 400
    assert answer.json()["error"].startswith("description")


def test_the_nearby_reports_are_offered_before_filing(client, district):
    near = file_report(IN_WARD_A)

    answer = client.get(
        "/api/reports/nearby/",
        {"lon": IN_WARD_A.x, "lat": IN_WARD_A.y, "category": "illegal-construction"},
    )

    assert answer.status_code == 200
    assert [r["code"] for r in answer.json()] == [near.tracking_code]
    assert answer.json()[0]["distance_m"] == 0


def test_me_too_through_the_api(client, district):
    report = file_report(IN_WARD_A)

    answer = client.post(
        f"/api/reports/{report.tracking_code}/me-too/", headers={"X-Device-Id": "phone-7"}
    )

    assert answer.json() == {"counted": True, "confirmations": 1}


def test_a_report_is_read_back_by_its_code(client, district):
    report = file_report(IN_WARD_A, reporter_phone="0901234567")

    body = client.get(f"/api/reports/{report.tracking_code}/").json()

    assert body["code"] == report.tracking_code
    assert [step["kind"] for step in body["timeline"]] == ["submitted"]
    assert "0901234567" not in str(body)


def test_the_active_categories_are_listed(client, district):
    category("noise")
    category("wastewater", active=False)

    listed = {c["code"]: c for c in client.get("/api/reports/categories/").json()}

    assert "noise" in listed and "wastewater" not in listed
    assert listed["noise"]["name"] == "Noise"
    assert listed["noise"]["target_days"] == 3


def test_the_api_is_documented_in_the_schema(client):
    schema = client.get("/api/schema/").content.decode()

    for path in ("/api/reports/", "/api/reports/nearby/", "/api/reports/{code}/me-too/"):
        assert path in schema
    assert "Idempotency-Key" in schema
