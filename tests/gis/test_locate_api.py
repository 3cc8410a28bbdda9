import pytest

pytestmark = pytest.mark.django_db


def test_locate_answers_with_ward_and_district(client, district):
    response = client.get("/api/locate", {"lon": "106.69", "lat": "10.80"})
    assert response.status_code == 200
    body = response.json()
    assert body["covered"] is True
    assert body["ward"] == {"code": "26905", "name": "Phường 13", "level": "ward"}
    assert body["district"]["code"] == "765"


def test_locate_outside_the_area_says_so(client, district):
    body = client.get("/api/locate", {"lon": "105.0", "lat": "10.0"}).json()
    assert body["covered"] is False
    assert body["message"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"lon": "x", "lat": "10"},
        {"lon": "200", "lat": "10"},
        {"lon": "106.7", "lat": "10.8", "date": "2025-13-01"},
    ],
)
def test_locate_refuses_malformed_input_with_a_message(client, district, params):
    response = client.get("/api/locate", params)
    assert response.status_code == 400
    assert response.json()["error"]
