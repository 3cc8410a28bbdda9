import pytest

from tests.factories import MIDDLE, NORTH, SOUTH, WEST, make_district
from tests.gis.ogc_factories import fill_box_with_parcels

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_ward_map_draws_its_outline_and_parcel_tiles_without_reaching_the_internet(
    page, live_server
):
    units = make_district()
    fill_box_with_parcels(units["ward_a"], WEST, SOUTH, MIDDLE, NORTH, per_side=10)
    tiles = []
    page.on(
        "response",
        lambda response: (
            tiles.append(response.status) if "/tiles/parcels/" in response.url else None
        ),
    )

    page.goto(live_server.url + "/map/ward/26905")
    page.wait_for_selector(
        ".leaflet-overlay-pane path, .leaflet-overlay-pane canvas", timeout=15_000
    )
    page.wait_for_function("() => typeof L !== 'undefined' && typeof L.vectorGrid !== 'undefined'")
    page.wait_for_timeout(1_000)

    assert 200 in tiles  # parcels came as vector tiles from our own /tiles/
    assert page.locator(".leaflet-tile-container canvas, .leaflet-tile").count() > 0
    assert page.locator("a[rel=up]").inner_text() == "Quận Bình Thạnh"
    assert page.outside_requests == []
    assert page.errors == []
    page.screenshot(path="/tmp/urbanmgmt-ward-map.png", full_page=True)


def test_a_ward_link_on_the_district_map_leads_to_the_ward(page, live_server):
    make_district()

    page.goto(live_server.url + "/map/district/765")
    page.click("text=Phường 11")

    page.wait_for_url("**/map/ward/26908")
    assert page.locator("h1").inner_text().startswith("Phường 11")
    assert page.outside_requests == []
    assert page.errors == []
