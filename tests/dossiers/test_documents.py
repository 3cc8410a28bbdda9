"""Documents are judged by their content and their size, never by their name."""

import io

import pytest
from PIL import Image

from dossiers import documents
from dossiers.documents import DocumentRefused, Upload, check
from tests.dossiers.factories import PDF


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_pdf_is_accepted_whatever_its_name():
    checked = check(Upload("Đơn", "scan.bin", PDF))
    assert checked.content_type == "application/pdf"
    assert len(checked.sha256) == 64


def test_a_png_is_accepted():
    assert check(Upload("Ảnh hiện trạng", "anh.png", png_bytes())).content_type == "image/png"


def test_a_program_named_pdf_is_refused():
    with pytest.raises(DocumentRefused, match="not a PDF, PNG or JPEG"):
        check(Upload("Đơn", "don.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100))


def test_a_cut_off_pdf_is_refused():
    with pytest.raises(DocumentRefused, match="complete PDF"):
        check(Upload("Đơn", "don.pdf", PDF[:-8] + b"x" * 2000))


def test_an_image_header_with_garbage_behind_it_is_refused():
    with pytest.raises(DocumentRefused, match="readable image"):
        check(Upload("Ảnh", "anh.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10))


def test_an_empty_file_is_refused():
    with pytest.raises(DocumentRefused, match="empty"):
        check(Upload("Đơn", "don.pdf", b""))


def test_a_file_over_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(documents, "MAX_BYTES", 1000)
    with pytest.raises(DocumentRefused, match="larger than"):
        check(Upload("Đơn", "don.pdf", PDF + b" " * 1000))
