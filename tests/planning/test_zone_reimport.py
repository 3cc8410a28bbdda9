import pytest
from shapely.geometry import box

from gis.importer import run_import
from planning.models import ParcelZoneOverlap, PlanZone
from tests.factories import MIDDLE, NORTH, SOUTH, WEST, make_parcel, rect, write_layer
from tests.planning.factories import make_decision

pytestmark = pytest.mark.django_db


def rows(split: float) -> list[dict]:
    """Two zones of ward A, divided at latitude `split`."""
    return [
        {"zone_id": "A", "code": "NNO", "geometry": box(WEST, SOUTH, MIDDLE, split)},
        {"zone_id": "B", "code": "HH", "geometry": box(WEST, split, MIDDLE, NORTH)},
    ]


def test_reimporting_the_same_zones_changes_nothing(district, tmp_path):
    decision = make_decision()
    path = write_layer(tmp_path / "z.gpkg", rows(10.80))
    run_import("plan_zones", path, options={"decision": decision.number})
    ids = set(PlanZone.objects.values_list("id", flat=True))

    again = run_import("plan_zones", path, options={"decision": decision.number})

    assert (again.created, again.unchanged, again.warnings) == (0, 2, [])
    assert set(PlanZone.objects.values_list("id", flat=True)) == ids


def test_a_moved_zone_boundary_replaces_both_zones_and_their_overlaps(district, tmp_path):
    decision = make_decision()
    parcel = make_parcel(district["ward_a"], geom=rect(106.69, 10.7995, 106.6902, 10.8005))
    run_import(
        "plan_zones",
        write_layer(tmp_path / "v1.gpkg", rows(10.80)),
        options={"decision": decision.number},
    )
    before = dict(
        ParcelZoneOverlap.objects.filter(parcel=parcel).values_list("zone__zone_id", "share")
    )

    summary = run_import(
        "plan_zones",
        write_layer(tmp_path / "v2.gpkg", rows(10.7990)),
        options={"decision": decision.number},
    )

    after = dict(
        ParcelZoneOverlap.objects.filter(parcel=parcel).values_list("zone__zone_id", "share")
    )
    assert summary.created == 2
    assert "2 zones" in summary.warnings[0]
    assert PlanZone.objects.count() == 2
    assert before == pytest.approx({"A": 0.5, "B": 0.5}, abs=1e-3)
    assert after == {"B": 1.0}


def test_zones_of_another_decision_are_left_alone(district, tmp_path):
    old = make_decision("1/QĐ-UBND")
    new = make_decision("2/QĐ-UBND")
    path = write_layer(tmp_path / "z.gpkg", rows(10.80))
    run_import("plan_zones", path, options={"decision": old.number})

    run_import(
        "plan_zones",
        write_layer(tmp_path / "n.gpkg", rows(10.81)[:1]),
        options={"decision": new.number},
    )

    assert old.zones.count() == 2
    assert new.zones.count() == 1
