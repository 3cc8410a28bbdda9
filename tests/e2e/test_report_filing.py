"""A citizen files a report with a photo on a phone-sized screen; an official then reviews it."""

import io
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.test import Client
from PIL import Image, JpegImagePlugin

from reports.models import Report, Status
from tests.accounts_factories import make_official
from tests.factories import make_district
from tests.reports.factories import category, file_report, jpeg_bytes

pytestmark = pytest.mark.django_db(transaction=True)

# Where the test photo's EXIF says it was taken: 10°48'30"N 106°42'15"E, in ward B (26908).
PHOTO_LAT, PHOTO_LON = 10 + 48 / 60 + 30 / 3600, 106 + 42 / 60 + 15 / 3600


@pytest.fixture
def phone(browser, live_server, tmp_path, settings):
    """A 360 × 740 phone in English that records every request leaving the live server."""
    settings.MEDIA_ROOT = tmp_path / "media"
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    page = context.new_page()
    page.outside_requests = []
    page.errors = []
    host = urlparse(live_server.url).netloc

    def watch(request):
        parsed = urlparse(request.url)
        if parsed.scheme in ("http", "https") and parsed.netloc != host:
            page.outside_requests.append(request.url)

    page.on("request", watch)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_a_report_filed_on_a_phone_with_a_photo_is_reviewed_by_an_official(
    phone, live_server, tmp_path
):
    units = make_district()
    category("encroachment")
    earlier = file_report(Point(PHOTO_LON, PHOTO_LAT + 0.0001, srid=4326), code="encroachment")
    official = make_official(units["ward_b"])
    photo = tmp_path / "IMG_2041.jpg"
    photo.write_bytes(jpeg_bytes((1200, 900), gps=True))

    # The citizen: the photo's own position places the pin (on the phone only).
    phone.goto(live_server.url + "/reports/new/")
    phone.wait_for_selector("#report-map.leaflet-container")
    phone.set_input_files("input[name=photos]", str(photo))
    phone.wait_for_function("() => document.querySelector('input[name=lon]').value !== ''")
    assert abs(float(phone.input_value("input[name=lat]")) - PHOTO_LAT) < 1e-5
    assert abs(float(phone.input_value("input[name=lon]")) - PHOTO_LON) < 1e-5
    phone.wait_for_selector("#report-where.ok")
    assert "Phường 11" in phone.text_content("#report-where")

    # Same category nearby: the "me too" step offers the earlier report.
    phone.select_option("select[name=category]", "encroachment")
    phone.wait_for_selector("#report-nearby:not([hidden])")
    assert earlier.tracking_code in phone.text_content("#report-nearby-list")

    phone.fill(
        "textarea[name=description]",
        "Quán lấn chiếm toàn bộ vỉa hè, người đi bộ phải xuống lòng đường",
    )
    phone.click("summary")
    phone.fill("input[name=reporter_email]", "dan@example.vn")
    phone.screenshot(path="/tmp/urbanmgmt-report-filing.png", full_page=True)
    phone.click("button[type=submit].big")
    phone.wait_for_selector("#tracking-code")

    code = phone.text_content("#tracking-code").strip()
    report = Report.objects.get(tracking_code=code)
    assert report.ward == units["ward_b"]
    assert phone.text_content("#report-status").strip() == "Received"
    # The stored photo kept none of the original's metadata.
    with report.photos.get().image.open("rb") as stored:
        data = stored.read()
    assert b"Exif" not in data and dict(Image.open(io.BytesIO(data)).getexif()) == {}

    # The official of ward B finds it in the queue and verifies it.
    sign_in(phone, live_server, official)
    phone.goto(live_server.url + "/reports/queue/")
    phone.wait_for_selector("#queue-map.leaflet-container")
    phone.click(f"#queue-list a:has-text('{code}')")
    phone.wait_for_selector("#review-status")
    assert "dan@example.vn" in phone.text_content("#reporter")
    phone.fill("form[action$='/verify/'] input[name=public_note]", "Đã xác minh tại chỗ")
    phone.click("form[action$='/verify/'] button")
    phone.wait_for_selector("#review-status:has-text('Verified')")
    phone.screenshot(path="/tmp/urbanmgmt-report-review.png", full_page=True)

    report.refresh_from_db()
    assert report.status == Status.VERIFIED

    # On a desk, the queue shows the map beside the list, near reports clustered.
    phone.set_viewport_size({"width": 1280, "height": 800})
    phone.goto(live_server.url + "/reports/queue/")
    phone.wait_for_selector("#queue-map .marker-cluster")
    assert "2" in phone.text_content("#queue-map .marker-cluster")
    phone.screenshot(path="/tmp/urbanmgmt-report-queue.png")
    assert phone.outside_requests == []
    assert phone.errors == []


def noisy_jpeg(size: tuple[int, int]) -> bytes:
    """A phone-sized photo with EXIF GPS that compresses like a real one (several MB)."""
    import numpy as np

    pixels = np.random.default_rng(7).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (10.0, 48.0, 30.0), 3: "E", 4: (106.0, 42.0, 15.0)})
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def test_the_phone_sends_a_smaller_photo_without_its_exif(phone, live_server, tmp_path):
    make_district()
    category("encroachment")
    original = noisy_jpeg((4000, 3000))
    photo = tmp_path / "IMG_2042.jpg"
    photo.write_bytes(original)

    phone.goto(live_server.url + "/reports/new/")
    phone.wait_for_selector("#report-map.leaflet-container")
    phone.set_input_files("input[name=photos]", str(photo))
    phone.wait_for_selector("#report-where.ok")  # the pin, from the original's EXIF
    phone.select_option("select[name=category]", "encroachment")
    phone.fill("textarea[name=description]", "Vật liệu xây dựng chiếm vỉa hè")
    # Hold the form back when it is really sent, to read the file it sends.
    phone.evaluate(
        """(originalSize) => window.addEventListener("submit", (event) => {
             const files = event.target.querySelector("input[name=photos]").files;
             if (files[0].size < originalSize) {
               event.preventDefault();
               window.sentPhoto = files[0];
             }
           }, true)""",
        len(original),
    )
    phone.click("button[type=submit].big")
    phone.wait_for_function("() => window.sentPhoto !== undefined")
    sent = bytes(
        phone.evaluate(
            "async () => Array.from(new Uint8Array(await window.sentPhoto.arrayBuffer()))"
        )
    )

    assert len(sent) < len(original) / 2
    uploaded = Image.open(io.BytesIO(sent))
    assert (uploaded.format, uploaded.size) == ("JPEG", (1280, 960))
    # 4:2:0 chroma, which the server re-encodes from its planes (reports.photos).
    assert JpegImagePlugin.get_sampling(uploaded) == 2
    assert b"Exif" not in sent and dict(uploaded.getexif()) == {}
    # Sent on, it is stored at that size.
    phone.evaluate("() => document.getElementById('report-form').submit()")
    phone.wait_for_selector("#tracking-code")
    report = Report.objects.get(tracking_code=phone.text_content("#tracking-code").strip())
    assert (report.photos.get().width, report.photos.get().height) == (1280, 960)
    assert phone.errors == []
