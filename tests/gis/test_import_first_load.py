"""A first load into an empty parcel table goes straight in with COPY, checked in Python.

The natural-key index, the spatial indexes and the ward foreign key are dropped for the
load and built again after it, so these checks are what refuses a bad file.
"""

import datetime as dt

import numpy as np
import pytest
from django.db import IntegrityError, connection, transaction

from gis.importer import ImportFailed, run_import
from gis.layers import _first_repeated
from gis.models import LandUseType, LayerImport, Parcel
from tests.factories import make_parcel, make_unit, parcel_rows, write_layer

pytestmark = pytest.mark.django_db


def parcel_table_layout() -> tuple[list[str], list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'spatial_parcel' ORDER BY 1"
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            """SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid = 'spatial_parcel'::regclass ORDER BY 1"""
        )
        constraints = [row[0] for row in cursor.fetchall()]
    return indexes, constraints


def test_a_repeated_key_is_refused_naming_its_first_row_and_nothing_is_loaded(district, tmp_path):
    before = parcel_table_layout()
    rows = parcel_rows(30)
    rows[27]["parcel_no"] = 12  # parcel 12 first came in row 12, two chunks earlier
    rows[29]["parcel_no"] = 20

    with pytest.raises(ImportFailed) as error:
        run_import("parcels", write_layer(tmp_path / "dup.gpkg", rows), chunk_size=10)

    assert str(error.value) == (
        "Row 12: ward 26905 / sheet 1 / parcel 12 appears more than once in the file."
    )
    assert not Parcel.objects.exists()
    assert not LayerImport.objects.exists()
    assert parcel_table_layout() == before


def test_an_unknown_ward_in_a_later_chunk_is_refused_naming_its_row(district, tmp_path):
    rows = parcel_rows(30)
    rows[24]["ward_code"] = "99999"

    with pytest.raises(ImportFailed, match=r"^Row 25: no ward with code 99999"):
        run_import("parcels", write_layer(tmp_path / "ward.gpkg", rows), chunk_size=10)
    assert not Parcel.objects.exists()


def test_a_parcel_number_too_large_for_the_table_is_refused_naming_its_row(district, tmp_path):
    rows = parcel_rows(3)
    rows[2]["parcel_no"] = 2**31

    with pytest.raises(ImportFailed, match=r"parcel_no.*row 3.*2147483648"):
        run_import("parcels", write_layer(tmp_path / "big.gpkg", rows))
    assert not Parcel.objects.exists()


def test_the_natural_key_is_unique_again_after_a_first_load(district, tmp_path):
    run_import("parcels", write_layer(tmp_path / "p.gpkg", parcel_rows(5)))

    with pytest.raises(IntegrityError), transaction.atomic():
        make_parcel(district["ward_a"], sheet_no=1, parcel_no=3)


def test_a_first_load_gives_what_an_update_gives(district, tmp_path):
    rows = parcel_rows(8)
    rows[3]["address"] = None
    rows[4]["land_use"] = None
    path = write_layer(tmp_path / "p.gpkg", rows)

    def stored():
        return list(
            Parcel.objects.order_by("parcel_no").values_list(
                "ward_id", "sheet_no", "parcel_no", "land_use", "address", "address_search"
            )
        )

    first = run_import("parcels", path)
    loaded = stored()
    geometries = [p.geom.wkb for p in Parcel.objects.order_by("parcel_no")]
    Parcel.objects.all().delete()
    make_parcel(district["ward_b"], sheet_no=99, parcel_no=99)  # not empty: no direct load
    again = run_import("parcels", path)
    Parcel.objects.filter(sheet_no=99).delete()

    assert (first.created, again.created) == (8, 8)
    assert stored() == loaded
    assert [p.geom.wkb for p in Parcel.objects.order_by("parcel_no")] == geometries
    assert loaded[3][4:] == ("", "") and loaded[4][3] == ""
    assert loaded[0][5] == "1 dien bien phu, phuong 13"


def test_parcels_go_to_the_current_ward_of_their_code(district, tmp_path):
    make_unit(
        "26905", "Phường 13 (cũ)", valid_from=dt.date(1990, 1, 1), valid_to=dt.date(2019, 12, 31)
    )

    run_import("parcels", write_layer(tmp_path / "p.gpkg", parcel_rows(2)))

    assert {p.ward for p in Parcel.objects.all()} == {district["ward_a"]}


def test_unknown_land_use_codes_are_reported_on_a_first_load_as_on_an_update(district, tmp_path):
    assert LandUseType.objects.filter(code="ODT").exists()  # the seeded list
    rows = parcel_rows(6)
    for row in rows[:4]:
        row["land_use"] = "XYZ"
    rows[4]["land_use"] = "QQQ"
    path = write_layer(tmp_path / "p.gpkg", rows)

    first = run_import("parcels", path)
    second = run_import("parcels", path)

    assert first.warnings == second.warnings
    assert len(first.warnings) == 2
    assert "XYZ (4 parcels)" in first.warnings[0] and "QQQ (1 parcels)" in first.warnings[1]


@pytest.mark.parametrize("large", [False, True])
def test_the_earliest_repeated_key_is_found_however_large_the_numbers(large):
    big = 2**31 - 1 if large else 0  # with 2**31 and ward 9, the key no longer packs in 64 bits
    ward = np.array([9, 1, 9, 1, 1, 9])
    sheet = np.array([1, 2, 1, 2, 3, 5]) + big
    parcel = np.array([7, 4, 8, 4, 4, 7]) + big

    assert _first_repeated(ward, sheet, parcel) == 1  # rows 2 and 4 share a key
    assert _first_repeated(ward[:3], sheet[:3], parcel[:3]) is None
