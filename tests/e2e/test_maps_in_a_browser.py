import pytest
from django.contrib.auth.models import User

from tests.factories import make_district, make_parcel

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_home_map_draws_the_wards_without_reaching_the_internet(page, live_server):
    make_district()

    page.goto(live_server.url + "/")
    page.wait_for_selector(
        ".leaflet-overlay-pane path, .leaflet-overlay-pane canvas", timeout=15_000
    )

    assert page.locator(".leaflet-container").count() == 1
    assert page.outside_requests == []
    assert page.errors == []
    page.screenshot(path="/tmp/urbanmgmt-home.png", full_page=True)


def test_the_admin_parcel_map_draws_with_local_openlayers(page, live_server):
    units = make_district()
    parcel = make_parcel(units["ward_a"])
    User.objects.create_superuser("admin", "admin@example.vn", "Mật-khẩu-dài-2026")

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "Mật-khẩu-dài-2026")
    page.click("input[type=submit]")
    page.goto(live_server.url + f"/admin/spatial/parcel/{parcel.pk}/change/")
    page.wait_for_selector(".dj_map canvas", timeout=15_000)
    page.wait_for_function("() => typeof ol !== 'undefined'")

    assert page.outside_requests == []
    assert page.errors == []
    page.screenshot(path="/tmp/urbanmgmt-admin-parcel.png", full_page=True)
