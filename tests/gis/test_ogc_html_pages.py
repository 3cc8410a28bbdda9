"""The OGC API in a browser: translated pages with a map served by the app."""

import re

import pytest
from django.core.cache import caches

from tests.factories import MIDDLE, NORTH, SOUTH, WEST, make_parcel
from tests.gis.ogc_factories import fill_box_with_parcels

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:src|href)=["']https?://""")


@pytest.fixture(autouse=True)
def private_cache(settings, tmp_path):
    settings.CACHES = {
        "default": {"BACKEND": "gis.tiles.FileCache", "LOCATION": tmp_path / "cache"}
    }
    yield
    caches["default"].clear()


def test_a_page_of_features_in_html_lists_them_with_a_map_and_paging(client, district):
    fill_box_with_parcels(district["ward_a"], WEST, SOUTH, MIDDLE, NORTH, per_side=3)

    html = client.get("/ogc/collections/parcels/items", {"f": "html", "limit": 4}).content.decode()

    assert '<html lang="vi">' in html
    assert "26905-001-0001" in html and "26905-001-0004" in html
    assert "26905-001-0005" not in html
    assert 'rel="next"' in html and "after=" in html
    assert "Trang sau" in html
    assert "/static/spatial/vendor/leaflet/leaflet.js" in html
    assert not EXTERNAL.search(html)


def test_a_collection_page_draws_its_vector_tiles_with_the_local_vectorgrid(client, district):
    make_parcel(district["ward_a"])

    html = client.get("/ogc/collections/parcels", {"f": "html"}).content.decode()

    assert "Thửa đất" in html
    assert "/static/spatial/vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js" in html
    assert "/tiles/parcels/{z}/{x}/{y}.pbf" in html
    assert "unpkg.com" not in html
    assert not EXTERNAL.search(html)


def test_a_missing_collection_in_a_browser_is_a_404_page_in_vietnamese(client, db):
    response = client.get("/ogc/collections/galaxies", {"f": "html"})

    assert response.status_code == 404
    assert "galaxies" in response.content.decode()
    assert "Không tìm thấy" in response.content.decode()
