"""Open data: permits in BLDS fields, as CSV and GeoJSON, without personal data."""

import csv
import io
import json

import pytest

from dossiers import services
from dossiers.open_data import FIELDS
from tests.dossiers.factories import MONDAY, accepted, in_processing, submit

pytestmark = pytest.mark.django_db

PERSONAL = ("Nguyễn Văn An", "079085001234", "0903123456", "an@example.vn")


@pytest.fixture
def permits(office):
    issued = in_processing(office)
    services.decide(dossier=issued, actor=office.leader, result="issued", today=MONDAY)
    pending = accepted(office, "LT-XD")
    appraisal = accepted(office, "TD-TKCS")  # not a permit
    not_accepted = submit(office)
    return issued, pending, appraisal, not_accepted


def test_the_csv_has_the_blds_columns_and_only_accepted_permits(client, office, permits):
    issued, pending, *_ = permits

    response = client.get("/open-data/permits.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))

    assert response["Content-Type"].startswith("text/csv")
    assert tuple(rows[0]) == FIELDS
    assert {row["PermitNum"] for row in rows} == {issued.code, pending.code}
    row = next(r for r in rows if r["PermitNum"] == issued.code)
    assert row["StatusCurrentMapped"] == "Permit Issued"
    assert row["IssuedDate"] == "2025-03-10"
    assert row["AppliedDate"] == "2025-03-10"
    assert row["TotalSqFt"] == str(round(240 * 10.7639104))
    assert "4 tầng" in row["Description"]
    assert float(row["Latitude"]) == pytest.approx(issued.location.y, abs=1e-6)
    assert next(r for r in rows if r["PermitNum"] == pending.code)["WorkClass"] == "Liên thông"
    for personal in PERSONAL:
        assert personal not in text


def test_the_geojson_has_the_same_permits_as_points(client, office, permits):
    issued, pending, *_ = permits

    response = client.get("/open-data/permits.geojson")
    body = json.loads(b"".join(response.streaming_content))

    assert response["Content-Type"] == "application/geo+json"
    assert {f["id"] for f in body["features"]} == {issued.code, pending.code}
    feature = body["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert set(feature["properties"]) == set(FIELDS)
    for personal in PERSONAL:
        assert personal not in json.dumps(body, ensure_ascii=False)


def test_a_period_filters_on_the_applied_date(client, office, permits):
    body = json.loads(
        b"".join(
            client.get("/open-data/permits.geojson", {"since": "2025-04-01"}).streaming_content
        )
    )
    assert body["features"] == []


def test_a_malformed_date_is_a_400_with_a_message(client, office):
    response = client.get("/open-data/permits.csv", {"since": "01/04/2025"})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.json()["error"]
