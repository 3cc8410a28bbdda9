"""The parcel × zone overlap table: shares, and staying in step with both layers."""

import pytest
from shapely.geometry import box

from gis.importer import run_import
from planning import overlaps
from planning.models import ParcelZoneOverlap
from tests.factories import MIDDLE, NORTH, SOUTH, WEST, make_parcel, parcel_rows, rect, write_layer
from tests.planning.factories import make_decision, make_zone

pytestmark = pytest.mark.django_db


def shares(parcel) -> dict[str, float]:
    return dict(ParcelZoneOverlap.objects.filter(parcel=parcel).values_list("zone__code", "share"))


def test_a_parcel_inside_one_zone_is_wholly_in_it(district):
    zone = make_zone(make_decision())
    parcel = make_parcel(district["ward_a"])

    overlap = ParcelZoneOverlap.objects.get(parcel=parcel)

    assert (overlap.zone, overlap.share) == (zone, 1.0)
    assert overlap.area_m2 == parcel.area_m2


def test_a_parcel_across_a_zone_boundary_has_two_shares_that_add_up_to_one(district):
    decision = make_decision()
    make_zone(decision, rect(WEST, SOUTH, 106.69, NORTH), code="NNO")
    make_zone(decision, rect(106.69, SOUTH, MIDDLE, NORTH), code="CXDVO")
    # 3/4 of the parcel lies west of the boundary at lon 106.69.
    parcel = make_parcel(district["ward_a"], geom=rect(106.68985, 10.80, 106.69005, 10.8002))

    found = shares(parcel)

    assert found == pytest.approx({"NNO": 0.75, "CXDVO": 0.25}, abs=1e-3)
    assert sum(found.values()) == pytest.approx(1.0, abs=1e-9)


def test_a_parcel_that_only_touches_a_zone_has_no_share_in_it(district):
    decision = make_decision()
    make_zone(decision, rect(WEST, SOUTH, 106.69, NORTH), code="NNO")
    make_zone(decision, rect(106.69, SOUTH, MIDDLE, NORTH), code="HH")
    parcel = make_parcel(district["ward_a"], geom=rect(106.69, 10.80, 106.6902, 10.8002))

    assert shares(parcel) == {"HH": 1.0}


def test_editing_a_parcel_moves_its_overlap(district):
    decision = make_decision()
    make_zone(decision, rect(WEST, SOUTH, 106.69, NORTH), code="NNO")
    make_zone(decision, rect(106.69, SOUTH, MIDDLE, NORTH), code="HH")
    parcel = make_parcel(district["ward_a"], geom=rect(106.685, 10.80, 106.6852, 10.8002))
    assert shares(parcel) == {"NNO": 1.0}

    parcel.geom = rect(106.695, 10.80, 106.6952, 10.8002)
    parcel.save()

    assert shares(parcel) == {"HH": 1.0}


def test_editing_a_zone_recomputes_its_overlaps(district):
    zone = make_zone(make_decision(), code="NNO")
    parcel = make_parcel(district["ward_a"])
    assert shares(parcel) == {"NNO": 1.0}

    zone.geom = rect(WEST, SOUTH, 106.681, 10.781)
    zone.save()

    assert shares(parcel) == {}


def test_the_overlaps_follow_a_reimport_of_the_parcels(
    district, tmp_path, django_capture_on_commit_callbacks
):
    decision = make_decision()
    make_zone(decision, rect(WEST, SOUTH, MIDDLE, 10.790), code="NNO")
    make_zone(decision, rect(WEST, 10.790, MIDDLE, NORTH), code="HH")
    rows = parcel_rows(20)
    with django_capture_on_commit_callbacks(execute=True):
        run_import("parcels", write_layer(tmp_path / "v1.gpkg", rows))
    assert ParcelZoneOverlap.objects.filter(zone__code="NNO").count() == 20
    # Parcel 3 moves north, into the mixed-use zone.
    rows[2]["geometry"] = box(106.69, 10.795, 106.6902, 10.7952)

    with django_capture_on_commit_callbacks(execute=True):
        run_import("parcels", write_layer(tmp_path / "v2.gpkg", rows))

    moved = dict(
        ParcelZoneOverlap.objects.filter(parcel__parcel_no=3).values_list("zone__code", "share")
    )
    assert moved == {"HH": 1.0}
    assert ParcelZoneOverlap.objects.filter(zone__code="NNO").count() == 19


def test_a_full_refresh_gives_the_same_rows_as_the_incremental_updates(district):
    decision = make_decision()
    make_zone(decision, rect(WEST, SOUTH, 106.69, NORTH), code="NNO")
    make_zone(decision, rect(106.69, SOUTH, MIDDLE, NORTH), code="HH")
    for i in range(5):
        x = 106.6898 + i * 0.0001
        make_parcel(district["ward_a"], parcel_no=i + 1, geom=rect(x, 10.80, x + 0.00015, 10.8002))
    incremental = sorted(ParcelZoneOverlap.objects.values_list("parcel_id", "zone_id", "share"))

    count = overlaps.refresh_all()

    assert count == len(incremental) == 6  # one parcel straddles the boundary
    full = sorted(ParcelZoneOverlap.objects.values_list("parcel_id", "zone_id", "share"))
    assert [row[:2] for row in full] == [row[:2] for row in incremental]
    assert [row[2] for row in full] == pytest.approx([row[2] for row in incremental])
