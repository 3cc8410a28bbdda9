import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import LineString, box

from planning.models import DecisionStatus, PlanDecision, PlanZone, RoadBoundary
from tests.factories import write_layer
from tests.planning.factories import make_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(tmp_path):
    zones = write_layer(
        tmp_path / "zones.gpkg",
        [{"PlotID": "II.4", "TypeCode": "HH", "geometry": box(106.68, 10.78, 106.69, 10.79)}],
    )
    roads = write_layer(
        tmp_path / "roads.gpkg",
        [
            {
                "ten_duong": "Bạch Đằng",
                "lo_gioi": 30,
                "geometry": LineString([(106.68, 10.785), (106.69, 10.785)]),
            }
        ],
    )
    return zones, roads


def test_import_plan_records_the_decision_and_loads_both_layers(district, files):
    old = make_decision("100/QĐ-UBND", decided_on=dt.date(2012, 6, 1))
    zones, roads = files

    call_command(
        "import_plan",
        "--decision",
        "6707/QĐ-UBND",
        "--date",
        "2024-12-20",
        "--authority",
        "UBND Thành phố Hồ Chí Minh",
        "--supersedes",
        old.number,
        "--zones",
        str(zones),
        "--map",
        "zone_id=PlotID",
        "--map",
        "code=TypeCode",
        "--roads",
        str(roads),
        verbosity=0,
    )

    decision = PlanDecision.objects.get(number="6707/QĐ-UBND")
    assert PlanZone.objects.get().decision == decision
    assert RoadBoundary.objects.get().decision == decision
    old.refresh_from_db()
    assert old.status == DecisionStatus.SUPERSEDED


def test_import_plan_for_an_unknown_decision_without_a_date_says_what_to_give(district, files):
    with pytest.raises(CommandError, match="--date"):
        call_command("import_plan", "--decision", "1/QĐ", "--zones", str(files[0]), verbosity=0)


def test_a_refused_file_leaves_no_decision_behind(district, files, tmp_path):
    bad = write_layer(
        tmp_path / "bad.gpkg",
        [{"TypeCode": "HH", "BCR": 300, "geometry": box(106.68, 10.78, 106.69, 10.79)}],
    )

    with pytest.raises(CommandError, match="nothing was changed"):
        call_command(
            "import_plan",
            "--decision",
            "2/QĐ",
            "--date",
            "2024-01-01",
            "--authority",
            "UBND",
            "--zones",
            str(bad),
            "--map",
            "code=TypeCode",
            "--map",
            "max_coverage_pct=BCR",
            verbosity=0,
        )
    assert not PlanDecision.objects.exists()
