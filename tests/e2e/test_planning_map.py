"""The citizens' planning map in real Chromium: click, read the panel, search, locate me."""

import importlib
from urllib.parse import urlparse

import pytest
from django.apps import apps

from tests.factories import make_district, make_parcel, rect
from tests.planning.factories import make_decision, make_road, make_zone

pytestmark = pytest.mark.django_db(transaction=True)

LON, LAT = 106.6851, 10.8001  # inside the parcel below


@pytest.fixture
def plan():
    importlib.import_module("planning.migrations.0002_zoning_codes").seed(apps, None)
    units = make_district()
    decision = make_decision("3370/QĐ-UBND")
    make_zone(decision, rect(106.68, 10.78, 106.69, 10.82), code="NNO", zone_id="I.1")
    make_zone(decision, rect(106.69, 10.78, 106.70, 10.82), code="CXDVO", zone_id="I.2")
    make_road("Điện Biên Phủ", 30.0, [(106.68, 10.7999), (106.69, 10.7999)])
    make_parcel(
        units["ward_a"],
        sheet_no=10,
        parcel_no=16,
        land_use="ODT",
        address="12 Điện Biên Phủ, Phường 13",
        geom=rect(106.685, 10.80, 106.6852, 10.8002),
    )
    return units


def click_at(page, lat, lon):
    x, y = page.evaluate(
        """([lat, lon]) => {
             const p = planningMap.latLngToContainerPoint([lat, lon]);
             const r = document.getElementById('planning-map').getBoundingClientRect();
             return [p.x + r.left, p.y + r.top];
           }""",
        [lat, lon],
    )
    page.mouse.click(x, y)


def test_clicking_a_parcel_opens_what_the_plan_allows_there(page, live_server, plan):
    page.goto(f"{live_server.url}/planning/?lat={LAT}&lon={LON}&z=18")
    page.wait_for_function("() => window.planningMap !== undefined")
    page.wait_for_selector(".leaflet-tile-loaded, canvas.leaflet-tile", timeout=15_000)

    click_at(page, LAT, LON)
    panel = page.locator("#planning-panel")
    panel.get_by_text("26905-010-0016").wait_for(timeout=10_000)

    text = panel.inner_text()
    assert "NNO" in text and "100" in text  # the zone and the parcel's share in it
    assert "Quận Bình Thạnh" in text
    # The address names the ward already: the line under the key does not repeat it.
    assert "12 Điện Biên Phủ, Phường 13, Quận Bình Thạnh" in text
    assert text.count("Phường 13") == 1
    assert "Điện Biên Phủ" in text  # the road boundary the parcel faces
    assert "parcel=26905-010-0016" in page.url
    assert panel.get_by_role("link").get_attribute("href") == "/planning/sheet/26905-010-0016/"
    assert page.outside_requests == []
    assert page.errors == []
    page.screenshot(path="/tmp/urbanmgmt-planning-map.png")


def test_a_shared_link_on_a_360_pixel_phone_opens_the_parcel_and_search_works(
    browser, live_server, plan
):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    host = urlparse(live_server.url).netloc
    outside = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlparse(r.url).netloc != host and r.url.startswith("http")
            else None
        ),
    )
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{live_server.url}/planning/?parcel=26905-010-0016")
    panel = page.locator("#planning-panel")
    panel.get_by_text("26905-010-0016").wait_for(timeout=10_000)

    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("#planning-q", "dien bien phu")
    page.press("#planning-q", "Enter")
    page.locator("#planning-results").get_by_text("Điện Biên Phủ").first.wait_for(timeout=10_000)
    assert outside == []
    assert errors == []
    page.screenshot(path="/tmp/urbanmgmt-planning-phone.png")
    context.close()


def test_locate_me_answers_for_where_the_phone_is(browser, live_server, plan):
    context = browser.new_context(
        viewport={"width": 412, "height": 860},
        geolocation={"latitude": 10.81, "longitude": 106.695},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/planning/")
    page.wait_for_function("() => window.planningMap !== undefined")

    page.click("#planning-locate")
    panel = page.locator("#planning-panel")
    panel.get_by_text("CXDVO").wait_for(timeout=10_000)

    assert "Phường 13" in panel.inner_text()
    context.close()


def test_the_planning_sheet_fits_a_360_pixel_phone(browser, live_server, plan):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()

    page.goto(f"{live_server.url}/planning/sheet/26905-010-0016/")
    limits = page.locator(".grid-wrap").first
    limits.get_by_text("NNO").wait_for(timeout=10_000)

    # The page does not scroll sideways; the wide table of limits scrolls in its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = limits.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert limits.evaluate("e => e.scrollWidth > e.clientWidth")
    context.close()
