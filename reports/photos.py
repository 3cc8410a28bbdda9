"""Photos of reports: accepted by content, re-encoded with nothing of the original kept.

A phone's JPEG carries EXIF with the GPS position it was taken at, which is often the
reporter's home. We decode the pixels (JPEG, PNG or WebP, recognised from the bytes, not the
name), turn them upright, and encode a new JPEG from a fresh image that has no metadata at
all: no EXIF, no XMP, no ICC profile, no comments. The original bytes are never stored.

A JPEG as the filing page sends it (drawn at the stored size, 4:2:0 chroma, upright) is
decoded to its Y, Cb and Cr planes and encoded from them by libjpeg-turbo (`_reencode_ycbcr`);
everything else goes through Pillow in RGB.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from turbojpeg import TJFLAG_STOPONWARNING, TJSAMP_420, TJCS_YCbCr, TurboJPEG

log = logging.getLogger(__name__)

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# About a 50-megapixel camera; more is a decompression bomb, not a photo of a sidewalk.
MAX_PIXELS = 50_000_000
THUMBNAIL_SIDE = 320
JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 75
# How far under the stored side a reduced-scale JPEG decode may land (see _draft).
DRAFT_SHORTFALL = 0.05
ORIENTATION = 0x0112  # the EXIF tag that says how to turn the picture upright


class PhotoError(ValueError):
    """The upload is not a photo we accept; the message says why."""


@dataclass(frozen=True)
class CleanPhoto:
    image: bytes
    thumbnail: bytes
    width: int
    height: int


def stored_side() -> int:
    """The longest side a photo is stored at (settings.REPORTS_PHOTO_SIDE)."""
    return settings.REPORTS_PHOTO_SIDE


def max_photo_bytes() -> int:
    return int(getattr(settings, "REPORTS_MAX_PHOTO_BYTES", MAX_PHOTO_BYTES))


def read_upload(upload: bytes | IO[bytes]) -> bytes:
    """The upload's bytes, refused as soon as it is larger than the limit."""
    limit = max_photo_bytes()
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > limit:
            raise PhotoError(_too_large(limit))
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(limit + 1)
    if len(data) > limit:
        raise PhotoError(_too_large(limit))
    if not data:
        raise PhotoError(_("The photo is empty."))
    return data


def _too_large(limit: int) -> str:
    return _("A photo may be at most %(mb)d MB.") % {"mb": limit // (1024 * 1024)}


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # Standard Huffman tables: fitted ones (optimize=True) make the file about 5 % smaller
    # but cost 13 ms more on a 3-megapixel photo, a third of the whole re-encode.
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _draft(jpeg: Image.Image, side: int) -> None:
    """Have the JPEG decoded at the smallest DCT scale (1/2, 1/4, 1/8) that still gives the
    stored side: a 12-megapixel phone photo stored at 1600 px decodes at half scale, 3×
    faster. A scale may fall short of the side by DRAFT_SHORTFALL (4032 px at 2048: 2016,
    not a full decode of four times the pixels for 32 more), never by more (a 5-megapixel
    photo at 1600 px is decoded whole, not stored at 1296)."""
    width, height = jpeg.size
    for scale in (8, 4, 2):
        if max(width, height) / scale >= side * (1 - DRAFT_SHORTFALL):
            # draft() takes the largest scale that keeps both sides at least this size.
            jpeg.draft("RGB", (max(1, width // scale), max(1, height // scale)))
            return


def clean_photo(upload: bytes | IO[bytes]) -> CleanPhoto:
    """Decode an uploaded photo and re-encode it, and its thumbnail, without metadata."""
    data = read_upload(upload)
    side = stored_side()
    try:
        with Image.open(io.BytesIO(data)) as original:
            if original.format not in ACCEPTED_FORMATS:
                raise PhotoError(_("Only JPEG, PNG or WebP photos are accepted."))
            if original.width * original.height > MAX_PIXELS:
                raise PhotoError(_("The photo has too many pixels."))
            upright = original.getexif().get(ORIENTATION, 1) == 1
            if original.format == "JPEG" and upright and max(original.size) <= side:
                # As the filing page sends photos: no resampling, no turning.
                clean = _reencode_ycbcr(data, original.size)
                if clean is not None:
                    return clean
            if original.format == "JPEG":
                _draft(original, side)
            original.load()
            picture = original if upright else ImageOps.exif_transpose(original)
    except PhotoError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise PhotoError(_("Only JPEG, PNG or WebP photos are accepted.")) from None
    except (OSError, SyntaxError, ValueError):
        raise PhotoError(_("The photo could not be read; it may be damaged.")) from None

    if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
        picture = picture.convert("RGBA")
    elif picture.mode != "RGB":
        picture = picture.convert("RGB")
    if max(picture.size) > side:
        scale = side / max(picture.size)
        size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
        # Bicubic, averaged down first by a whole factor when it is 4× or more: a camera
        # JPEG, decoded at half scale, is 1.26× too large for 1600 px, where Lanczos costs
        # twice as much (51 against 24-40 ms) for no difference one can see.
        picture = picture.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)
    bare = _bare(picture)
    return CleanPhoto(
        image=_jpeg(bare, JPEG_QUALITY),
        thumbnail=_jpeg(_thumbnail(bare), THUMBNAIL_QUALITY),
        width=bare.width,
        height=bare.height,
    )


class _StrictTurboJPEG(TurboJPEG):
    """PyTurboJPEG only warns (warnings.warn) when libjpeg-turbo reports a damaged stream
    ("premature end of JPEG file") and hands back the planes it filled in with grey; here a
    warning is an error, and the photo goes to Pillow, which refuses it."""

    # PyTurboJPEG's private `__report_error`, as its own calls reach it (name-mangled).
    def _TurboJPEG__report_error(self, handle: Any) -> None:
        raise OSError(self._TurboJPEG__get_error_string(handle))


@lru_cache(maxsize=1)
def _turbojpeg() -> TurboJPEG | None:
    """libjpeg-turbo's TurboJPEG library (Debian's libturbojpeg0, which `make setup`
    installs); without it every photo goes through Pillow, more slowly."""
    try:
        return _StrictTurboJPEG()
    except (OSError, RuntimeError) as error:
        log.warning("libturbojpeg cannot be loaded (%s): photos are re-encoded by Pillow", error)
        return None


def _reencode_ycbcr(data: bytes, size: tuple[int, int]) -> CleanPhoto | None:
    """A baseline or progressive YCbCr JPEG with 4:2:0 chroma (what phones and browsers
    write), decoded to its Y, Cb and Cr planes and encoded anew from them: a full re-encode
    (new DCT, quantisation and entropy coding; nothing of the original file is copied) that
    skips the chroma upsampling and both colour conversions of an RGB round trip. With the
    thumbnail, it took 8-9 % less CPU than Pillow's way at 1600 px and 17-18 % less at 1280,
    and it loses far less: the planes quantise back to nearly the same values, so the stored
    photo differs from the upload by 0.2 levels on average, against 2.7-3.8 through RGB
    (bench/reports.py's grainy photo at quality 85).

    None for any other JPEG, or one that libjpeg-turbo finds damaged: Pillow decides.
    """
    codec = _turbojpeg()
    if codec is None:
        return None
    try:
        width, height, subsampling, colorspace = codec.decode_header(data)
        if (width, height) != size or subsampling != TJSAMP_420 or colorspace != TJCS_YCbCr:
            return None
        planes, _sizes = codec.decode_to_yuv(data, pad=4, flags=TJFLAG_STOPONWARNING)
        image = codec.encode_from_yuv(
            planes, height, width, quality=JPEG_QUALITY, jpeg_subsample=TJSAMP_420
        )
    except OSError:
        return None
    # The planes one after the other, each row padded to 4 bytes. With 4:2:0 chroma,
    # libjpeg-turbo rounds the Y plane up to whole chroma samples (333 × 101 is 334 × 102).
    luma_size = (width + width % 2, height + height % 2)
    geometry = [luma_size, *[(luma_size[0] // 2, luma_size[1] // 2)] * 2]
    layout = [(columns, rows, (columns + 3) // 4 * 4) for columns, rows in geometry]
    if sum(stride * rows for _columns, rows, stride in layout) != planes.size:
        return None  # not the layout this was written for: Pillow's way instead
    offset, images = 0, []
    for columns, rows, stride in layout:
        plane = planes.data[offset : offset + stride * rows]
        images.append(Image.frombuffer("L", (columns, rows), plane, "raw", "L", stride, 1))
        offset += stride * rows
    # The thumbnail: Y averaged down by a whole factor, Cb and Cr (half size) by half of
    # it, or resampled to Y's size when the factor is odd (1: a photo under 640 px).
    luma, *chroma = images
    factor = max(1, max(size) // THUMBNAIL_SIDE)
    small = luma.reduce(factor)
    if factor % 2 == 0:
        chroma = [plane.reduce(factor // 2) for plane in chroma]
    else:
        resample = Image.Resampling.BOX if factor > 1 else Image.Resampling.BICUBIC
        chroma = [plane.resize(small.size, resample) for plane in chroma]
    visible = (-(-width // factor), -(-height // factor))
    picture = Image.merge("YCbCr", [small, *chroma]).crop((0, 0, *visible))
    return CleanPhoto(
        image=image,
        thumbnail=_jpeg(_thumbnail(picture), THUMBNAIL_QUALITY),
        width=width,
        height=height,
    )


def _bare(picture: Image.Image) -> Image.Image:
    """The pixels alone, in RGB: nothing the decoder attached to the original (EXIF, XMP,
    ICC, comments) can reach the encoder.

    Transparent pixels are laid on white in a new image. An opaque RGB picture (decoded
    here, ours to change) keeps its pixels, since copying 3 megapixels costs 2-3 ms, and
    loses its `info`: the only place Pillow's JPEG encoder takes metadata from, besides the
    arguments `_jpeg` gives it (none).
    """
    if picture.mode == "RGBA":
        bare = Image.new("RGB", picture.size, (255, 255, 255))
        bare.paste(picture.convert("RGB"), mask=picture.getchannel("A"))
        return bare
    picture.info = {}
    return picture


def _thumbnail(picture: Image.Image) -> Image.Image:
    """At most THUMBNAIL_SIDE a side: averaged down by a whole factor first (a box filter,
    3-4 ms on 3 megapixels, where Lanczos from the full size costs 9), then resampled."""
    factor = max(picture.size) // THUMBNAIL_SIDE
    small = picture.reduce(factor) if factor > 1 else picture.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.BICUBIC)
    small.info = {}
    return small
