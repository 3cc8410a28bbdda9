"""Clients nobody here wrote read the OGC API from a live server: GDAL (ogrinfo, ogr2ogr) and OWSLib."""

import os
import re
import shutil
import subprocess

import pyogrio
import pytest
from django.core.cache import caches

from gis.publish import published_layers
from tests.factories import EAST, MIDDLE, NORTH, SOUTH, WEST, make_district
from tests.gis.ogc_factories import count_parcels_intersecting, fill_box_with_parcels

# The live server answers from another thread: the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

# Cuts through the grid of parcels in ward A, so that some parcels straddle its edges.
BOX = (WEST + 0.0035, SOUTH + 0.0051, WEST + 0.0145, SOUTH + 0.0250)


@pytest.fixture(autouse=True)
def private_cache(settings, tmp_path):
    settings.CACHES = {
        "default": {"BACKEND": "gis.tiles.FileCache", "LOCATION": tmp_path / "cache"}
    }
    yield
    caches["default"].clear()


@pytest.fixture
def city():
    units = make_district()
    fill_box_with_parcels(units["ward_a"], WEST, SOUTH, MIDDLE, NORTH, per_side=20)
    fill_box_with_parcels(units["ward_b"], MIDDLE, SOUTH, EAST, NORTH, per_side=5, sheet_no=2)
    return units


def gdal(*args: str) -> subprocess.CompletedProcess:
    if shutil.which(args[0]) is None:
        pytest.fail(f"{args[0]} is needed (Debian package gdal-bin); run `make setup`")
    env = {**os.environ, "CPL_DEBUG": "ON", "NO_PROXY": "*", "no_proxy": "*"}
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, check=False)


def test_ogrinfo_lists_every_published_layer(live_server, city):
    run = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{live_server.url}/ogc/")

    assert run.returncode == 0, run.stderr
    listed = re.findall(r"^\d+: (\w+)", run.stdout, re.M)
    assert listed == [layer.name for layer in published_layers()]


def test_ogr2ogr_pages_through_a_box_and_gets_every_parcel_in_it(live_server, city, tmp_path):
    out = tmp_path / "out.gpkg"

    run = gdal(
        "ogr2ogr", "-f", "GPKG", str(out), f"OAPIF:{live_server.url}/ogc/", "parcels",
        "-spat", *map(str, BOX),
    )  # fmt: skip

    assert run.returncode == 0, run.stderr
    expected = count_parcels_intersecting(*BOX)
    info = pyogrio.read_info(out, layer="parcels")
    assert info["features"] == expected
    # More than one page: GDAL followed our next links to get them all.
    fetched_pages = re.findall(r"Fetch\((\S*/items\?\S*after=\d+\S*)\)", run.stderr)
    assert expected > 10 and len(fetched_pages) >= 2
    assert "key" in info["fields"] and "address" not in info["fields"]


def test_owslib_reads_the_conformance_the_collections_and_a_page_of_items(live_server, city):
    from owslib.ogcapi.features import Features

    api = Features(f"{live_server.url}/ogc/")

    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
        in (api.conformance()["conformsTo"])
    )
    assert api.feature_collections() == [layer.name for layer in published_layers()]
    assert api.collection("parcels")["extent"]["spatial"]["bbox"]
    page = api.collection_items("parcels", limit=7, bbox=list(BOX))
    assert page["type"] == "FeatureCollection"
    assert page["numberReturned"] == len(page["features"]) == 7
    assert page["numberMatched"] == count_parcels_intersecting(*BOX)
    assert api.api()["openapi"].startswith("3.0")
