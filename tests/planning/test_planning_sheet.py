import pytest

from tests.factories import make_parcel, rect
from tests.planning.factories import make_decision, make_road, make_zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def parcel(district):
    decision = make_decision("3370/QĐ-UBND")
    make_zone(decision, rect(106.68, 10.78, 106.69, 10.82), code="NNO", zone_id="VI.4")
    make_zone(decision, rect(106.69, 10.78, 106.70, 10.82), code="HH", zone_id="V.4")
    make_road("Đỗ Xuân Hợp", 16.0, [(106.68, 10.7999), (106.69, 10.7999)])
    return make_parcel(
        district["ward_a"],
        sheet_no=10,
        parcel_no=16,
        land_use="ODT",
        address="183 Đỗ Xuân Hợp, Phường 13",
        geom=rect(106.68985, 10.80, 106.69005, 10.8002),
    )


def test_the_sheet_shows_the_parcel_its_zones_limits_decision_and_a_map(client, parcel):
    response = client.get("/planning/sheet/26905-010-0016/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "PLANNING-INFORMATION SHEET" in html
    assert "26905-010-0016" in html and "183 Đỗ Xuân Hợp, Phường 13" in html
    assert "VI.4" in html and "V.4" in html and "75.0 %" in html and "25.0 %" in html
    assert "3370/QĐ-UBND" in html and "Ủy ban nhân dân Thành phố Hồ Chí Minh" in html
    assert "Đỗ Xuân Hợp" in html
    assert html.count('<path d="M') >= 4  # two zones, the road boundary and the parcel
    assert "http://testserver/planning/?parcel=26905-010-0016" in html


def test_the_sheet_of_an_unknown_parcel_is_not_found(client, parcel):
    assert client.get("/planning/sheet/26905-010-0099/").status_code == 404
    assert client.get("/planning/sheet/not-a-key/").status_code == 404


def test_the_sheet_costs_two_queries(client, parcel, django_assert_num_queries):
    with django_assert_num_queries(2):
        client.get("/planning/sheet/26905-010-0016/")


def test_the_sheet_downloads_as_a_pdf_made_without_a_browser(client, parcel):
    from planning import pdf

    if not pdf.available():
        pytest.skip("DejaVu Sans is not installed")
    response = client.get("/planning/sheet/26905-010-0016/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "phieu-thong-tin-quy-hoach-26905-010-0016.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 10_000  # the embedded font subset, the map and the tables
