import gzip
import math

import mapbox_vector_tile
import pytest
from django.core.cache import caches
from django.db import connection

from gis.importer import run_import
from gis.models import Parcel
from gis.publish import Property, PublishedLayer, get_layer, register_layer
from gis.tiles import WORLD_HALF, TileAddress, build_tile
from tests.factories import SOUTH, WEST, make_parcel, make_unit, parcel_rows, write_layer

pytestmark = pytest.mark.django_db

MVT = "application/vnd.mapbox-vector-tile"


@pytest.fixture(autouse=True)
def tile_cache(settings, tmp_path):
    """The file cache of production, in a folder of the test's own."""
    settings.CACHES = {
        "default": {"BACKEND": "gis.tiles.FileCache", "LOCATION": tmp_path / "cache"}
    }
    yield
    caches["default"].clear()


@pytest.fixture
def en_client(client, settings):
    """A client that chose English with the language switch (the app speaks Vietnamese first)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def url(layer: str, z: int, x: int, y: int) -> str:
    return f"/tiles/{layer}/{z}/{x}/{y}.pbf"


def decode(response) -> dict:
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return mapbox_vector_tile.decode(body)


def features(response, layer: str) -> list[dict]:
    return decode(response).get(layer, {}).get("features", [])


def fill_tile_with_parcels(ward, z: int, x: int, y: int, per_side: int) -> int:
    """One small parcel in each cell of a per_side × per_side grid over the tile, in one INSERT."""
    size = 2 * WORLD_HALF / 2**z
    count = per_side * per_side
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO spatial_parcel
                 (ward_id, sheet_no, parcel_no, land_use, address, address_search, geom, updated_at)
               SELECT %(ward)s, i / 1000 + 1, i %% 1000 + 1,
                      (ARRAY['ODT', 'CLN', 'TMD', 'DGT'])[i %% 4 + 1], '', '',
                      ST_Multi(ST_Transform(ST_MakeEnvelope(
                        %(xmin)s + (i %% %(n)s + 0.3) * %(cell)s, %(ymax)s - (i / %(n)s + 0.7) * %(cell)s,
                        %(xmin)s + (i %% %(n)s + 0.7) * %(cell)s, %(ymax)s - (i / %(n)s + 0.3) * %(cell)s,
                        3857), 4326)),
                      now()
               FROM generate_series(0, %(last)s) AS i""",
            {
                "ward": ward.pk,
                "n": per_side,
                "cell": size / per_side,
                "xmin": -WORLD_HALF + x * size,
                "ymax": WORLD_HALF - y * size,
                "last": count - 1,
            },
        )
    return count


# --- content ------------------------------------------------------------------------------


def test_a_parcel_is_in_its_z16_tile_with_its_key_and_land_use(client, district):
    parcel = make_parcel(district["ward_a"], 7, 42, land_use="ODT", address="12 Nơ Trang Long")
    centre = parcel.geom.centroid

    response = client.get(url("parcels", *tile_of(centre.x, centre.y, 16)))

    assert response.status_code == 200
    assert response["Content-Type"] == MVT
    [feature] = features(response, "parcels")
    assert feature["id"] == parcel.pk
    assert feature["geometry"]["type"] == "Polygon"
    assert feature["properties"] == {
        "ward_code": "26905",
        "sheet_no": 7,
        "parcel_no": 42,
        "land_use": "ODT",
        "area_m2": pytest.approx(Parcel.objects.get().area_m2, abs=0.1),
    }


def test_the_units_tile_names_the_units_in_vietnamese_with_their_parents(client, district):
    response = client.get(url("units", *tile_of(106.70, 10.80, 14)))

    units = {f["properties"]["code"]: f["properties"] for f in features(response, "units")}
    assert units["26905"] == {
        "code": "26905",
        "name": "Phường 13",
        "level": "ward",
        "parent_code": "765",
    }
    assert units["26908"]["name"] == "Phường 11"
    assert units["765"]["name"] == "Quận Bình Thạnh"


def test_a_unit_no_longer_valid_is_not_in_the_units_tile(client, district):
    make_unit("26999", "Phường 99", valid_from=district["ward_a"].valid_from, valid_to=None)
    make_unit("26998", "Phường cũ", valid_to=district["ward_a"].valid_from)

    response = client.get(url("units", *tile_of(106.70, 10.80, 14)))

    codes = {f["properties"]["code"] for f in features(response, "units")}
    assert "26999" in codes and "26998" not in codes


def test_a_layer_publishes_only_the_columns_it_lists(district):
    parcel = make_parcel(district["ward_a"], address="12 Nơ Trang Long, Phường 13")
    layer = PublishedLayer(
        name="parcel_addresses",
        title="test",
        source="SELECT id, geom, geom_3857, address, land_use FROM spatial_parcel",
        properties=(Property("land_use"),),
    )
    centre = parcel.geom.centroid

    tile = mapbox_vector_tile.decode(
        build_tile(layer, TileAddress(*tile_of(centre.x, centre.y, 16)))
    )

    assert set(tile["parcel_addresses"]["features"][0]["properties"]) == {"land_use"}


# --- lighter below zoom 16 ----------------------------------------------------------------


def test_below_zoom_16_parcels_are_clusters_that_count_every_parcel_under_500_kb(client, district):
    # The densest z14 tile there can be for clusters: a parcel in every one of its cells.
    z, x, y = tile_of(106.69, 10.80, 14)
    total = fill_tile_with_parcels(district["ward_a"], z, x, y, per_side=128)

    response = client.get(url("parcels", z, x, y))
    raw = response.content  # not gzipped: the test client does not ask for it
    clusters = features(response, "parcels_clusters")

    assert len(raw) < 500_000
    assert "parcels" not in decode(response)
    assert sum(c["properties"]["count"] for c in clusters) == total
    assert {c["properties"]["land_use"] for c in clusters} == {"ODT", "CLN", "TMD", "DGT"}
    assert {c["geometry"]["type"] for c in clusters} == {"Point"}
    # Split among the four z15 tiles below, no parcel is lost or counted twice.
    children = [
        features(client.get(url("parcels", z + 1, 2 * x + dx, 2 * y + dy)), "parcels_clusters")
        for dx in (0, 1)
        for dy in (0, 1)
    ]
    assert sum(c["properties"]["count"] for tile in children for c in tile) == total
    # From zoom 16 each parcel is a polygon of its own.
    detail = client.get(url("parcels", z + 2, 4 * x + 1, 4 * y + 1))
    polygons = features(detail, "parcels")
    assert len(polygons) >= (128 // 4) ** 2
    assert {p["geometry"]["type"] for p in polygons} == {"Polygon"}


# --- status codes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "z, x, y",
    [
        (16, 65536, 0),  # x past the matrix
        (16, 0, 65536),
        (16, -1, 0),
        (12, 0, 0),  # below the layer's minimum zoom
        (19, 0, 0),  # above its maximum
        (99999999999, 0, 0),
    ],
)
def test_a_tile_outside_the_tile_matrix_is_a_404_with_a_message(en_client, db, z, x, y):
    response = en_client.get(url("parcels", z, x, y))

    assert response.status_code == 404
    assert "outside the tile matrix" in response.json()["error"]


def test_an_unknown_layer_is_a_404_that_names_the_published_layers(en_client, db):
    for path in (url("galaxies", 0, 0, 0), "/tiles/galaxies.json"):
        response = en_client.get(path)
        assert response.status_code == 404
        assert "galaxies" in response.json()["error"]
        assert "parcels" in response.json()["error"]


def test_an_empty_tile_is_a_204(client, district):
    response = client.get(url("parcels", *tile_of(0.0, 0.0, 16)))

    assert response.status_code == 204
    assert response.content == b""


# --- HTTP caching ---------------------------------------------------------------------------


def test_a_tile_is_gzipped_only_for_a_client_that_accepts_gzip(client, district):
    parcel = make_parcel(district["ward_a"])
    path = url("parcels", *tile_of(parcel.geom.centroid.x, parcel.geom.centroid.y, 16))

    zipped = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    plain = client.get(path)

    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert not plain.has_header("Content-Encoding")
    assert "Accept-Encoding" in zipped["Vary"]
    assert zipped["Cache-Control"].startswith("public, max-age=")


def test_a_matching_if_none_match_gets_a_304(client, district):
    parcel = make_parcel(district["ward_a"])
    path = url("parcels", *tile_of(parcel.geom.centroid.x, parcel.geom.centroid.y, 16))

    etag = client.get(path)["ETag"]
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_a_warm_tile_is_served_without_a_query(client, district, django_assert_num_queries):
    parcel = make_parcel(district["ward_a"])
    path = url("parcels", *tile_of(parcel.geom.centroid.x, parcel.geom.centroid.y, 16))
    cold = client.get(path)

    with django_assert_num_queries(0):
        warm = client.get(path)

    assert warm.status_code == 200
    assert warm.content == cold.content


# --- invalidation ---------------------------------------------------------------------------


def test_an_import_changes_the_tile_and_its_etag(
    client, district, tmp_path, django_capture_on_commit_callbacks
):
    path = url("parcels", *tile_of(WEST + 0.001, SOUTH + 0.001, 16))
    before = client.get(path)

    with django_capture_on_commit_callbacks(execute=True):
        run_import("parcels", write_layer(tmp_path / "p.gpkg", parcel_rows(5)))
    after = client.get(path, HTTP_IF_NONE_MATCH=before["ETag"])

    assert before.status_code == 204
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert len(features(after, "parcels")) == 5


def test_editing_a_parcel_changes_its_tile(client, district, django_capture_on_commit_callbacks):
    parcel = make_parcel(district["ward_a"], land_use="ODT")
    path = url("parcels", *tile_of(parcel.geom.centroid.x, parcel.geom.centroid.y, 16))
    before = client.get(path)

    with django_capture_on_commit_callbacks(execute=True):
        parcel.land_use = "CLN"
        parcel.save()
    edited = client.get(path)
    with django_capture_on_commit_callbacks(execute=True):
        parcel.delete()
    deleted = client.get(path)

    assert edited["ETag"] != before["ETag"]
    assert features(edited, "parcels")[0]["properties"]["land_use"] == "CLN"
    assert deleted.status_code == 204


def test_renaming_a_ward_changes_the_keys_in_the_parcel_tiles(
    client, district, django_capture_on_commit_callbacks
):
    parcel = make_parcel(district["ward_a"])
    path = url("parcels", *tile_of(parcel.geom.centroid.x, parcel.geom.centroid.y, 16))
    client.get(path)

    with django_capture_on_commit_callbacks(execute=True):
        district["ward_a"].code = "26906"
        district["ward_a"].save()

    assert features(client.get(path), "parcels")[0]["properties"]["ward_code"] == "26906"


# --- TileJSON -----------------------------------------------------------------------------


def test_the_tilejson_gives_the_tile_url_bounds_zooms_and_fields(
    client, district, django_assert_num_queries
):
    make_parcel(district["ward_a"])

    body = client.get("/tiles/parcels.json").json()

    assert body["tilejson"] == "3.0.0"
    assert body["tiles"] == ["http://testserver/tiles/parcels/{z}/{x}/{y}.pbf"]
    assert (body["minzoom"], body["maxzoom"]) == (13, 18)
    west, south, east, north = Parcel.objects.get().geom.extent
    assert body["bounds"] == pytest.approx([west, south, east, north], abs=1e-6)
    layers = {layer["id"]: layer for layer in body["vector_layers"]}
    assert layers["parcels"]["minzoom"] == 16
    assert layers["parcels"]["fields"]["ward_code"] == "String"
    assert layers["parcels"]["fields"]["area_m2"] == "Number"
    # The key is in the OGC API; tiles leave it to the client (ward, sheet and parcel).
    assert "key" not in layers["parcels"]["fields"]
    assert "address" not in layers["parcels"]["fields"]
    assert layers["parcels_clusters"]["fields"] == {"count": "Number", "land_use": "String"}
    assert layers["parcels_clusters"]["maxzoom"] == 15
    with django_assert_num_queries(0):
        client.get("/tiles/parcels.json")


def test_the_units_tilejson_has_a_title_in_vietnamese_by_default(client, district):
    body = client.get("/tiles/units.json").json()

    assert body["name"] == "Đơn vị hành chính"
    assert [layer["id"] for layer in body["vector_layers"]] == ["units"]


def test_a_tile_outside_the_matrix_is_explained_in_vietnamese_by_default(client, db):
    response = client.get(url("parcels", 12, 0, 0))

    assert "nằm ngoài ma trận ô lưới" in response.json()["error"]


def test_a_second_layer_cannot_take_a_published_name():
    impostor = PublishedLayer(
        name="parcels", title="test", source="SELECT 1", properties=(Property("key"),)
    )
    assert get_layer("parcels") != impostor
    with pytest.raises(ValueError, match="already published"):
        register_layer(impostor)


def test_tiles_may_carry_only_properties_the_layer_publishes():
    with pytest.raises(ValueError, match="tile properties must be among its properties"):
        PublishedLayer(
            name="x",
            title="x",
            source="SELECT 1",
            properties=(Property("a"),),
            tile_properties=("b",),
        )
