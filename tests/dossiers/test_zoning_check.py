"""The zoning check compares a permit's proposed building with the plan zones on its parcel."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import LineString, MultiLineString

from dossiers import services
from dossiers.zoning import check_dossier
from planning.models import PlanZone, RoadBoundary
from planning.services import record_decision
from tests.dossiers.factories import house, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_floor_zone(office):
    decision = record_decision(
        number="6711/QĐ-UBND",
        decided_on=dt.date(2012, 12, 18),
        authority="UBND TP.HCM",
        kind="zoning",
        scale=2000,
    )
    # The whole west ward: a residential group of at most 5 floors.
    return PlanZone.objects.create(
        decision=decision,
        zone_id="II.5",
        code="NNO",
        function_name="Nhóm nhà ở hiện hữu",
        max_floors=5,
        max_height_m=22.0,
        max_coverage_pct=80.0,
        max_far=4.0,
        setback_m=2.0,
        geom=office.ward_a.geom,
    )


def test_a_nine_floor_house_in_a_five_floor_zone_is_flagged_with_the_plan_decision(
    office, five_floor_zone
):
    dossier = submit(office, building=house(floors=9, height="33"))

    check = check_dossier(dossier)

    assert check.zones == ["II.5 (NNO)"]
    floors = next(b for b in check.breaches if b.limit == "floors")
    assert (floors.proposed, floors.allowed) == (9, 5)
    assert floors.decision == "6711/QĐ-UBND"
    assert "9 floors" in floors.message and "allows 5" in floors.message
    assert "6711/QĐ-UBND of 18/12/2012" in floors.message
    assert {b.limit for b in check.breaches} >= {"floors", "height"}
    assert not check.passes


def test_a_compliant_house_passes(office, five_floor_zone):
    parcel_area = office.parcel.area_m2  # about 480 m²
    building = services.Building(
        floors=4,
        height_m=Decimal("15.5"),
        footprint_m2=Decimal(round(parcel_area * 0.7)),
        gross_floor_area_m2=Decimal(round(parcel_area * 0.7 * 4)),
        setback_m=Decimal("2.4"),
    )
    dossier = submit(office, building=building)

    check = check_dossier(dossier)

    assert check.breaches == []
    assert check.passes


def test_coverage_far_and_setback_are_measured_on_the_parcel(office, five_floor_zone):
    area = office.parcel.area_m2
    building = services.Building(
        floors=5,
        height_m=Decimal("20"),
        footprint_m2=Decimal(round(area * 0.9)),  # 90 % > 80 %
        gross_floor_area_m2=Decimal(round(area * 4.5)),  # FAR 4.5 > 4
        setback_m=Decimal("1.0"),  # < 2 m
    )
    dossier = submit(office, building=building)

    limits = {b.limit: b for b in check_dossier(dossier).breaches}

    assert set(limits) == {"coverage", "far", "setback"}
    assert limits["coverage"].allowed == 80.0
    assert limits["far"].allowed == 4.0


def test_a_parcel_outside_every_zone_cannot_be_checked(office):
    dossier = submit(office, building=house(floors=9))

    check = check_dossier(dossier)

    assert not check.checked and not check.passes
    assert "could not be checked" in check.notes[0]


def test_a_footprint_reaching_into_a_planned_street_is_flagged(office, five_floor_zone):
    parcel = office.parcel
    xmin, ymin, xmax, _ymax = parcel.geom.extent
    # A planned 30 m street along the parcel's southern edge takes a strip of it.
    RoadBoundary.objects.create(
        decision=five_floor_zone.decision,
        street_name="Điện Biên Phủ",
        planned_width_m=30,
        geom=MultiLineString(LineString((xmin - 0.001, ymin), (xmax + 0.001, ymin)), srid=4326),
    )
    building = services.Building(
        floors=4,
        height_m=Decimal("15"),
        footprint_m2=Decimal(round(parcel.area_m2 * 0.75)),
        gross_floor_area_m2=Decimal(round(parcel.area_m2 * 3)),
        setback_m=Decimal("3"),
    )
    dossier = submit(office, building=building)

    check = check_dossier(dossier)

    road = next(b for b in check.breaches if b.limit == "road_boundary")
    assert road.zone == "Điện Biên Phủ"
    assert road.allowed < road.proposed
    assert any("Điện Biên Phủ (30 m)" in note for note in check.notes)


def test_the_reviewer_sees_the_breaches_on_the_dossier_page(client, office, five_floor_zone):
    dossier = submit(office, building=house(floors=9, height="33"))
    client.force_login(office.officer)

    page = client.get(f"/office/dossiers/{dossier.pk}/").content.decode()

    assert "Zoning check" in page
    assert 'data-limit="floors"' in page
    assert "6711/QĐ-UBND" in page
