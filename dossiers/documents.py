"""Checks of an uploaded document: PDF, PNG or JPEG judged by its content, never by its name."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

# 10 MB per file, 20 files per dossier, unless settings say otherwise.
MAX_BYTES = getattr(settings, "DOSSIER_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
MAX_FILES = getattr(settings, "DOSSIER_DOCUMENT_MAX_FILES", 20)


class DocumentRefused(ValueError):
    """The file is not one we accept; the message says why, for the applicant."""


@dataclass(frozen=True)
class Upload:
    """A document as the service receives it: which required document, and the file."""

    name: str
    filename: str
    content: bytes


@dataclass(frozen=True)
class CheckedDocument:
    name: str
    filename: str
    content: bytes
    content_type: str
    sha256: str


def _sniff(content: bytes) -> str | None:
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def check(upload: Upload) -> CheckedDocument:
    """The upload with its type, if it is a whole PDF, PNG or JPEG within the size limit."""
    size = len(upload.content)
    label = upload.filename or upload.name
    if size == 0:
        raise DocumentRefused(_("“%(file)s” is empty.") % {"file": label})
    if size > MAX_BYTES:
        raise DocumentRefused(
            _("“%(file)s” is larger than %(mb)s MB.") % {"file": label, "mb": MAX_BYTES // 2**20}
        )
    content_type = _sniff(upload.content)
    if content_type is None:
        raise DocumentRefused(_("“%(file)s” is not a PDF, PNG or JPEG file.") % {"file": label})
    if content_type == "application/pdf":
        # A PDF ends with %%EOF (followed at most by a little whitespace): a cut-off upload
        # or a renamed file does not.
        if b"%%EOF" not in upload.content[-1024:]:
            raise DocumentRefused(_("“%(file)s” is not a complete PDF.") % {"file": label})
    else:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(upload.content)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise DocumentRefused(
                _("“%(file)s” is not a readable image.") % {"file": label}
            ) from exc
    return CheckedDocument(
        name=upload.name.strip()[:300] or label,
        filename=upload.filename[:200],
        content=upload.content,
        content_type=content_type,
        sha256=hashlib.sha256(upload.content).hexdigest(),
    )
