"""Pages of features: /ogc/collections/{id}/items, paged by id, filtered by bbox and time."""

import datetime as dt
import json
import struct
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.cache import caches
from django.utils import timezone

from gis import ogc
from gis.models import Parcel
from gis.publish import Property, PublishedLayer
from tests.factories import MIDDLE, NORTH, SOUTH, WEST, make_parcel, rect
from tests.gis.ogc_factories import (
    count_parcels_intersecting,
    fill_box_with_parcels,
    publish_for_test,
)

pytestmark = pytest.mark.django_db

ITEMS = "/ogc/collections/parcels/items"


@pytest.fixture(autouse=True)
def private_cache(settings, tmp_path):
    settings.CACHES = {
        "default": {"BACKEND": "gis.tiles.FileCache", "LOCATION": tmp_path / "cache"}
    }
    yield
    caches["default"].clear()


@pytest.fixture
def en_client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def link(body: dict, rel: str) -> str | None:
    return next((item["href"] for item in body["links"] if item["rel"] == rel), None)


def path_of(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.path}?{parsed.query}"


def test_following_next_links_reads_every_parcel_once_in_id_order(client, district):
    total = fill_box_with_parcels(district["ward_a"], WEST, SOUTH, MIDDLE, NORTH, per_side=5)

    ids, pages = [], 0
    url = f"{ITEMS}?limit=7"
    while url:
        response = client.get(url)
        body = response.json()
        assert response["Content-Type"] == "application/geo+json"
        assert body["type"] == "FeatureCollection"
        assert body["numberReturned"] == len(body["features"]) <= 7
        ids += [feature["id"] for feature in body["features"]]
        pages += 1
        url = link(body, "next") and path_of(link(body, "next"))

    assert pages == 4
    assert ids == sorted(Parcel.objects.values_list("id", flat=True)) and len(ids) == total


def test_next_and_prev_links_page_by_feature_id_not_by_offset(client, district):
    fill_box_with_parcels(district["ward_a"], WEST, SOUTH, MIDDLE, NORTH, per_side=4)
    first = client.get(ITEMS, {"limit": 5}).json()

    second = client.get(path_of(link(first, "next"))).json()
    back = client.get(path_of(link(second, "prev"))).json()

    last_of_first = first["features"][-1]["id"]
    assert parse_qs(urlparse(link(first, "next")).query)["after"] == [str(last_of_first)]
    assert "offset" not in link(first, "next")
    assert link(first, "prev") is None
    assert second["features"][0]["id"] > last_of_first
    assert [f["id"] for f in back["features"]] == [f["id"] for f in first["features"]]
    assert link(back, "prev") is None


def test_the_last_page_has_no_next_link(client, district):
    fill_box_with_parcels(district["ward_a"], WEST, SOUTH, MIDDLE, NORTH, per_side=2)

    body = client.get(ITEMS, {"limit": 4}).json()

    assert body["numberReturned"] == 4
    assert link(body, "next") is None


def test_a_feature_carries_only_the_published_properties_never_the_address(client, district):
    parcel = make_parcel(district["ward_a"], 7, 42, land_use="ODT", address="12 Nơ Trang Long")

    [feature] = client.get(ITEMS).json()["features"]

    assert feature["id"] == parcel.pk
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["properties"] == {
        "key": "26905-007-0042",
        "ward_code": "26905",
        "sheet_no": 7,
        "parcel_no": 42,
        "land_use": "ODT",
        "area_m2": pytest.approx(Parcel.objects.get().area_m2, abs=0.1),
    }
    assert "Nơ Trang Long" not in client.get(ITEMS, {"f": "html"}).content.decode()


def test_bbox_keeps_the_parcels_that_intersect_it(client, district):
    fill_box_with_parcels(district["ward_a"], WEST, SOUTH, MIDDLE, NORTH, per_side=10)
    box = (WEST + 0.0031, SOUTH + 0.0081, WEST + 0.0123, SOUTH + 0.0222)  # cuts through parcels

    body = client.get(ITEMS, {"bbox": ",".join(map(str, box)), "limit": 1000}).json()

    expected = count_parcels_intersecting(*box)
    assert 0 < expected < 100
    assert body["numberReturned"] == expected
    assert body["numberMatched"] == expected


def test_bbox_with_heights_ignores_them(client, district):
    make_parcel(district["ward_a"])

    body = client.get(ITEMS, {"bbox": f"{WEST},{SOUTH},-10,{MIDDLE},{NORTH},100"}).json()

    assert body["numberReturned"] == 1


def test_the_links_keep_the_query_and_the_format(client, district):
    fill_box_with_parcels(district["ward_a"], WEST, SOUTH, MIDDLE, NORTH, per_side=3)
    bbox = f"{WEST},{SOUTH},{MIDDLE},{NORTH}"

    body = client.get(ITEMS, {"bbox": bbox, "limit": 2}).json()

    query = parse_qs(urlparse(link(body, "next")).query)
    assert query["bbox"] == [bbox] and query["limit"] == ["2"] and query["f"] == ["json"]
    assert link(body, "next").startswith("http://testserver/ogc/collections/parcels/items?")
    assert link(body, "collection") == "http://testserver/ogc/collections/parcels?f=json"
    types = {item["rel"]: item["type"] for item in body["links"]}
    assert types["self"] == types["next"] == "application/geo+json"
    assert types["alternate"] == "text/html"


def test_a_limit_above_the_maximum_gives_the_maximum(client, district):
    fill_box_with_parcels(district["ward_a"], WEST, SOUTH, MIDDLE, NORTH, per_side=33)

    body = client.get(ITEMS, {"limit": 100_000}).json()

    assert body["numberReturned"] == ogc.MAX_LIMIT
    assert link(body, "next") is not None


def test_without_a_limit_a_page_holds_the_default(client, district):
    fill_box_with_parcels(district["ward_a"], WEST, SOUTH, MIDDLE, NORTH, per_side=11)

    body = client.get(ITEMS).json()

    assert body["numberReturned"] == ogc.DEFAULT_LIMIT


def test_number_matched_is_left_out_rather_than_counted_past_the_cap(client, district, monkeypatch):
    monkeypatch.setattr(ogc, "MATCH_COUNT_CAP", 20)
    fill_box_with_parcels(district["ward_a"], WEST, SOUTH, MIDDLE, NORTH, per_side=5)

    many = client.get(ITEMS, {"limit": 10}).json()
    few = client.get(
        ITEMS, {"limit": 10, "bbox": f"{WEST},{SOUTH},{MIDDLE},{SOUTH + 0.0155}"}
    ).json()

    assert "numberMatched" not in many
    assert few["numberMatched"] == count_parcels_intersecting(WEST, SOUTH, MIDDLE, SOUTH + 0.0155)


def test_a_following_page_counts_nothing(client, district):
    fill_box_with_parcels(district["ward_a"], WEST, SOUTH, MIDDLE, NORTH, per_side=3)
    first = client.get(ITEMS, {"limit": 4}).json()

    second = client.get(path_of(link(first, "next"))).json()

    assert first["numberMatched"] == 9
    assert "numberMatched" not in second


def test_a_page_is_one_query_however_deep(client, district, django_assert_num_queries):
    fill_box_with_parcels(district["ward_a"], WEST, SOUTH, MIDDLE, NORTH, per_side=10)
    deep = Parcel.objects.order_by("-id").values_list("id", flat=True)[5]

    with django_assert_num_queries(1):
        first = client.get(ITEMS, {"limit": 10, "bbox": f"{WEST},{SOUTH},{MIDDLE},{NORTH}"})
    with django_assert_num_queries(1):
        last = client.get(ITEMS, {"limit": 10, "after": deep})

    assert first.json()["numberReturned"] == 10
    assert last.json()["numberReturned"] == 5


def test_an_unchanged_page_asked_again_is_a_304_without_a_query(
    client, district, django_assert_num_queries
):
    make_parcel(district["ward_a"])
    etag = client.get(ITEMS)["ETag"]

    with django_assert_num_queries(0):
        again = client.get(ITEMS, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304


def test_an_edit_changes_the_etag_of_a_page(client, district, django_capture_on_commit_callbacks):
    parcel = make_parcel(district["ward_a"], land_use="ODT")
    before = client.get(ITEMS)

    with django_capture_on_commit_callbacks(execute=True):
        parcel.land_use = "CLN"
        parcel.save()
    after = client.get(ITEMS, HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert after.json()["features"][0]["properties"]["land_use"] == "CLN"


def test_an_empty_page_is_an_empty_feature_collection(client, district):
    body = client.get(ITEMS, {"bbox": "0,0,1,1"}).json()

    assert body["features"] == []
    assert body["numberReturned"] == body["numberMatched"] == 0
    assert link(body, "next") is None


def test_the_units_collection_serves_only_the_units_valid_today(client, district):
    from tests.factories import make_unit

    make_unit("26998", "Phường cũ", valid_to=dt.date(2020, 6, 30))

    body = client.get("/ogc/collections/units/items").json()

    codes = {f["properties"]["code"] for f in body["features"]}
    assert codes == {"79", "765", "26905", "26908"}
    assert body["features"][0]["properties"].keys() == {"code", "name", "level", "parent_code"}


# --- time ---------------------------------------------------------------------------------


@pytest.fixture
def parcel_edits(monkeypatch):
    """A layer with time, as a feature app (reports, dossiers) would publish one."""
    return publish_for_test(
        monkeypatch,
        PublishedLayer(
            name="parcel_edits",
            title="Parcel edits",
            source="SELECT p.id, p.geom, p.geom_3857, p.land_use, p.updated_at FROM spatial_parcel p",
            properties=(Property("land_use"),),
            datetime_column="updated_at",
        ),
    )


def edited_on(parcel: Parcel, moment: dt.datetime) -> None:
    Parcel.objects.filter(pk=parcel.pk).update(updated_at=moment)


def local(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2025-03-01", {"early", "late"}),  # a date is the whole local day
        ("2025-03-01T08:00:00+07:00", {"early"}),  # an instant is that very second
        ("2025-03-01T01:00:00Z", {"early"}),
        ("2025-03-01T12:00:00+07:00/..", {"late", "next_day"}),
        ("../2025-03-01T12:00:00+07:00", {"early"}),
        ("2025-03-01/2025-03-01", {"early", "late"}),
        ("2025-03-01T08:00:00+07:00/2025-03-01T23:00:00+07:00", {"early", "late"}),
        ("/2025-02-28", set()),
        ("../..", {"early", "late", "next_day"}),
    ],
)
def test_datetime_keeps_the_features_of_that_time(client, district, parcel_edits, value, expected):
    parcels = {
        "early": make_parcel(district["ward_a"], 1, 1),
        "late": make_parcel(district["ward_a"], 1, 2),
        "next_day": make_parcel(district["ward_a"], 1, 3),
    }
    edited_on(parcels["early"], local(2025, 3, 1, 8))
    edited_on(parcels["late"], local(2025, 3, 1, 23))
    edited_on(parcels["next_day"], local(2025, 3, 2, 0, 30))

    body = client.get("/ogc/collections/parcel_edits/items", {"datetime": value}).json()

    names = {
        name for name, parcel in parcels.items() if parcel.pk in {f["id"] for f in body["features"]}
    }
    assert names == expected


def test_a_layer_with_time_states_its_temporal_extent(client, district, parcel_edits):
    edited_on(make_parcel(district["ward_a"], 1, 1), local(2025, 3, 1, 8))
    edited_on(make_parcel(district["ward_a"], 1, 2), local(2025, 3, 2, 9))

    body = client.get("/ogc/collections/parcel_edits").json()

    assert body["extent"]["temporal"]["interval"] == [
        ["2025-03-01T01:00:00Z", "2025-03-02T02:00:00Z"]
    ]


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, words",
    [
        ({"limit": "abc"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "106.7,10.8,106.6,nan"}, "bbox"),
        ({"bbox": "106.7,10.9,106.8,10.8"}, "south"),
        ({"bbox": "200,10,201,11"}, "longitudes"),
        ({"after": "x"}, "after"),
        ({"before": "99999999999999999999"}, "before"),
        ({"after": "1", "before": "9"}, "not both"),
        ({"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/3857"}, "bbox-crs"),
        ({"offset": "100"}, "offset"),
        ({"sortby": "key"}, "sortby"),
        ({"datetime": "2025-03-01"}, "no time"),
        ({"f": "xml"}, "xml"),
    ],
)
def test_bad_parameters_are_a_400_with_a_message(en_client, district, params, words):
    response = en_client.get(ITEMS, params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "InvalidParameterValue"
    assert words in body["description"]


def test_a_parameter_given_twice_is_a_400(en_client, district):
    response = en_client.get(f"{ITEMS}?limit=5&limit=6")

    assert response.status_code == 400
    assert "twice" in response.json()["description"]


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2025-13-01",
        "2025-03-02/2025-03-01",
        "2025-03-01/2025-03-02/2025-03-03",
        "9999-12-31",  # its end, the next day, is past the calendar
        "0001-01-01T00:00:00+07:00",  # before year 1 in UTC
    ],
)
def test_a_bad_datetime_is_a_400_with_a_message(en_client, district, parcel_edits, value):
    response = en_client.get("/ogc/collections/parcel_edits/items", {"datetime": value})

    assert response.status_code == 400
    assert "datetime" in response.json()["description"]


def test_an_unknown_parameter_is_explained_in_vietnamese_by_default(client, district):
    response = client.get(ITEMS, {"galaxy": "1"})

    assert response.status_code == 400
    assert "galaxy" in response.json()["description"]
    assert "Tham số" in response.json()["description"]


def test_the_items_of_an_unknown_collection_are_a_404_naming_the_collections(en_client, db):
    response = en_client.get("/ogc/collections/galaxies/items")

    assert response.status_code == 404
    assert "galaxies" in response.json()["description"]
    assert "parcels" in response.json()["description"]


def test_the_feature_collection_is_valid_json_with_vietnamese_unescaped(client, district):
    body = client.get("/ogc/collections/units/items").content.decode()

    assert "Phường 13" in body  # as is, not as \\u escapes
    assert json.loads(body)["numberReturned"] == 4


def test_bbox_is_exact_at_its_edges_even_within_single_precision_rounding(
    client, district, monkeypatch
):
    # Points a few millionths of a degree either side of the box's east edge: PostGIS's
    # single-precision bounding boxes cannot tell them apart, the answer must.
    publish_for_test(
        monkeypatch,
        PublishedLayer(
            name="parcel_points",
            title="Parcel points",
            source="SELECT id, ST_Centroid(geom) AS geom, geom_3857, land_use FROM spatial_parcel",
            properties=(Property("land_use"),),
        ),
    )
    # Just above a single-precision number, so its rounded-up box edge lies a whole step
    # (7.6e-6 degree) further east, past the point outside.
    east = struct.unpack("f", struct.pack("f", 106.69))[0] + 1e-9
    inside = make_parcel(
        district["ward_a"], 1, 1, geom=rect(east - 4e-6, 10.80, east - 2e-6, 10.8001)
    )
    outside = make_parcel(
        district["ward_a"], 1, 2, geom=rect(east + 2e-6, 10.80, east + 4e-6, 10.8001)
    )

    body = client.get(
        "/ogc/collections/parcel_points/items", {"bbox": f"106.68,10.79,{east},10.81"}
    ).json()

    assert [f["id"] for f in body["features"]] == [inside.pk]
    assert outside.pk not in [f["id"] for f in body["features"]]
    assert body["numberMatched"] == 1
