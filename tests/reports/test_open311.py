"""Open311 GeoReport v2: discovery, services, requests (GET and POST), in JSON and XML."""

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from reports.models import Report, Source
from reports.services import reject_report, verify_report
from tests.accounts_factories import make_citizen, make_official
from tests.factories import make_parcel
from tests.reports import open311_schema as schema
from tests.reports.factories import IN_WARD_A, IN_WARD_B, OUTSIDE, category, file_report, jpeg_bytes

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "open311"


def validate(instance, against):
    jsonschema.validate(instance, against, cls=jsonschema.Draft202012Validator)


def validate_shared(instance, name):
    """Against the published GeoReport v2 schema, where ../shared/open311 is present."""
    if not SHARED.exists():
        return
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    registry = Registry().with_resources(
        (p.name, Resource.from_contents(json.loads(p.read_text()), default_specification=DRAFT7))
        for p in SHARED.glob("*.json")
    )
    top = json.loads((SHARED / name).read_text())
    jsonschema.Draft7Validator(top, registry=registry).validate(instance)


@pytest.fixture
def api_key(district):
    return Token.objects.create(user=make_citizen("partner-app")).key


def test_discovery_names_the_endpoint_and_both_formats(client):
    body = client.get(f"{BASE}/discovery.json").json()

    validate(body, schema.DISCOVERY)
    assert body["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    xml = ET.fromstring(client.get(f"{BASE}/discovery.xml").content)
    assert xml.tag == "discovery"
    assert [f.text for f in xml.iter("format")] == ["text/xml", "application/json"]


def test_services_are_the_active_categories(client, district):
    category("noise")
    category("wastewater", active=False)

    body = client.get(f"{BASE}/services.json").json()

    validate(body, schema.SERVICES)
    validate_shared(body, "services.json")
    codes = [s["service_code"] for s in body]
    assert "noise" in codes and "wastewater" not in codes
    xml = ET.fromstring(client.get(f"{BASE}/services.xml").content)
    assert xml.tag == "services"
    assert "noise" in [s.findtext("service_code") for s in xml.findall("service")]
    assert xml.find("service/metadata").text == "false"


def test_a_service_definition_and_an_unknown_service(client, district):
    category("noise")

    validate(client.get(f"{BASE}/services/noise.json").json(), schema.SERVICE_DEFINITION)
    missing = client.get(f"{BASE}/services/nothing.json")
    assert missing.status_code == 404
    validate(missing.json(), schema.ERRORS)


def test_requests_are_listed_with_the_specifications_fields(client, district):
    officer = make_official(district["ward_a"])
    report = file_report(IN_WARD_A, photos=[jpeg_bytes()], reporter_email="dan@example.vn")
    verify_report(report=report, actor=officer, public_note="Đã xác minh.")
    file_report(IN_WARD_B, code="noise")

    answer = client.get(f"{BASE}/requests.json")

    body = answer.json()
    validate(body, schema.REQUESTS)
    validate_shared(body, "requests.json")
    first = next(r for r in body if r["service_request_id"] == report.tracking_code)
    assert first["status"] == "open"
    assert first["status_notes"] == "Đã xác minh."
    assert first["requested_datetime"].endswith("+07:00")
    assert first["media_url"].startswith("http://testserver/reports/photos/")
    assert "dan@example.vn" not in answer.content.decode()


def test_requests_are_filtered_by_id_code_status_and_dates(client, district):
    officer = make_official(district["ward_a"])
    a = file_report(IN_WARD_A)
    b = file_report(IN_WARD_B, code="noise")
    closed = file_report(IN_WARD_A)
    verify_report(report=closed, actor=officer)
    Report.objects.filter(pk=closed.pk).update(status="resolved")

    def ids(**params):
        body = client.get(f"{BASE}/requests.json", params).json()
        return {r["service_request_id"] for r in body}

    assert ids(service_request_id=f"{a.tracking_code},{b.tracking_code}") == {
        a.tracking_code,
        b.tracking_code,
    }
    assert ids(service_code="noise") == {b.tracking_code}
    assert ids(status="closed") == {closed.tracking_code}
    assert ids(start_date="2000-01-01T00:00:00Z", end_date="2000-02-01T00:00:00Z") == set()


@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending"},
        {"start_date": "yesterday"},
        {"start_date": "2026-01-01T00:00:00+07:00", "end_date": "2026-06-01T00:00:00+07:00"},
    ],
)
def test_bad_request_filters_are_a_400_in_the_errors_format(client, district, params):
    answer = client.get(f"{BASE}/requests.json", params)

    assert answer.status_code == 400
    validate(answer.json(), schema.ERRORS)
    assert answer.json()[0]["code"] == 400


def test_one_request_by_its_id_and_an_unknown_id(client, district):
    report = file_report(IN_WARD_A)

    body = client.get(f"{BASE}/requests/{report.tracking_code}.json").json()
    validate(body, schema.REQUESTS)
    assert body[0]["service_request_id"] == report.tracking_code
    xml = ET.fromstring(client.get(f"{BASE}/requests/{report.tracking_code}.xml").content)
    assert xml.tag == "service_requests"
    assert xml.findtext("request/service_request_id") == report.tracking_code
    missing = client.get(f"{BASE}/requests/ZZZZ-ZZZZ.xml")
    assert missing.status_code == 404
    assert ET.fromstring(missing.content).findtext("error/code") == "404"


def test_rejected_reports_are_not_published(client, district):
    report = file_report(IN_WARD_A)
    reject_report(report=report, actor=make_official(district["ward_a"]), reason="Spam")

    assert client.get(f"{BASE}/requests/{report.tracking_code}.json").status_code == 404


def test_posting_a_request_needs_a_valid_api_key(client, district):
    category("noise")
    data = {"service_code": "noise", "lat": IN_WARD_A.y, "long": IN_WARD_A.x, "description": "Ồn"}

    assert client.post(f"{BASE}/requests.json", data).status_code == 403
    answer = client.post(f"{BASE}/requests.xml", {**data, "api_key": "wrong"})
    assert answer.status_code == 403
    assert ET.fromstring(answer.content).findtext("error/code") == "403"
    assert Report.objects.count() == 0


def test_a_posted_request_is_filed_and_read_back(client, district, api_key):
    category("noise")

    answer = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": api_key,
            "service_code": "noise",
            "lat": IN_WARD_A.y,
            "long": IN_WARD_A.x,
            "description": "Karaoke đến 2 giờ sáng",
            "first_name": "Văn",
            "last_name": "Dân",
            "email": "dan@example.vn",
            "media": SimpleUploadedFile("m.jpg", jpeg_bytes(gps=True), content_type="image/jpeg"),
        },
    )

    assert answer.status_code == 201
    validate(answer.json(), schema.POSTED)
    code = answer.json()[0]["service_request_id"]
    report = Report.objects.get(tracking_code=code)
    assert (report.source, report.reporter_name, report.photos.count()) == (
        Source.OPEN311,
        "Văn Dân",
        1,
    )
    back = client.get(f"{BASE}/requests/{code}.json").json()[0]
    assert back["description"] == "Karaoke đến 2 giờ sáng"
    assert "Dân" not in json.dumps(back, ensure_ascii=False)


def test_a_request_can_be_placed_by_address(client, district, api_key):
    category("noise")
    make_parcel(district["ward_b"], address="12/3 Hẻm 45 Điện Biên Phủ, Phường 11")

    answer = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": api_key,
            "service_code": "noise",
            "address_string": "12/3 hem 45 dien bien phu",
            "description": "Ồn",
        },
    )

    assert answer.status_code == 201
    report = Report.objects.get()
    assert report.ward == district["ward_b"]
    assert report.address == "12/3 hem 45 dien bien phu"


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"service_code": "nothing"}, 404),
        ({"service_code": ""}, 400),
        ({"lat": OUTSIDE.y, "long": OUTSIDE.x}, 400),
        ({"lat": "north", "long": "east"}, 400),
        ({"lat": "", "long": "", "address_string": "không có địa chỉ này"}, 400),
        ({"media_url": "ftp://example.com/a.jpg"}, 400),
    ],
)
def test_bad_posts_are_refused_in_the_errors_format(client, district, api_key, fields, status):
    category("noise")
    data = {
        "api_key": api_key,
        "service_code": "noise",
        "lat": IN_WARD_A.y,
        "long": IN_WARD_A.x,
        "description": "Ồn",
        **fields,
    }

    answer = client.post(f"{BASE}/requests.json", data)

    assert answer.status_code == status
    validate(answer.json(), schema.ERRORS)
    assert Report.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_georeport_client_reads_our_answers_in_json_and_xml(live_server, settings):
    from georeport import GeoReport

    from tests.factories import make_district

    make_district()
    report = file_report(IN_WARD_A, code="noise")
    root = f"{live_server.url}{BASE}"

    for fmt in ("json", "xml"):
        client = GeoReport(root, output_format=fmt)
        services = client.get_service_list()
        codes = [
            s["service_code"] for s in (services if isinstance(services, list) else [services])
        ]
        assert "noise" in codes
        one = client.get_service_request(report.tracking_code)
        assert one["service_request_id"] == report.tracking_code
        assert one["status"] == "open"
        listed = client.get_service_requests(service_code="noise")
        listed = listed if isinstance(listed, list) else [listed]
        assert [r["service_request_id"] for r in listed] == [report.tracking_code]
        definition = client.get_service_definition("noise")
        assert definition["service_code"] == "noise"
