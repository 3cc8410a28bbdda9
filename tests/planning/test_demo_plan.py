"""The demo district's plan: generated from the demo's own files, loaded once, plausible."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from fixtures.demo_plan import CURRENT, OLDER
from gis.models import AdminUnit, Parcel
from planning.models import DecisionStatus, ParcelZoneOverlap, PlanDecision, PlanZone, RoadBoundary

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(tmp_path):
    call_command("load_demo", parcels=2000, dir=tmp_path, verbosity=0)
    call_command("load_demo_plan", parcels=2000, dir=tmp_path, verbosity=0)
    return tmp_path


def test_the_demo_plan_has_a_current_decision_and_a_superseded_older_one(demo):
    current = PlanDecision.objects.get(number=CURRENT["number"])
    older = PlanDecision.objects.get(number=OLDER["number"])

    assert current.status == DecisionStatus.IN_FORCE
    assert (older.status, older.superseded_by) == (DecisionStatus.SUPERSEDED, current)
    assert older.zones.exists()
    assert "Quận Bình Thạnh" in current.title


def test_the_current_zones_tile_the_district_with_a_realistic_code_mix(demo):
    district = AdminUnit.objects.get(level="district")
    zones = PlanZone.objects.filter(decision__number=CURRENT["number"])

    assert zones.aggregate(a=Sum("area_m2"))["a"] == pytest.approx(district.area_m2, rel=1e-4)
    codes = set(zones.values_list("code", flat=True))
    assert {"NNO", "HH", "DGT", "CXDVO", "CCDVO", "GD1"} <= codes
    housing = zones.filter(code="NNO").aggregate(a=Sum("area_m2"))["a"]
    assert housing > 0.3 * district.area_m2


def test_every_demo_parcel_is_wholly_planned_by_the_current_decision(demo):
    in_force = ParcelZoneOverlap.objects.filter(zone__decision__number=CURRENT["number"])
    totals = in_force.values("parcel").annotate(total=Sum("share")).values_list("total", flat=True)

    assert len(totals) == Parcel.objects.count()
    assert min(totals) == pytest.approx(1.0, abs=1e-3)
    assert max(totals) == pytest.approx(1.0, abs=1e-3)


def test_the_main_streets_get_road_boundaries_some_wider_than_today(demo):
    roads = RoadBoundary.objects.all()

    assert roads.filter(street_name="Điện Biên Phủ").exists()
    assert all(r.decision.number == CURRENT["number"] for r in roads)
    assert {r.planned_width_m for r in roads} <= {
        12.0,
        13.0,
        16.0,
        20.0,
        25.0,
        30.0,
        35.0,
        40.0,
        45.0,
        60.0,
    }


def test_loading_the_demo_plan_again_does_nothing(demo, capsys):
    zones = set(PlanZone.objects.values_list("id", flat=True))

    call_command("load_demo_plan", parcels=2000, dir=demo)
    assert "already loaded" in capsys.readouterr().out
    call_command("load_demo_plan", parcels=2000, dir=demo, force=True, verbosity=0)

    assert set(PlanZone.objects.values_list("id", flat=True)) == zones
    assert PlanDecision.objects.count() == 2
