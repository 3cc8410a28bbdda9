import pytest
from shapely.geometry import box

from gis.importer import ImportFailed, run_import
from gis.models import AdminUnit, LayerImport, Parcel
from tests.factories import make_parcel, parcel_rows, write_layer

pytestmark = pytest.mark.django_db


def test_an_import_that_fails_halfway_changes_nothing(district, tmp_path):
    existing = make_parcel(district["ward_a"], sheet_no=9, parcel_no=9, address="9 Nơ Trang Long")
    rows = parcel_rows(250)
    rows[220]["ward_code"] = "00000"  # in the third chunk, after two chunks went in by COPY
    path = write_layer(tmp_path / "bad.gpkg", rows)

    with pytest.raises(ImportFailed) as error:
        run_import("parcels", path, chunk_size=100)

    assert "221" in str(error.value) and "00000" in str(error.value)
    assert list(Parcel.objects.all()) == [existing]
    assert not LayerImport.objects.exists()


def test_a_bad_value_in_a_late_chunk_changes_nothing(district, tmp_path):
    rows = parcel_rows(250)
    rows[240]["sheet_no"] = "mười"
    path = write_layer(tmp_path / "bad.geojson", rows, driver="GeoJSON")

    with pytest.raises(ImportFailed, match=r"sheet_no.*241"):
        run_import("parcels", path, chunk_size=100)
    assert not Parcel.objects.exists()


def test_a_missing_required_field_is_named(district, tmp_path):
    rows = [{k: v for k, v in row.items() if k != "parcel_no"} for row in parcel_rows(3)]
    path = write_layer(tmp_path / "noparcel.gpkg", rows)

    with pytest.raises(ImportFailed, match="parcel_no"):
        run_import("parcels", path)
    assert not Parcel.objects.exists()


def test_a_natural_key_given_twice_is_refused(district, tmp_path):
    rows = parcel_rows(5)
    rows[4]["parcel_no"] = 2
    path = write_layer(tmp_path / "dup.gpkg", rows)

    with pytest.raises(ImportFailed, match="more than once"):
        run_import("parcels", path)
    assert not Parcel.objects.exists()


def test_an_unreadable_file_is_refused(db, tmp_path):
    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"this is not a geopackage")
    with pytest.raises(ImportFailed, match=r"broken\.gpkg"):
        run_import("units", path)
    assert not AdminUnit.objects.exists()


def test_points_are_refused_for_a_polygon_layer(db, tmp_path):
    from shapely.geometry import Point

    path = write_layer(
        tmp_path / "points.gpkg", [{"code": "1", "name": "A", "geometry": Point(106.7, 10.8)}]
    )
    with pytest.raises(ImportFailed, match="Point"):
        run_import("units", path)


def test_a_unit_whose_parent_is_unknown_is_refused(db, tmp_path):
    rows = [
        {
            "code": "26905",
            "name": "Phường 13",
            "parent_code": "999",
            "geometry": box(106.6, 10.7, 106.61, 10.71),
        }
    ]
    with pytest.raises(ImportFailed, match="999"):
        run_import("units", write_layer(tmp_path / "orphan.gpkg", rows))
    assert not AdminUnit.objects.exists()


def test_the_refusal_is_explained_in_vietnamese_by_default(district, tmp_path):
    from django.utils import translation

    rows = parcel_rows(3)
    rows[1]["ward_code"] = "00000"
    with translation.override("vi"), pytest.raises(ImportFailed) as error:
        run_import("parcels", write_layer(tmp_path / "bad.gpkg", rows))
    assert "Dòng 2" in str(error.value) and "00000" in str(error.value)


def test_a_key_repeated_in_a_later_chunk_is_refused_and_nothing_stays(district, tmp_path):
    rows = parcel_rows(9)
    rows[8]["parcel_no"] = 1  # the first chunk already wrote parcel 1
    path = write_layer(tmp_path / "dup-late.gpkg", rows)

    with pytest.raises(ImportFailed, match="more than once"):
        run_import("parcels", path, chunk_size=4)
    assert not Parcel.objects.exists()


def test_a_unit_that_names_itself_as_parent_is_refused(db, tmp_path):
    rows = [
        {
            "code": "765",
            "name": "Quận Bình Thạnh",
            "parent_code": "765",
            "geometry": box(106.6, 10.7, 106.61, 10.71),
        }
    ]
    with pytest.raises(ImportFailed, match="own parent"):
        run_import("units", write_layer(tmp_path / "self.gpkg", rows))


def test_a_sheet_number_below_one_is_refused_with_its_row(district, tmp_path):
    rows = parcel_rows(4)
    rows[3]["sheet_no"] = 0
    with pytest.raises(ImportFailed, match=r"sheet_no.*row 4"):
        run_import("parcels", write_layer(tmp_path / "zero.gpkg", rows))
    assert not Parcel.objects.exists()


def test_a_key_repeated_in_the_same_chunk_of_an_update_is_refused(district, tmp_path):
    run_import("parcels", write_layer(tmp_path / "first.gpkg", parcel_rows(3)))
    rows = parcel_rows(6)
    rows[5]["parcel_no"] = 4
    with pytest.raises(ImportFailed, match="more than once"):
        run_import("parcels", write_layer(tmp_path / "dup.gpkg", rows))
    assert Parcel.objects.count() == 3


def test_a_file_cut_off_in_the_middle_is_refused_and_changes_nothing(district, tmp_path):
    path = write_layer(tmp_path / "cut.fgb", parcel_rows(400), driver="FlatGeobuf")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])

    with pytest.raises(ImportFailed, match=r"cut\.fgb"):
        run_import("parcels", path, chunk_size=50)
    assert not Parcel.objects.exists()
