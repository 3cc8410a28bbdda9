"""Personal data never leaves through a public door.

A report and a dossier carry distinctive personal values; every public page, API, tile,
OGC API answer and export is fetched and scanned for them (also after undoing JSON escapes,
HTML entities and gzip). The officials who handle the cases do see them, so the scan is not
vacuous.
"""

from __future__ import annotations

import gzip
import html
import json

import pytest
from django.contrib.gis.geos import Point

from gis.publish import published_layers
from gis.text import fold
from tests.dossiers import factories as dossier_factories
from tests.gis.test_tiles import tile_of
from urbanmgmt.models import Role

SECRETS = {
    "reporter_name": "Đỗ Thị Bí Mật",
    "reporter_email": "bimat.reporter@example.vn",
    "reporter_phone": "0977000111",
    "applicant_name": "Hoàng Văn Riêngtư",
    "applicant_id": "079199888777",
    "applicant_phone": "0911222333",
    "applicant_email": "riengtu.applicant@example.vn",
    "applicant_address": "99 Ngõ Kín Đáo",
}


@pytest.fixture
def cases(db, settings, tmp_path):
    from django.core.cache import caches

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pii"}
    }
    caches["default"].clear()
    dossier_factories.ensure_catalogue()
    office = dossier_factories.make_office()
    from reports.services import submit_report
    from tests.reports.factories import category

    centre = office.ward_a.geom.centroid
    report = submit_report(
        category=category("illegal-construction"),
        location=Point(centre.x, centre.y, srid=4326),
        description="Nhà đang xây thêm tầng không phép",
        reporter_name=SECRETS["reporter_name"],
        reporter_email=SECRETS["reporter_email"],
        reporter_phone=SECRETS["reporter_phone"],
        device_id="device-pii",
    )
    dossier = dossier_factories.in_processing(
        office,
        applicant=dossier_factories.applicant(
            name=SECRETS["applicant_name"],
            id_number=SECRETS["applicant_id"],
            phone=SECRETS["applicant_phone"],
            email=SECRETS["applicant_email"],
            address=SECRETS["applicant_address"],
        ),
    )
    return office, report, dossier


def public_urls(office, report, dossier) -> list[str]:
    centre = office.ward_a.geom.centroid
    lon, lat = centre.x, centre.y
    urls = [
        "/",
        "/gis/units.geojson",
        f"/api/locate?lon={lon}&lat={lat}",
        f"/api/planning/lookup?lon={lon}&lat={lat}",
        f"/api/planning/lookup?parcel={office.parcel.key}",
        f"/planning/sheet/{office.parcel.key}/",
        f"/map/district/{office.district.code}",
        f"/map/ward/{office.ward_a.code}",
        "/ogc/",
        "/ogc/collections",
        "/reports/",
        "/reports/map.json",
        f"/reports/{report.tracking_code}/",
        f"/api/reports/{report.tracking_code}/",
        f"/api/reports/nearby/?lon={lon}&lat={lat}&category=illegal-construction",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        f"/open311/v2/requests/{report.tracking_code}.json",
        f"/open311/v2/requests/{report.tracking_code}.xml",
        "/open-data/permits.csv",
        "/open-data/permits.geojson",
        "/dossiers/lookup/",
    ]
    for layer in published_layers():
        urls += [
            f"/tiles/{layer.name}.json",
            f"/ogc/collections/{layer.name}",
            f"/ogc/collections/{layer.name}/items?limit=1000",
            f"/ogc/collections/{layer.name}/items?limit=1000&f=html",
        ]
        for z in (layer.minzoom, 12, 14, 16, 18):
            if layer.minzoom <= z <= layer.maxzoom:
                _z, x, y = tile_of(lon, lat, z)
                urls.append(f"/tiles/{layer.name}/{z}/{x}/{y}.pbf")
    return urls


def readable(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    text = body.decode("utf-8", errors="replace")
    if "json" in response.get("Content-Type", ""):
        try:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return html.unescape(text)


def leaks(text: str) -> list[str]:
    folded = fold(text)
    return [key for key, value in SECRETS.items() if value in text or fold(value) in folded]


def test_no_public_answer_carries_a_reporters_or_an_applicants_personal_data(client, cases):
    office, report, dossier = cases
    answered = 0
    for url in public_urls(office, report, dossier):
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200:
            answered += 1
        assert leaks(readable(response)) == [], url
    assert answered >= 30  # the doors were really open


def test_the_same_scan_finds_the_data_where_the_handling_officials_look(client, cases):
    office, report, dossier = cases
    ward_officer = office.officer.__class__.objects.create_user(
        "ward-officer@example.vn", password="x" * 12
    )
    from tests.accounts_factories import add_post

    add_post(ward_officer, office.ward_a, Role.OFFICER)
    client.force_login(ward_officer)
    page = readable(client.get(f"/reports/queue/{report.tracking_code}/"))
    assert "reporter_name" in leaks(page)
    client.force_login(office.officer)
    page = readable(client.get(f"/office/dossiers/{dossier.pk}/"))
    assert "applicant_id" in leaks(page)


def test_an_official_of_another_ward_sees_none_of_it(client, cases):
    office, report, dossier = cases
    from tests.accounts_factories import make_official

    client.force_login(make_official(office.ward_b, Role.OFFICER))
    assert client.get(f"/reports/queue/{report.tracking_code}/").status_code == 404
    assert client.get(f"/office/dossiers/{dossier.pk}/").status_code == 404
