"""The parcel × road-boundary table: which streets each parcel reaches into or faces, kept in
step with the parcels and the road boundaries, so that the lookup only joins."""

import pytest
from django.db import connection
from shapely.geometry import LineString, box

from gis.importer import run_import
from gis.models import AREA_SRID
from planning import overlaps
from planning.lookup import lookup_lonlat, lookup_parcel, parse_parcel_key
from planning.models import ParcelRoad, RoadBoundary
from tests.factories import SOUTH, WEST, make_parcel, parcel_rows, rect, write_layer
from tests.planning.factories import make_road

pytestmark = pytest.mark.django_db

# parcel_rows() lays 8.9 m squares every 0.0001° of longitude, their south edges on this
# latitude. A centre line 0.0001° (11.06 m) south of them, along the first ten parcels:
EDGE = SOUTH + 0.001
LINE = [(WEST + 0.001, EDGE - 0.0001), (WEST + 0.002, EDGE - 0.0001)]


def streets(**lookup) -> dict[int, tuple[str, float, float]]:
    """Parcel number → (street, distance to the centre line, area inside), from the table."""
    return {
        parcel_no: (street, round(distance, 2), round(inside, 1))
        for parcel_no, street, distance, inside in ParcelRoad.objects.filter(**lookup)
        .order_by("parcel__parcel_no")
        .values_list("parcel__parcel_no", "road__street_name", "distance_m", "inside_m2")
    }


def every_pair() -> list[tuple[int, int, float, float]]:
    """What a pass over every parcel and every road boundary finds, with no index to narrow
    it: the rows the table must hold."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT p.id, r.id, ST_Distance(ST_Transform(p.geom, {AREA_SRID}), r.geom_m),
                       ST_Area(ST_Intersection(ST_Transform(p.geom, {AREA_SRID}), r.corridor_m))
                FROM spatial_parcel p CROSS JOIN planning_roadboundary r
                WHERE ST_Distance(ST_Transform(p.geom, {AREA_SRID}), r.geom_m)
                      <= r.planned_width_m / 2 + %s
                ORDER BY 1, 2""",
            [overlaps.FACING_M],
        )
        return cursor.fetchall()


def stored() -> list[tuple[int, int, float, float]]:
    return list(
        ParcelRoad.objects.order_by("parcel_id", "road_id").values_list(
            "parcel_id", "road_id", "distance_m", "inside_m2"
        )
    )


def assert_same_rows(found: list[tuple], expected: list[tuple]) -> None:
    assert [row[:2] for row in found] == [row[:2] for row in expected]
    assert [row[2:] for row in found] == [pytest.approx(row[2:], abs=1e-6) for row in expected]


def square(x: float, y: float) -> object:
    """A parcel's 8.7 × 8.9 m square, its south-west corner at (x, y)."""
    return rect(x, y, x + 0.00008, y + 0.00008)


def import_parcels(tmp_path, name, rows, capture):
    with capture(execute=True):
        run_import("parcels", write_layer(tmp_path / name, rows))


def test_the_table_holds_what_a_pass_over_every_pair_finds(
    district, tmp_path, django_capture_on_commit_callbacks
):
    make_road("Điện Biên Phủ", 30.0, LINE)
    make_road("Nguyễn Xí", 12.0, [(WEST + 0.0035, EDGE - 0.001), (WEST + 0.0035, EDGE + 0.001)])
    import_parcels(tmp_path, "p.gpkg", parcel_rows(30), django_capture_on_commit_callbacks)

    assert_same_rows(stored(), every_pair())
    found = streets()
    # Parcels 1-10 run along the street and reach 3.94 m into its 15 m half-width; parcel 11
    # starts where the street ends (flat) and parcel 12 a little beyond: they face it, inside
    # nothing; parcel 13 is too far from its end. Parcels 25 and 26 face the other street.
    assert sorted(found) == [*range(1, 13), 25, 26]
    for number in range(1, 11):
        assert found[number] == ("Điện Biên Phủ", 11.06, pytest.approx(3.94 * 8.74, rel=0.02))
    assert found[11][2] == found[12][2] == 0.0
    assert found[12][1] == pytest.approx(15.5, abs=0.2)
    assert {found[25][0], found[26][0]} == {"Nguyễn Xí"}


def test_a_reimport_of_the_road_boundaries_moves_the_rows_and_the_answer(
    district, tmp_path, django_capture_on_commit_callbacks
):
    import_parcels(tmp_path, "p.gpkg", parcel_rows(12), django_capture_on_commit_callbacks)
    wide = [
        {"ten_duong": "Điện Biên Phủ", "lo_gioi": 30, "geometry": LineString(LINE)},
        {
            "ten_duong": "Nguyễn Xí",
            "lo_gioi": 12,
            "geometry": LineString([(WEST + 0.0015, EDGE - 0.001), (WEST + 0.0015, EDGE + 0.001)]),
        },
    ]
    run_import("road_boundaries", write_layer(tmp_path / "r1.gpkg", wide))
    assert streets(road__street_name="Điện Biên Phủ")[3][2] == pytest.approx(34.4, rel=0.02)
    assert streets(road__street_name="Nguyễn Xí")

    # The street is planned narrower (8 m: its edge is 7 m from parcels that face it no more)
    # and the other street is dropped from the plan.
    narrow = [{**wide[0], "lo_gioi": 8}]
    run_import("road_boundaries", write_layer(tmp_path / "r2.gpkg", narrow))

    assert ParcelRoad.objects.count() == 0
    assert every_pair() == []
    answer = lookup_parcel(parse_parcel_key("26905-001-0003"))
    assert answer["road_boundaries"] == []

    widest = [{**wide[0], "lo_gioi": 40}]
    run_import("road_boundaries", write_layer(tmp_path / "r3.gpkg", widest))

    [road] = lookup_parcel(parse_parcel_key("26905-001-0003"))["road_boundaries"]
    assert (road["street"], road["planned_width_m"]) == ("Điện Biên Phủ", 40.0)
    assert road["reach_m"] == pytest.approx(20 - 11.06, abs=0.05)
    assert road["inside_m2"] == pytest.approx(8.74 * 8.85, rel=0.02)  # wholly inside
    assert_same_rows(stored(), every_pair())


def test_editing_or_deleting_a_road_boundary_moves_its_rows(district):
    make_parcel(district["ward_a"], geom=square(LINE[0][0], EDGE))
    road = make_road("Điện Biên Phủ", 30.0, LINE)
    assert streets()[1][0] == "Điện Biên Phủ"

    road.planned_width_m = 8.0
    road.save()
    assert streets() == {}

    road.planned_width_m = 20.0
    road.save()
    assert streets()[1][1:] == (11.06, 0.0)  # its planned edge is 1.06 m away: it faces it

    road.delete()
    assert not ParcelRoad.objects.exists()


def test_editing_a_parcel_moves_its_rows(district):
    make_road("Điện Biên Phủ", 30.0, LINE)
    parcel = make_parcel(district["ward_a"], geom=square(LINE[0][0], EDGE))
    assert streets()[1][1] == 11.06

    parcel.geom = square(LINE[0][0], EDGE + 0.001)
    parcel.save()

    assert streets() == {}


def test_the_rows_follow_a_reimport_of_the_parcels(
    district, tmp_path, django_capture_on_commit_callbacks
):
    make_road("Điện Biên Phủ", 30.0, LINE)
    rows = parcel_rows(20)
    import_parcels(tmp_path, "v1.gpkg", rows, django_capture_on_commit_callbacks)
    assert sorted(streets()) == list(range(1, 13))
    # Parcel 3 moves 110 m north, away from the street; parcel 15 moves onto its line.
    rows[2]["geometry"] = box(106.6812, EDGE + 0.001, 106.68128, EDGE + 0.00108)
    rows[14]["geometry"] = box(106.6815, EDGE - 0.00014, 106.68158, EDGE - 0.00006)

    import_parcels(tmp_path, "v2.gpkg", rows, django_capture_on_commit_callbacks)

    found = streets()
    assert 3 not in found
    assert found[15][1] == 0.0  # the centre line runs through it
    assert found[15][2] == pytest.approx(8.74 * 8.85, rel=0.02)  # wholly inside
    assert_same_rows(stored(), every_pair())


def test_a_full_refresh_gives_the_rows_the_updates_gave(
    district, tmp_path, django_capture_on_commit_callbacks
):
    import_parcels(tmp_path, "p.gpkg", parcel_rows(15), django_capture_on_commit_callbacks)
    make_road("Điện Biên Phủ", 30.0, LINE)
    incremental = stored()
    assert len(incremental) == 12

    overlaps.refresh_all()

    assert_same_rows(stored(), incremental)


def test_a_point_with_no_parcel_measures_its_street_at_the_click(district):
    make_road("Điện Biên Phủ", 30.0, LINE)

    answer = lookup_lonlat(WEST + 0.0015, EDGE - 0.00005)  # 5.5 m from the centre line

    assert answer["parcel"] is None
    [road] = answer["road_boundaries"]
    assert road["distance_to_centre_m"] == pytest.approx(5.53, abs=0.05)
    assert road["reach_m"] == pytest.approx(15 - 5.53, abs=0.05)
    assert road["inside_m2"] is None
    assert RoadBoundary.objects.count() == 1 and not ParcelRoad.objects.exists()


def test_a_parcel_past_the_end_of_the_widest_street_in_the_north_is_found(district):
    # The widest plausible street (200 m) ends flat; a parcel 102.5 m past its end, near Hà
    # Nội (lat 21°, where Web-Mercator metres are 7 % longer: 110 of them), still faces it
    # (its planned edge is 100 m from the centre line, plus 3): the boxes that pick the
    # candidates must reach that far.
    end = (105.85, 21.0)
    make_road("Đại lộ Thăng Long", 200.0, [(105.83, 21.0), end])
    beyond = 102.5 / (111_320 * 0.9336)  # 102.5 m of longitude at lat 21°
    make_parcel(district["ward_a"], geom=square(end[0] + beyond, 21.0 - 0.00004))

    assert_same_rows(stored(), every_pair())
    assert len(stored()) == 1
