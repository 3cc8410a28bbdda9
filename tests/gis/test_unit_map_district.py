"""/map/district/<code>: the district framed on a map, its wards listed with their figures."""

import re

import pytest
from django.core.cache import caches

from gis import figures
from gis.models import AdminUnit
from tests.factories import make_parcel, make_unit

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


def row_of(html: str, code: str) -> str:
    return re.search(rf"<tr>\s*<td>{code}</td>.*?</tr>", html, re.S).group(0)


def cells(row: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def test_the_district_page_lists_its_wards_with_links_areas_and_parcels(en_client, district):
    for number in range(1, 4):
        make_parcel(district["ward_a"], 1, number)
    make_parcel(district["ward_b"], 1, 1)

    response = en_client.get("/map/district/765")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Quận Bình Thạnh" in html
    ward_a = AdminUnit.objects.get(code="26905")
    row = cells(row_of(html, "26905"))
    assert row[:4] == [
        "26905",
        "Phường 13",
        f"{ward_a.area_m2 / 1e6:.2f}",
        f"{ward_a.area_m2 / 1e4:.1f}",
    ]
    assert row[4] == "3"  # parcels, the first figure
    assert cells(row_of(html, "26908"))[4] == "1"
    assert 'href="/map/ward/26905"' in html and 'href="/map/ward/26908"' in html
    totals = re.search(r"<tfoot>.*?</tfoot>", html, re.S).group(0)
    assert ">4<" in totals


def test_the_district_map_highlights_it_over_its_wards_and_parcel_tiles_served_here(
    client, district
):
    html = client.get("/map/district/765").content.decode()

    assert '<html lang="vi">' in html
    assert "Các phường" in html
    assert "/static/spatial/vendor/leaflet/leaflet.js" in html
    assert "/static/spatial/vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js" in html
    assert "L.vectorGrid.protobuf(" in html and "/tiles/parcels/{z}/{x}/{y}.pbf" in html
    assert '"weight": 4' in html  # the district's own outline
    # Framed on the district: fitBounds on its extent (south-west, north-east).
    west, south, east, north = district["district"].geom.extent
    assert f"[[{south}, {west}], [{north}, {east}]]" in html
    assert not EXTERNAL.search(html)
    assert "unpkg.com" not in html


def test_a_ward_of_another_district_is_not_listed(en_client, district):
    other = make_unit("769", "Thành phố Thủ Đức", "district", parent=district["city"])
    make_unit("26794", "Phường An Khánh", parent=other)

    html = en_client.get("/map/district/765").content.decode()

    assert "26794" not in html
    assert 'href="/map/ward/26794"' in en_client.get("/map/district/769").content.decode()


def test_a_ward_no_longer_valid_is_not_listed(en_client, district):
    make_unit(
        "26999",
        "Phường đã nhập",
        parent=district["district"],
        valid_to=district["ward_a"].valid_from,
    )

    assert "26999" not in en_client.get("/map/district/765").content.decode()


@pytest.mark.parametrize("code", ["999", "26905", "79"])
def test_an_unknown_district_code_is_a_404_with_a_message(en_client, district, code):
    response = en_client.get(f"/map/district/{code}")

    assert response.status_code == 404
    assert f"There is no district with the code “{code}” today." in response.content.decode()


def test_an_unknown_district_is_explained_in_vietnamese_by_default(client, db):
    response = client.get("/map/district/999")

    assert response.status_code == 404
    assert "Hiện không có quận/huyện nào mang mã “999”." in response.content.decode()


def test_the_district_page_costs_the_same_queries_for_two_wards_or_twenty(
    client, district, core_figures_only, django_assert_num_queries
):
    # The district, its wards, their outlines, the parcels figure.
    expected = 4
    with django_assert_num_queries(expected):
        client.get("/map/district/765")

    for number in range(20):
        make_unit(f"270{number:02d}", f"Phường {number}", parent=district["district"])
    with django_assert_num_queries(expected):
        response = client.get("/map/district/765")
    assert response.content.decode().count('href="/map/ward/') == 22
