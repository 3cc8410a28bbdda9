"""Vietnamese shapefiles in legacy encodings, written byte for byte and without a .cpg."""

import pytest
from shapely.geometry import box

from gis import encodings
from gis.importer import ImportFailed, run_import
from gis.models import AdminUnit, Parcel
from tests.factories import write_layer

pytestmark = pytest.mark.django_db

NAMES = ["Phường Điện Biên", "Phường Xô Viết Nghệ Tĩnh", "Phường Bạch Đằng"]


def legacy_units_shapefile(tmp_path, encoding: str):
    """A units shapefile whose DBF holds `encoding` bytes and that has no .cpg file."""
    rows = [
        {
            "code": f"9990{i}",
            # GDAL writes a Latin-1 string byte for byte, so the DBF gets the legacy bytes.
            "name": encodings.encode(name, encoding).decode("latin-1"),
            "level": "ward",
            "geometry": box(106.60 + i * 0.01, 10.70, 106.61 + i * 0.01, 10.71),
        }
        for i, name in enumerate(NAMES)
    ]
    path = write_layer(tmp_path / f"units_{encoding}.shp", rows, encoding="latin1")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    return path


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "cp1258"])
def test_a_legacy_shapefile_without_cpg_is_decoded_by_guessing(tmp_path, encoding):
    path = legacy_units_shapefile(tmp_path, encoding)

    summary = run_import("units", path)

    assert summary.encoding == encoding
    assert sorted(AdminUnit.objects.values_list("name", flat=True)) == sorted(NAMES)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_the_encoding_option_decodes_a_legacy_shapefile(tmp_path, encoding):
    run_import("units", legacy_units_shapefile(tmp_path, encoding), encoding=encoding)

    unit = AdminUnit.objects.get(code="99900")
    assert unit.name == "Phường Điện Biên"
    assert unit.search_name == "phuong dien bien"


def test_names_arrive_in_nfc(tmp_path):
    run_import("units", legacy_units_shapefile(tmp_path, "cp1258"), encoding="cp1258")
    import unicodedata

    for name in AdminUnit.objects.values_list("name", flat=True):
        assert unicodedata.is_normalized("NFC", name)


def test_a_wrong_encoding_stops_the_import_naming_the_field_and_row(tmp_path):
    path = legacy_units_shapefile(tmp_path, "tcvn3")

    with pytest.raises(ImportFailed) as error:
        run_import("units", path, encoding="cp1258")

    message = str(error.value)
    assert "name" in message and "row 1" in message
    assert not AdminUnit.objects.exists()


def test_an_unknown_encoding_name_is_refused(tmp_path):
    with pytest.raises(ImportFailed, match="klingon"):
        run_import("units", legacy_units_shapefile(tmp_path, "vni"), encoding="klingon")


def test_mojibake_in_a_utf8_file_is_refused(district, tmp_path):
    garbled = encodings.encode("12 Điện Biên Phủ, Phường 13", "tcvn3").decode(
        "cp1252", errors="replace"
    )
    rows = [
        {
            "ward_code": "26905",
            "sheet_no": 1,
            "parcel_no": 1,
            "address": garbled,
            "geometry": box(106.69, 10.79, 106.6901, 10.7901),
        }
    ]
    path = write_layer(tmp_path / "garbled.gpkg", rows)

    with pytest.raises(ImportFailed, match="address"):
        run_import("parcels", path)
    assert not Parcel.objects.exists()
