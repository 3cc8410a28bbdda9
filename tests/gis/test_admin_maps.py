import re

import pytest
from django.contrib.auth.models import User

from tests.factories import make_parcel

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:src|href)=["']https?://""")


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("admin", "admin@example.vn", "Mật-khẩu-dài-2026")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/spatial/parcel/{parcel}/change/",
        "/admin/spatial/adminunit/{unit}/change/",
        "/admin/spatial/parcel/add/",
    ],
)
def test_admin_map_widgets_load_openlayers_from_this_app(admin_client, district, url):
    parcel = make_parcel(district["ward_a"])
    response = admin_client.get(url.format(parcel=parcel.pk, unit=district["ward_a"].pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/spatial/vendor/ol/ol.js" in html
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert "cdn.jsdelivr" not in html and "earthdata" not in html and "openstreetmap" not in html


def test_admin_lists_parcels_and_units(admin_client, district):
    make_parcel(district["ward_a"], address="5 Bạch Đằng")
    assert "5 Bạch Đằng" in admin_client.get("/admin/spatial/parcel/").content.decode()
    assert "Phường 13" in admin_client.get("/admin/spatial/adminunit/?q=phuong+13").content.decode()


def test_the_import_log_cannot_be_edited(admin_client, district, tmp_path):
    from gis.importer import run_import
    from gis.models import LayerImport
    from tests.factories import parcel_rows, write_layer

    run_import("parcels", write_layer(tmp_path / "p.gpkg", parcel_rows(2)))
    record = LayerImport.objects.get()
    response = admin_client.post(f"/admin/spatial/layerimport/{record.pk}/change/", {"kind": "x"})
    assert response.status_code == 403 or LayerImport.objects.get().kind == "parcels"
