"""/map/ward/<code>: the ward framed among its neighbours, its figures, a link up to the district."""

import re

import pytest
from django.core.cache import caches

from gis import figures
from gis.models import UnitLevel
from tests.factories import make_parcel, make_unit, rect

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
def core_figures_only(monkeypatch):
    """Only the spatial core's figures, whatever the feature apps registered."""
    monkeypatch.setattr(figures, "_FIGURES", {"parcels": figures._FIGURES["parcels"]})


@pytest.fixture
def en_client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_ward_page_shows_its_figures_and_links_up_to_its_district(en_client, district):
    make_parcel(district["ward_a"], 1, 1)
    make_parcel(district["ward_a"], 1, 2)
    make_parcel(district["ward_b"], 1, 1)

    html = en_client.get("/map/ward/26905").content.decode()

    assert "<h1>Phường 13" in html
    assert '<a rel="up" href="/map/district/765">Quận Bình Thạnh</a>' in html
    row = re.search(r"<tbody>.*?</tbody>", html, re.S).group(0)
    assert f"{district['ward_a'].area_m2 / 1e6:.2f}" in row
    assert re.search(r'<td class="num">2</td>', row)  # its two parcels, not ward B's


def test_the_ward_map_outlines_it_over_the_parcel_tiles_framed_on_it(client, district):
    html = client.get("/map/ward/26905").content.decode()

    assert '<html lang="vi">' in html
    assert "/tiles/parcels/{z}/{x}/{y}.pbf" in html
    assert "/static/spatial/vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js" in html
    west, south, east, north = district["ward_a"].geom.extent
    assert f"[[{south}, {west}], [{north}, {east}]]" in html
    # Its neighbour is drawn for context.
    assert '"code": "26908"' in html
    assert not EXTERNAL.search(html)


def test_a_commune_has_a_page_too(en_client, district):
    make_unit("27000", "Xã Bình Mỹ", UnitLevel.COMMUNE, parent=district["district"])

    assert en_client.get("/map/ward/27000").status_code == 200


def test_a_ward_under_the_city_since_the_reform_links_up_to_no_district(en_client, district):
    make_unit(
        "26734",
        "Phường Bình Thạnh",
        geom=rect(106.70, 10.79, 106.72, 10.81),
        parent=district["city"],
    )

    html = en_client.get("/map/ward/26734").content.decode()

    assert 'rel="up"' not in html


@pytest.mark.parametrize("code", ["99999", "765", "79"])
def test_an_unknown_ward_code_is_a_404_with_a_message(en_client, district, code):
    response = en_client.get(f"/map/ward/{code}")

    assert response.status_code == 404
    assert f"There is no ward with the code “{code}” today." in response.content.decode()


def test_a_ward_no_longer_valid_is_a_404(en_client, district):
    make_unit(
        "26999",
        "Phường đã nhập",
        parent=district["district"],
        valid_to=district["ward_a"].valid_from,
    )

    assert en_client.get("/map/ward/26999").status_code == 404


def test_the_ward_page_queries_are_pinned(
    client, district, core_figures_only, django_assert_num_queries
):
    make_parcel(district["ward_a"])

    # The ward with its district, the outlines, the parcels figure.
    with django_assert_num_queries(3):
        response = client.get("/map/ward/26905")

    assert response.status_code == 200
