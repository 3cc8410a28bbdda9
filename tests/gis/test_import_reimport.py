import pytest
from shapely.geometry import box

from gis.importer import run_import
from gis.models import AdminUnit, Parcel
from tests.factories import parcel_rows, write_layer

pytestmark = pytest.mark.django_db


def test_reimporting_the_same_file_duplicates_nothing(district, tmp_path):
    path = write_layer(tmp_path / "p.gpkg", parcel_rows(40))

    first = run_import("parcels", path)
    second = run_import("parcels", path)

    assert (first.created, first.updated) == (40, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 40)
    assert Parcel.objects.count() == 40


def test_a_changed_feature_is_updated_in_place(district, tmp_path):
    rows = parcel_rows(10)
    run_import("parcels", write_layer(tmp_path / "v1.gpkg", rows))
    before = Parcel.objects.get(parcel_no=3)
    rows[2]["land_use"] = "TMD"
    rows[2]["geometry"] = box(106.69, 10.79, 106.6902, 10.7902)

    summary = run_import("parcels", write_layer(tmp_path / "v2.gpkg", rows))

    after = Parcel.objects.get(parcel_no=3)
    assert (summary.created, summary.updated) == (0, 1)
    assert after.pk == before.pk
    assert after.land_use == "TMD"
    assert after.area_m2 > before.area_m2 * 4


def test_units_reimport_keeps_the_tree_and_links_parents(db, tmp_path):
    rows = [
        {
            "code": "79",
            "name": "Thành phố Hồ Chí Minh",
            "parent_code": None,
            "geometry": box(106.6, 10.7, 106.8, 10.9),
        },
        {
            "code": "765",
            "name": "Quận Bình Thạnh",
            "parent_code": "79",
            "geometry": box(106.68, 10.78, 106.72, 10.82),
        },
        {
            "code": "26905",
            "name": "Phường 13",
            "parent_code": "765",
            "geometry": box(106.68, 10.78, 106.70, 10.82),
        },
    ]
    path = write_layer(tmp_path / "units.gpkg", rows)

    run_import("units", path)
    again = run_import("units", path)

    ward = AdminUnit.objects.get(code="26905")
    assert (again.created, again.updated) == (0, 0)
    assert ward.level == "ward" and ward.parent.code == "765" and ward.parent.parent.code == "79"
    assert AdminUnit.objects.get(code="765").level == "district"


def test_a_first_load_rebuilds_the_spatial_indexes_it_dropped(district, tmp_path):
    from django.db import connection

    def indexes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'spatial_parcel' ORDER BY 1"
            )
            return [row[0] for row in cursor.fetchall()]

    before = indexes()
    run_import("parcels", write_layer(tmp_path / "p.gpkg", parcel_rows(20)))

    assert indexes() == before
    assert any("3857" in name for name in before)


def test_reimport_in_small_chunks_counts_the_same(district, tmp_path):
    rows = parcel_rows(25)
    path = write_layer(tmp_path / "p.gpkg", rows)
    first = run_import("parcels", path, chunk_size=7)
    rows[20]["land_use"] = "DGD"
    second = run_import("parcels", write_layer(tmp_path / "p2.gpkg", rows), chunk_size=7)

    assert (first.created, first.updated) == (25, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 1, 24)


def test_a_first_load_restores_the_foreign_key_to_the_ward(district, tmp_path):
    from django.db import IntegrityError, connection, transaction

    run_import("parcels", write_layer(tmp_path / "p.gpkg", parcel_rows(5)))

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'spatial_parcel'::regclass AND contype = 'f'"
        )
        assert cursor.fetchone()[0] == 1
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute("UPDATE spatial_parcel SET ward_id = -1 WHERE parcel_no = 1")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
