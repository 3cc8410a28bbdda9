"""One feature: /ogc/collections/{id}/items/{featureId}."""

import re

import pytest
from django.core.cache import caches

from tests.factories import make_parcel

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:src|href)=["']https?://""")


@pytest.fixture(autouse=True)
def private_cache(settings, tmp_path):
    settings.CACHES = {
        "default": {"BACKEND": "gis.tiles.FileCache", "LOCATION": tmp_path / "cache"}
    }
    yield
    caches["default"].clear()


@pytest.fixture
def en_client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_feature_is_geojson_with_its_properties_and_links(
    client, district, django_assert_num_queries
):
    parcel = make_parcel(district["ward_a"], 3, 15, land_use="CLN", address="Số 1")

    with django_assert_num_queries(1):
        response = client.get(f"/ogc/collections/parcels/items/{parcel.pk}")
    body = response.json()

    assert response["Content-Type"] == "application/geo+json"
    assert body["type"] == "Feature"
    assert body["id"] == parcel.pk
    assert body["properties"]["key"] == "26905-003-0015"
    assert "address" not in body["properties"]
    links = {link["rel"]: link for link in body["links"]}
    assert links["collection"]["href"] == "http://testserver/ogc/collections/parcels?f=json"
    assert links["self"]["type"] == "application/geo+json"
    assert links["alternate"]["type"] == "text/html"


@pytest.mark.parametrize("feature_id", ["999999", "abc", "-1", "99999999999999999999"])
def test_a_missing_feature_is_a_404_with_a_message(en_client, district, feature_id):
    response = en_client.get(f"/ogc/collections/parcels/items/{feature_id}")

    assert response.status_code == 404
    assert response.json()["code"] == "NotFound"
    assert f"no feature “{feature_id}”" in response.json()["description"]


def test_a_feature_of_an_unknown_collection_is_a_404(en_client, db):
    response = en_client.get("/ogc/collections/galaxies/items/1")

    assert response.status_code == 404
    assert "galaxies" in response.json()["description"]


def test_a_unit_no_longer_valid_is_not_a_feature(client, district):
    from tests.factories import make_unit

    old = make_unit("26998", "Phường cũ", valid_to=district["ward_a"].valid_from)

    assert client.get(f"/ogc/collections/units/items/{old.pk}").status_code == 404


def test_a_feature_page_in_html_shows_it_on_a_local_map(client, district):
    parcel = make_parcel(district["ward_a"], 3, 15, land_use="CLN")

    response = client.get(f"/ogc/collections/parcels/items/{parcel.pk}", {"f": "html"})
    html = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "26905-003-0015" in html
    assert "/static/spatial/vendor/leaflet/leaflet.js" in html
    assert not EXTERNAL.search(html)


def test_an_unchanged_feature_asked_again_is_a_304(client, district):
    parcel = make_parcel(district["ward_a"])
    path = f"/ogc/collections/parcels/items/{parcel.pk}"

    again = client.get(path, HTTP_IF_NONE_MATCH=client.get(path)["ETag"])

    assert again.status_code == 304
