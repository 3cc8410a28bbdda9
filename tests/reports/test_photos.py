"""Photos: JPEG, PNG or WebP by content, size-limited, re-encoded without any metadata."""

import io

import numpy as np
import pytest
from PIL import Image, JpegImagePlugin

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


def test_a_large_photo_is_stored_at_most_1280_pixels_wide(district):
    report = file_report(IN_WARD_A, photos=[jpeg_bytes((5000, 1000), fmt="PNG")])

    photo = report.photos.get()
    assert (photo.width, photo.height) == (1280, 256)
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


def _textured(size=(640, 480), **save) -> bytes:
    """A JPEG with grain in every pixel, as a photo of a street has (plain colours would
    survive any re-encode untouched)."""
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=85, **save)
    return out.getvalue()


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=int)


def test_a_photo_as_phones_send_it_loses_almost_nothing_to_the_re_encode(district):
    # 4:2:0 chroma, as phones and browsers write JPEGs: re-encoded from its Y, Cb and Cr
    # planes, the photo differs from the upload by a fraction of a level (3-4 levels when
    # it goes through RGB), and still carries nothing of the original's metadata.
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825).update({1: "N", 2: (10.0, 48.0, 30.0)})
    original = _textured(exif=exif, comment=b"taken at home")

    report = file_report(IN_WARD_A, photos=[original])

    with report.photos.get().image.open("rb") as stored:
        data = stored.read()
    assert np.abs(_pixels(data) - _pixels(original)).mean() < 1
    assert b"PhoneMaker" not in data and b"taken at home" not in data
    assert set(Image.open(io.BytesIO(data)).info) <= {
        "jfif",
        "jfif_version",
        "jfif_unit",
        "jfif_density",
    }


def test_a_damaged_photo_is_refused_not_stored_half_grey(district):
    # libjpeg-turbo only warns on a cut-off file and fills the rest in grey.
    original = _textured()
    cut = original[: len(original) * 2 // 3]

    with pytest.raises(ReportError) as refused:
        file_report(IN_WARD_A, photos=[cut])

    assert "damaged" in refused.value.message
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    "save", [{"subsampling": 0}, {"progressive": True}], ids=["4:4:4", "progressive"]
)
def test_other_jpegs_are_cleaned_too(district, save):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    original = _textured(exif=exif, **save)

    report = file_report(IN_WARD_A, photos=[original])

    with report.photos.get().image.open("rb") as stored:
        data = stored.read()
    assert b"PhoneMaker" not in data
    assert JpegImagePlugin.get_sampling(Image.open(io.BytesIO(data))) == 2  # 4:2:0


@pytest.mark.parametrize(
    ("size", "thumbnail"),
    [((640, 480), (320, 240)), ((1279, 957), (320, 239)), ((333, 101), (320, 97))],
)
def test_the_photo_and_its_thumbnail_keep_each_colour_in_its_place(district, size, thumbnail):
    # Red, green, blue and white quarters: a plane read from the wrong offset, or a
    # chroma plane misaligned on an odd size, shows as a wrong colour in a corner.
    width, height = size
    image = Image.new("RGB", size, (255, 255, 255))
    for box, colour in (
        ((0, 0, width // 2, height // 2), (220, 20, 20)),
        ((width // 2, 0, width, height // 2), (20, 200, 20)),
        ((0, height // 2, width // 2, height), (20, 20, 220)),
    ):
        image.paste(colour, box)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)

    photo = file_report(IN_WARD_A, photos=[out.getvalue()]).photos.get()

    for field, expected_size in ((photo.image, size), (photo.thumbnail, thumbnail)):
        with Image.open(field.path) as stored:
            assert stored.size == expected_size
            w, h = stored.size
            corners = [
                stored.convert("RGB").getpixel(xy)
                for xy in ((4, 4), (w - 5, 4), (4, h - 5), (w - 5, h - 5))
            ]
        for got, want in zip(
            corners, [(220, 20, 20), (20, 200, 20), (20, 20, 220), (255, 255, 255)], strict=True
        ):
            assert max(abs(g - e) for g, e in zip(got, want, strict=True)) < 24, (
                field.name,
                corners,
            )


def test_without_libturbojpeg_photos_go_through_pillow(district, monkeypatch, caplog):
    from reports import photos

    def missing(*args, **kwargs):
        raise RuntimeError("Unable to locate turbojpeg library automatically.")

    monkeypatch.setattr(photos, "_StrictTurboJPEG", missing)
    photos._turbojpeg.cache_clear()
    try:
        original = _textured()
        report = file_report(IN_WARD_A, photos=[original])
    finally:
        photos._turbojpeg.cache_clear()

    with report.photos.get().image.open("rb") as stored:
        # Stored all the same, through RGB (3-4 levels from the upload, not a fraction of one).
        assert np.abs(_pixels(stored.read()) - _pixels(original)).mean() > 1
    assert "libturbojpeg cannot be loaded" in caplog.text
