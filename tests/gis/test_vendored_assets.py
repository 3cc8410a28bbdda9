"""Front-end libraries are served by the app and reach no third-party server by default."""

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "gis" / "static" / "spatial"
# Default tile servers and CDNs a library might fall back to on its own.
REMOTE_DEFAULTS = re.compile(
    r"https?://(?:[a-z.]*tile\.openstreetmap\.org|unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com"
    r"|code\.jquery\.com|fonts\.googleapis\.com|maps\.google\.com/mapfiles)"
)


@pytest.mark.parametrize(
    "path",
    sorted(p for p in STATIC.rglob("*") if p.suffix in {".js", ".css", ".html"}),
    ids=lambda p: p.name,
)
def test_vendored_assets_name_no_default_remote_server(path):
    assert not REMOTE_DEFAULTS.search(path.read_text(encoding="utf-8", errors="replace"))


def test_the_local_fallback_tile_exists():
    assert (STATIC / "blank-tile.png").read_bytes().startswith(b"\x89PNG")
