import pytest
from shapely.geometry import LineString

from gis.importer import ImportFailed, run_import
from planning.models import RoadBoundary
from tests.factories import write_layer
from tests.planning.factories import make_decision

pytestmark = pytest.mark.django_db


def roads() -> list[dict]:
    return [
        {
            "ten_duong": "Điện Biên Phủ",
            "lo_gioi": 30,
            "geometry": LineString([(106.69, 10.80), (106.70, 10.80)]),
        },
        {
            "ten_duong": "Nguyễn Xí",
            "lo_gioi": 20.5,
            "geometry": LineString([(106.69, 10.79), (106.69, 10.81)]),
        },
    ]


def test_road_boundaries_import_with_vietnamese_column_names(district, tmp_path):
    decision = make_decision()

    summary = run_import(
        "road_boundaries",
        write_layer(tmp_path / "r.gpkg", roads()),
        options={"decision": decision.number},
    )

    assert summary.created == 2
    road = RoadBoundary.objects.get(street_name="Điện Biên Phủ")
    assert (road.planned_width_m, road.street_search, road.decision) == (
        30.0,
        "dien bien phu",
        decision,
    )
    # The corridor is 30 m wide along about 1.09 km of street.
    assert road.corridor.transform(9210, clone=True).area == pytest.approx(30 * 1093.6, rel=0.01)


def test_road_boundaries_need_no_decision(district, tmp_path):
    run_import("road_boundaries", write_layer(tmp_path / "r.gpkg", roads()))
    summary = run_import("road_boundaries", write_layer(tmp_path / "r2.gpkg", roads()[:1]))

    assert summary.created == 0
    assert list(RoadBoundary.objects.values_list("street_name", flat=True)) == ["Điện Biên Phủ"]


def test_a_width_of_zero_is_refused(district, tmp_path):
    rows = roads()
    rows[1]["lo_gioi"] = 0

    with pytest.raises(ImportFailed, match="Row 2: a planned width of 0"):
        run_import("road_boundaries", write_layer(tmp_path / "r.gpkg", rows))
    assert not RoadBoundary.objects.exists()
