import re

import pytest

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:src|href)=["']https?://""")


def test_home_shows_the_district_its_wards_and_a_map_in_vietnamese(client, district):
    html = client.get("/").content.decode()

    assert '<html lang="vi">' in html
    assert "Quận Bình Thạnh" in html and "Phường 13" in html and "Phường 11" in html
    assert "/static/spatial/vendor/leaflet/leaflet.js" in html
    assert not EXTERNAL.search(html)


def test_home_stays_vietnamese_for_an_english_browser(client, district):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html


def test_home_speaks_english_once_chosen_with_the_language_switch(client, district):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Wards" in html


def test_home_without_data_says_how_to_load_it(client):
    html = client.get("/").content.decode()
    assert "import_layer" in html


def test_units_geojson_serves_the_wards_with_an_etag(client, district):
    response = client.get("/gis/units.geojson", {"level": "ward"})
    body = response.json()

    assert response["Content-Type"] == "application/geo+json"
    assert sorted(f["properties"]["code"] for f in body["features"]) == ["26905", "26908"]
    again = client.get("/gis/units.geojson", {"level": "ward"}, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_units_geojson_refuses_an_unknown_level(client, district):
    response = client.get("/gis/units.geojson", {"level": "galaxy"})
    assert response.status_code == 400
    assert "galaxy" in response.json()["error"]
