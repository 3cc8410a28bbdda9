import pytest

pytestmark = pytest.mark.django_db
URL = "/api/planning/lookup"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "exactly one of them"),
        ({"lon": "106.7"}, "Give both lon and lat"),
        ({"lon": "abc", "lat": "10.8"}, "lon: a decimal number is required."),
        ({"lon": "200", "lat": "10.8"}, "lon must lie between -180 and 180."),
        ({"lon": "106.7", "lat": "10.8", "q": "x"}, "exactly one of them"),
        (
            {"lon": "106.7", "lat": "10.8", "date": "2025-13-01"},
            "date: write the day as YYYY-MM-DD.",
        ),
        ({"parcel": "lot 7"}, "“lot 7” is not a parcel key"),
        ({"q": "a"}, "at least two letters"),
    ],
)
def test_a_malformed_question_gets_a_400_that_says_what_is_wrong(client, district, params, message):
    response = client.get(URL, params)

    assert response.status_code == 400
    assert message in response.json()["error"]


def test_the_lookup_is_documented_in_the_openapi_schema(client):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    operation = response.json()["paths"]["/api/planning/lookup"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"lon", "lat", "parcel", "q", "date"}
    assert set(operation["responses"]) >= {"200", "400", "404"}
