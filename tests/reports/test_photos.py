"""Photos: JPEG, PNG or WebP by content, size-limited, re-encoded without any metadata."""

import io

import pytest
from PIL import Image

from reports.models import Photo, Report
from reports.services import ReportError
from tests.reports.factories import IN_WARD_A, file_report, jpeg_bytes

pytestmark = pytest.mark.django_db


def test_the_stored_photo_has_no_exif_and_no_gps(district):
    original = jpeg_bytes(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the input has GPS

    report = file_report(IN_WARD_A, photos=[original])

    photo = report.photos.get()
    for field in (photo.image, photo.thumbnail):
        with field.open("rb") as stored:
            data = stored.read()
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info and "icc_profile" not in image.info
        assert b"Exif" not in data and b"PhoneMaker" not in data
    assert (photo.width, photo.height) == (640, 480)
    with Image.open(photo.thumbnail.path) as thumbnail:
        assert max(thumbnail.size) == 320


def test_the_original_bytes_are_never_stored(district):
    original = jpeg_bytes(gps=True)

    report = file_report(IN_WARD_A, photos=[original])

    with report.photos.get().image.open("rb") as stored:
        assert stored.read() != original


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted_and_stored_as_jpeg(district, fmt):
    report = file_report(IN_WARD_A, photos=[jpeg_bytes(fmt=fmt)])

    with Image.open(report.photos.get().image.path) as stored:
        assert stored.format == "JPEG"


def test_a_non_image_upload_is_refused_whatever_its_name(district):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")

    with pytest.raises(ReportError) as refused:
        file_report(IN_WARD_A, photos=[fake])

    assert "JPEG, PNG or WebP" in refused.value.message
    assert Report.objects.count() == 0
    assert Photo.objects.count() == 0


def test_a_gif_is_refused(district):
    with pytest.raises(ReportError):
        file_report(IN_WARD_A, photos=[jpeg_bytes(fmt="GIF")])


def test_a_photo_over_the_size_limit_is_refused(district, settings):
    settings.REPORTS_MAX_PHOTO_BYTES = 1024 * 1024

    with pytest.raises(ReportError) as refused:
        file_report(IN_WARD_A, photos=[b"\xff\xd8" + b"0" * (1024 * 1024)])

    assert "at most 1 MB" in refused.value.message


def test_at_most_five_photos(district):
    with pytest.raises(ReportError) as refused:
        file_report(IN_WARD_A, photos=[jpeg_bytes()] * 6)

    assert refused.value.field == "photos"


def test_a_refused_photo_leaves_no_file_behind(district, settings):
    with pytest.raises(ReportError):
        file_report(IN_WARD_A, photos=[jpeg_bytes(), b"not an image"])

    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_sideways_phone_photo_is_stored_upright(district):
    image = Image.new("RGB", (400, 300), (10, 20, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)

    report = file_report(IN_WARD_A, photos=[out.getvalue()])

    photo = report.photos.get()
    assert (photo.width, photo.height) == (300, 400)


def test_a_transparent_png_is_flattened_on_white(district):
    image = Image.new("RGBA", (100, 80), (255, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")

    report = file_report(IN_WARD_A, photos=[out.getvalue()])

    with Image.open(report.photos.get().image.path) as stored:
        assert stored.mode == "RGB"
        assert all(channel > 240 for channel in stored.getpixel((50, 40)))


def test_a_large_photo_is_stored_at_most_1600_pixels_wide(district):
    report = file_report(IN_WARD_A, photos=[jpeg_bytes((5000, 1000), fmt="PNG")])

    photo = report.photos.get()
    assert (photo.width, photo.height) == (1600, 320)
    with Image.open(photo.thumbnail.path) as thumbnail:
        assert thumbnail.size == (320, 64)


def test_the_stored_size_is_a_setting(district, settings):
    settings.REPORTS_PHOTO_SIDE = 2048

    report = file_report(IN_WARD_A, photos=[jpeg_bytes((5000, 1000), fmt="PNG")])
    # A 12-megapixel JPEG is decoded at half scale, already under the limit: not resampled.
    camera = file_report(IN_WARD_A, photos=[jpeg_bytes((4032, 3024))])

    assert (report.photos.get().width, report.photos.get().height) == (2048, 410)
    assert (camera.photos.get().width, camera.photos.get().height) == (2016, 1512)
    with Image.open(camera.photos.get().thumbnail.path) as thumbnail:
        assert thumbnail.size == (320, 240)


@pytest.mark.parametrize(
    ("side", "original", "stored"),
    [
        # A 5-megapixel photo at half scale would be 1296 px: it is decoded whole instead.
        (1600, (2592, 1944), (1600, 1200)),
        # A 12-megapixel one at a quarter would be 1008 × 756: half scale, then resampled.
        (1280, (4032, 3024), (1280, 960)),
        (1280, (3000, 4000), (960, 1280)),
        # A very long strip: the short side asks for at least a pixel of the reduced decode
        # (whose 9 / 8 rows round up to 2).
        (1600, (13000, 9), (1600, 2)),
    ],
)
def test_a_larger_jpeg_is_never_stored_smaller_than_the_side(
    district, settings, side, original, stored
):
    settings.REPORTS_PHOTO_SIDE = side

    report = file_report(IN_WARD_A, photos=[jpeg_bytes(original)])

    assert (report.photos.get().width, report.photos.get().height) == stored


def test_no_profile_comment_or_xmp_of_the_original_is_kept(district):
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">HomeAddress</x:xmpmeta>'
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (10, 120, 200)).save(
        out, "JPEG", icc_profile=profile, comment=b"taken at home", xmp=xmp
    )
    original = Image.open(io.BytesIO(out.getvalue()))
    assert {"icc_profile", "comment", "xmp"} <= set(original.info)  # the input has all three

    report = file_report(IN_WARD_A, photos=[out.getvalue()])

    photo = report.photos.get()
    for field in (photo.image, photo.thumbnail):
        with field.open("rb") as stored:
            data = stored.read()
        assert not {"icc_profile", "comment", "xmp", "exif"} & set(
            Image.open(io.BytesIO(data)).info
        )
        assert b"taken at home" not in data and b"HomeAddress" not in data


@pytest.mark.parametrize("value", ["2048", "100"])
def test_the_stored_size_is_read_from_the_environment_and_checked(value):
    import os
    import subprocess
    import sys
    from pathlib import Path

    read = "import urbanmgmt.settings as s; print(s.REPORTS_PHOTO_SIDE)"
    done = subprocess.run(
        [sys.executable, "-c", read],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "REPORTS_PHOTO_SIDE": value},
        capture_output=True,
        text=True,
    )

    if value == "2048":
        assert (done.returncode, done.stdout.strip()) == (0, "2048")
    else:
        assert done.returncode != 0
        assert "REPORTS_PHOTO_SIDE must be 640 to 4096 pixels, not 100" in done.stderr
