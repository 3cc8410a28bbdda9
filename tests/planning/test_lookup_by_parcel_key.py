import pytest

from tests.factories import make_parcel, rect
from tests.planning.factories import make_decision, make_zone

pytestmark = pytest.mark.django_db
URL = "/api/planning/lookup"


@pytest.fixture
def parcel(district):
    make_zone(make_decision())
    return make_parcel(
        district["ward_a"], sheet_no=10, parcel_no=16, geom=rect(106.685, 10.80, 106.6852, 10.8002)
    )


@pytest.mark.parametrize("key", ["26905-010-0016", "26905-10-16", "26905 010 0016", "269050100016"])
def test_a_parcel_is_found_by_its_key_in_any_usual_spelling(client, parcel, key):
    body = client.get(URL, {"parcel": key}).json()

    assert body["parcel"]["key"] == "26905-010-0016"
    assert body["ward"]["code"] == "26905"
    assert [z["share"] for z in body["zones"]] == [1.0]


def test_an_unknown_parcel_key_is_a_404_that_names_it(client, parcel):
    response = client.get(URL, {"parcel": "26905-010-0017"})

    assert response.status_code == 404
    assert "26905-010-0017" in response.json()["error"]


def test_the_answer_for_a_parcel_key_costs_one_query(client, parcel, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get(URL, {"parcel": "26905-010-0016"}).status_code == 200
