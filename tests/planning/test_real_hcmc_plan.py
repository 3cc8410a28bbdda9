"""The real Quận 4 zoning plan from ../shared (not in the repo; skipped where absent)."""

import json
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point

from gis.importer import run_import
from planning.models import PlanZone
from tests.planning.factories import make_decision

pytestmark = pytest.mark.django_db

HCMC = Path(__file__).resolve().parents[3] / "shared" / "data" / "hcmc"
PLAN = HCMC / "hcmc_q4_zoning_plan_cityscope.geojson"
WARDS = HCMC / "hcmc_wards_2020_cityscope.geojson"
MAPPING = {
    "zone_id": "PlotID",
    "code": "TypeCode",
    "function_name": "LandUseTyp",
    "max_floors": "Floor",
    "max_height_m": "Height",
    "max_coverage_pct": "BCR",
    "max_far": "FAR",
}


@pytest.fixture
def q4_plan():
    if not PLAN.exists():
        pytest.skip(f"{PLAN} is not on this machine")
    return PLAN


def source_features() -> list[dict]:
    return json.loads(PLAN.read_text())["features"]


def test_the_real_district_4_plan_imports_whole_with_its_codes_and_limits(q4_plan):
    decision = make_decision("Q4-TEST")

    summary = run_import(
        "plan_zones", q4_plan, mapping=MAPPING, options={"decision": decision.number}
    )

    features = source_features()
    assert summary.read == len(features) == 1023
    assert summary.refused == []
    assert decision.zones.count() == 1023
    assert Counter(decision.zones.values_list("code", flat=True)) == Counter(
        f["properties"]["TypeCode"] for f in features
    )
    assert not [w for w in summary.warnings if "zoning code" in w]  # every code is known
    school = PlanZone.objects.get(zone_id="RE-1")
    assert (school.code, school.max_floors, school.max_height_m) == ("GD1", 5, 18.0)
    assert (school.max_coverage_pct, school.max_far) == (60.0, 2.6)
    # Areas measured here agree with the source's own (UTM 48N) to a fraction of a per cent.
    source_area = sum(f["properties"]["Shape_Area"] for f in features)
    ours = sum(decision.zones.values_list("area_m2", flat=True))
    assert ours == pytest.approx(source_area, rel=0.005)


def test_points_in_real_plan_zones_find_their_zone_and_their_real_ward(q4_plan):
    if not WARDS.exists():
        pytest.skip(f"{WARDS} is not on this machine")
    from planning.lookup import lookup_point

    run_import("units", WARDS, mapping={"parent_code": ""})
    decision = make_decision("Q4-TEST")
    run_import("plan_zones", q4_plan, mapping=MAPPING, options={"decision": decision.number})
    zones = list(PlanZone.objects.filter(code="NNO").order_by("id")[:60])

    answers = {}
    for zone in zones:
        inside = zone.geom.point_on_surface
        answers[zone.id] = lookup_point(Point(inside.x, inside.y, srid=4326))

    assert all(zone.id in [z["id"] for z in answers[zone.id]["zones"]] for zone in zones)
    # The plan's sheet reaches over the river into Quận 2 and Quận 8: every point lies in
    # some real ward, and Quận 4's (272xx) are among them.
    assert all(a["covered"] for a in answers.values())
    assert any(a["ward"]["code"].startswith("272") for a in answers.values())
