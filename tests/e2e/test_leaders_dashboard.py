"""A district leader opens the dashboard in Chromium: the heat overlay and hot spots on the map,
the wards recoloured by another figure, a table sorted by a click; nothing leaves the machine."""

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client

from tests.dossiers.factories import make_office
from tests.leaders.factories import IN_WARD_B, cluster, report_at

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(browser, live_server, settings):
    """A desktop browser in English that records every request leaving the live server."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "leaders-e2e",
        }
    }
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    page = context.new_page()
    page.outside_requests, page.errors = [], []
    host = urlparse(live_server.url).netloc
    page.on(
        "request",
        lambda r: (
            urlparse(r.url).netloc != host
            and urlparse(r.url).scheme in ("http", "https")
            and page.outside_requests.append(r.url)
        ),
    )
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_a_district_leader_reads_the_dashboard(desk, live_server):
    office = make_office()
    cluster(12)
    report_at(*IN_WARD_B)
    sign_in(desk, live_server, office.leader)

    desk.goto(f"{live_server.url}/leaders/765/")

    overlay = desk.locator("#heat-map img.heat-overlay")
    overlay.wait_for()
    desk.wait_for_function("document.querySelector('#heat-map img.heat-overlay').naturalWidth > 0")
    assert desk.locator(".spots li").count() >= 1
    assert desk.locator("#heat-map .spot-label").count() == desk.locator(".spots li").count()

    desk.select_option("#figure-select", "reports_overdue")
    assert desk.locator("#ward-legend strong").inner_text() == "Reports overdue"
    assert "figure=reports_overdue" in desk.url

    header = desk.locator("#ward-table th[data-key=reports_received] button")
    first_row = desk.locator("#ward-table tbody tr").first
    header.click()  # ascending: the ward with one report first
    assert first_row.get_attribute("data-code") == "26908"
    header.click()  # descending: the ward with the cluster first
    assert first_row.get_attribute("data-code") == "26905"
    assert (
        desk.locator("#ward-table th[data-key=reports_received]").get_attribute("aria-sort")
        == "descending"
    )

    assert desk.locator(".chart svg polyline").count() == 3
    assert desk.outside_requests == []
    assert desk.errors == []
