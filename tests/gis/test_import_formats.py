import pytest

from gis.importer import run_import
from gis.models import Parcel
from tests.factories import parcel_rows, write_layer

pytestmark = pytest.mark.django_db

FORMATS = {
    "shapefile": ("parcels.shp", {}),
    "geojson": ("parcels.geojson", {"driver": "GeoJSON"}),
    "geopackage": ("parcels.gpkg", {"driver": "GPKG"}),
    "flatgeobuf": ("parcels.fgb", {"driver": "FlatGeobuf"}),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_loads_every_parcel_with_its_attributes(district, tmp_path, fmt):
    name, kwargs = FORMATS[fmt]
    path = write_layer(tmp_path / name, parcel_rows(30), **kwargs)

    summary = run_import("parcels", path)

    assert (summary.read, summary.created, summary.updated) == (30, 30, 0)
    parcel = Parcel.objects.get(ward__code="26905", sheet_no=1, parcel_no=7)
    assert parcel.address == "7 Điện Biên Phủ, Phường 13"
    assert parcel.land_use == "ODT"
    assert parcel.geom.geom_type == "MultiPolygon"
    assert 50 < parcel.area_m2 < 100  # 0.00008° squares are about 8.7 m × 8.7 m


def test_a_renamed_column_is_read_through_the_field_mapping(district, tmp_path):
    rows = [
        {("SO_TO_BD" if k == "sheet_no" else k): v for k, v in row.items()}
        for row in parcel_rows(3)
    ]
    path = write_layer(tmp_path / "renamed.gpkg", rows)

    run_import("parcels", path, mapping={"sheet_no": "SO_TO_BD"})

    assert Parcel.objects.filter(sheet_no=1).count() == 3


def test_a_file_with_several_layers_needs_the_layer_named(district, tmp_path):
    from gis.importer import ImportFailed

    path = tmp_path / "two.gpkg"
    write_layer(path, parcel_rows(2), layer="first")
    write_layer(path, parcel_rows(3), layer="second")

    with pytest.raises(ImportFailed, match="--layer"):
        run_import("parcels", path)
    assert run_import("parcels", path, layer="second").created == 3
