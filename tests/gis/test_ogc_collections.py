"""/ogc/collections: exactly the published layers, with their extents; one collection; 404."""

import pytest
from django.core.cache import caches

from gis.publish import Property, PublishedLayer, published_layers
from tests.factories import make_parcel
from tests.gis.ogc_factories import publish_for_test

pytestmark = pytest.mark.django_db

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


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


def test_the_collections_are_exactly_the_published_layers(client, district):
    body = client.get("/ogc/collections").json()

    assert [c["id"] for c in body["collections"]] == [layer.name for layer in published_layers()]
    assert {"units", "parcels"} <= {c["id"] for c in body["collections"]}


def test_a_layer_published_later_is_a_collection_too(client, district, monkeypatch):
    publish_for_test(
        monkeypatch,
        PublishedLayer(
            name="land_use_zones",
            title="Land-use zones",
            source="SELECT id, geom, geom_3857, land_use FROM spatial_parcel",
            properties=(Property("land_use"),),
        ),
    )

    ids = [c["id"] for c in client.get("/ogc/collections").json()["collections"]]
    one = client.get("/ogc/collections/land_use_zones")

    assert "land_use_zones" in ids
    assert one.status_code == 200


def test_a_collection_gives_its_extent_crs_and_links_to_its_items(client, district):
    make_parcel(district["ward_a"])

    body = client.get("/ogc/collections/parcels").json()

    assert body["id"] == "parcels"
    assert body["itemType"] == "feature"
    assert body["crs"] == [CRS84]
    west, south, east, north = body["extent"]["spatial"]["bbox"][0]
    centroid = district["ward_a"].geom.centroid
    assert west <= centroid.x <= east and south <= centroid.y <= north
    assert body["extent"]["spatial"]["crs"] == CRS84
    items = [link for link in body["links"] if link["rel"] == "items"]
    assert {link["type"] for link in items} == {"application/geo+json", "text/html"}
    assert "http://testserver/ogc/collections/parcels/items" in {link["href"] for link in items}
    assert "temporal" not in body["extent"]


def test_an_empty_collection_has_no_extent(client, district):
    assert "extent" not in client.get("/ogc/collections/parcels").json()


def test_a_collection_title_is_vietnamese_by_default(client, district):
    body = client.get("/ogc/collections/units").json()

    assert body["title"] == "Đơn vị hành chính"


def test_an_unknown_collection_is_a_404_naming_the_collections(en_client, db):
    response = en_client.get("/ogc/collections/galaxies")

    assert response.status_code == 404
    assert response.json()["code"] == "NotFound"
    assert "galaxies" in response.json()["description"]
    assert "units, parcels" in response.json()["description"]


def test_unchanged_collections_asked_again_are_a_304_without_a_query(
    client, district, django_assert_num_queries
):
    make_parcel(district["ward_a"])
    etag = client.get("/ogc/collections")["ETag"]

    with django_assert_num_queries(0):
        again = client.get("/ogc/collections", HTTP_IF_NONE_MATCH=etag)
        warm = client.get("/ogc/collections")

    assert again.status_code == 304
    assert warm.status_code == 200


def test_an_import_or_edit_changes_the_collections_etag(
    client, district, django_capture_on_commit_callbacks
):
    etag = client.get("/ogc/collections")["ETag"]

    with django_capture_on_commit_callbacks(execute=True):
        make_parcel(district["ward_a"])
    after = client.get("/ogc/collections", HTTP_IF_NONE_MATCH=etag)

    assert after.status_code == 200
    parcels = next(c for c in after.json()["collections"] if c["id"] == "parcels")
    assert "spatial" in parcels["extent"]


def test_the_collections_page_in_html_lists_each_with_a_link(client, district):
    html = client.get("/ogc/collections", {"f": "html"}).content.decode()

    assert "Thửa đất" in html
    assert 'href="/ogc/collections/parcels?f=html"' in html
    assert 'href="/ogc/collections/parcels/items?f=html"' in html
