import pytest
from shapely.geometry import box

from gis.importer import ImportFailed, run_import
from planning.models import PlanZone
from tests.factories import MIDDLE, NORTH, SOUTH, WEST, write_layer
from tests.planning.factories import make_decision

pytestmark = pytest.mark.django_db

# Columns named as in the Quận 4 plan: numbers stored as text, blanks for "no limit".
MAPPING = {
    "zone_id": "PlotID",
    "code": "TypeCode",
    "function_name": "LandUseTyp",
    "max_floors": "Floor",
    "max_height_m": "Height",
    "max_coverage_pct": "BCR",
    "max_far": "FAR",
}


def zone_rows() -> list[dict]:
    half = (SOUTH + NORTH) / 2
    return [
        {
            "PlotID": "I.1",
            "TypeCode": "NNO",
            "LandUseTyp": "Nhóm nhà ở hiện hữu cải tạo",
            "Floor": "5",
            "Height": "25",
            "BCR": "80",
            "FAR": "4.0",
            "geometry": box(WEST, SOUTH, MIDDLE, half),
        },
        {
            "PlotID": "I.2",
            "TypeCode": "CXDVO",
            "LandUseTyp": "Công viên",
            "Floor": "",
            "Height": "",
            "BCR": "5",
            "FAR": "0.05",
            "geometry": box(WEST, half, MIDDLE, NORTH),
        },
    ]


def test_zones_import_with_a_field_mapping_and_keep_their_limits(district, tmp_path):
    decision = make_decision()
    path = write_layer(tmp_path / "zones.geojson", zone_rows(), driver="GeoJSON")

    summary = run_import("plan_zones", path, mapping=MAPPING, options={"decision": decision.number})

    assert (summary.read, summary.created, summary.refused) == (2, 2, [])
    housing = PlanZone.objects.get(zone_id="I.1")
    assert housing.decision == decision
    assert (housing.code, housing.function_name) == ("NNO", "Nhóm nhà ở hiện hữu cải tạo")
    assert (housing.max_floors, housing.max_height_m) == (5, 25.0)
    assert (housing.max_coverage_pct, housing.max_far) == (80.0, 4.0)
    park = PlanZone.objects.get(zone_id="I.2")
    assert (park.max_floors, park.max_height_m, park.max_coverage_pct) == (None, None, 5.0)
    assert housing.area_m2 == pytest.approx(park.area_m2, rel=1e-3)
    decision.refresh_from_db()
    assert decision.area.area == pytest.approx(housing.geom.area + park.geom.area, rel=1e-6)


def test_the_decision_can_come_from_a_column_of_the_file(district, tmp_path):
    decision = make_decision("55/QĐ-UBND")
    rows = [{**row, "so_qd": "55/QĐ-UBND"} for row in zone_rows()]

    run_import("plan_zones", write_layer(tmp_path / "z.gpkg", rows), mapping=MAPPING)

    assert decision.zones.count() == 2


def test_zones_of_an_unknown_decision_are_refused_and_nothing_is_written(district, tmp_path):
    path = write_layer(tmp_path / "z.gpkg", zone_rows())

    with pytest.raises(ImportFailed, match="no plan decision numbered “999/QĐ-UBND”"):
        run_import("plan_zones", path, mapping=MAPPING, options={"decision": "999/QĐ-UBND"})
    assert not PlanZone.objects.exists()


def test_a_file_without_any_decision_says_how_to_give_one(district, tmp_path):
    path = write_layer(tmp_path / "z.gpkg", zone_rows())

    with pytest.raises(ImportFailed, match="--decision"):
        run_import("plan_zones", path, mapping=MAPPING)


def test_a_coverage_above_100_percent_is_refused_with_its_row(district, tmp_path):
    decision = make_decision()
    rows = zone_rows()
    rows[1]["BCR"] = "140"

    with pytest.raises(ImportFailed, match=r"Row 2: max building coverage \(%\) cannot be 140"):
        run_import(
            "plan_zones",
            write_layer(tmp_path / "z.gpkg", rows),
            mapping=MAPPING,
            options={"decision": decision.number},
        )
    assert not PlanZone.objects.exists()


def test_a_limit_that_is_not_a_number_is_refused(district, tmp_path):
    decision = make_decision()
    rows = zone_rows()
    rows[0]["Floor"] = "5-7"

    with pytest.raises(ImportFailed, match="“5-7” is not a valid whole number"):
        run_import(
            "plan_zones",
            write_layer(tmp_path / "z.gpkg", rows),
            mapping=MAPPING,
            options={"decision": decision.number},
        )


def test_an_unknown_zoning_code_is_imported_with_a_warning(district, tmp_path):
    decision = make_decision()
    rows = zone_rows()
    rows[0]["TypeCode"] = "XYZ"

    summary = run_import(
        "plan_zones",
        write_layer(tmp_path / "z.gpkg", rows),
        mapping=MAPPING,
        options={"decision": decision.number},
    )

    assert summary.created == 2
    assert any("XYZ" in warning for warning in summary.warnings)


def test_a_zone_id_longer_than_the_column_is_refused_with_its_row(district, tmp_path):
    decision = make_decision()
    rows = zone_rows()
    rows[1]["PlotID"] = "X" * 41

    with pytest.raises(ImportFailed, match=r"Row 2: zone_id “X+” is longer than 40 characters"):
        run_import(
            "plan_zones",
            write_layer(tmp_path / "z.gpkg", rows),
            mapping=MAPPING,
            options={"decision": decision.number},
        )
