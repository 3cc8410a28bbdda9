import pytest

from tests.factories import make_parcel, rect
from tests.planning.factories import make_decision, make_road, make_zone

pytestmark = pytest.mark.django_db
URL = "/api/planning/lookup"


@pytest.fixture
def places(district):
    make_zone(make_decision())
    make_road("Điện Biên Phủ", 30.0)
    make_parcel(
        district["ward_a"],
        parcel_no=1,
        address="12 Điện Biên Phủ, Phường 13",
        geom=rect(106.685, 10.80, 106.6852, 10.8002),
    )
    make_parcel(
        district["ward_a"],
        parcel_no=2,
        address="12/3 Hẻm 45 Nguyễn Xí, Phường 13",
        geom=rect(106.686, 10.80, 106.6862, 10.8002),
    )
    return district


def test_a_street_name_without_diacritics_finds_the_street_and_its_parcels(client, places):
    body = client.get(URL, {"q": "dien bien phu"}).json()

    assert [(r["type"], r["label"]) for r in body["results"]] == [
        ("street", "Điện Biên Phủ"),
        ("parcel", "12 Điện Biên Phủ, Phường 13"),
    ]
    # One parcel matched, so its answer comes along.
    assert body["answer"]["parcel"]["key"] == "26905-001-0001"


def test_a_ward_is_found_whatever_the_case_and_accents(client, places):
    body = client.get(URL, {"q": "PHUONG 13"}).json()

    assert body["results"][0] == {
        "type": "unit",
        "key": "26905",
        "label": "Phường 13",
        "detail": "Ward",
        "bbox": [106.68, 10.78, 106.7, 10.82],
    }
    assert body["answer"] is None  # both parcels' addresses name the ward


def test_an_address_with_its_diacritics_finds_it_too(client, places):
    body = client.get(URL, {"q": "Hẻm 45 Nguyễn Xí"}).json()

    assert [r["key"] for r in body["results"]] == ["26905-001-0002"]


def test_a_parcel_key_typed_in_the_search_box_finds_the_parcel(client, places):
    body = client.get(URL, {"q": "26905-001-0002"}).json()

    assert body["answer"]["parcel"]["address"] == "12/3 Hẻm 45 Nguyễn Xí, Phường 13"


def test_wildcards_in_the_text_are_taken_literally(client, places):
    assert client.get(URL, {"q": "%%"}).json()["results"] == []


def test_a_search_costs_one_query_when_several_parcels_match(
    client, places, django_assert_num_queries
):
    with django_assert_num_queries(1):
        body = client.get(URL, {"q": "phuong 13"}).json()
    assert len(body["results"]) == 3
