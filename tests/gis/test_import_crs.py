import shutil
import subprocess

import pytest
from shapely.geometry import box

from gis.importer import ImportFailed, run_import
from gis.models import Parcel
from tests.factories import write_layer

pytestmark = pytest.mark.django_db

# lon 106.7, lat 10.8 in EPSG:9210 (VN-2000 / TM-3 105-45), as PROJ 9.1's gdaltransform gives it.
KNOWN_LON, KNOWN_LAT = 106.7, 10.8
KNOWN_X, KNOWN_Y = 603690.096489211, 1194497.18930374


def square_around(x: float, y: float, half: float = 10.0):
    return box(x - half, y - half, x + half, y + half)


def test_the_known_point_is_where_gdal_puts_it():
    if shutil.which("gdaltransform") is None:
        pytest.skip("gdal-bin is not installed")
    out = subprocess.run(
        ["gdaltransform", "-s_srs", "EPSG:4326", "-t_srs", "EPSG:9210", "-output_xy"],
        input=f"{KNOWN_LON} {KNOWN_LAT}\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert float(out[0]) == pytest.approx(KNOWN_X, abs=0.01)
    assert float(out[1]) == pytest.approx(KNOWN_Y, abs=0.01)


def test_vn2000_tm3_input_lands_at_the_right_place(district, tmp_path):
    rows = [
        {
            "ward_code": "26908",
            "sheet_no": 5,
            "parcel_no": 1,
            "geometry": square_around(KNOWN_X, KNOWN_Y),
        }
    ]
    path = write_layer(tmp_path / "vn2000.gpkg", rows, crs="EPSG:9210")

    run_import("parcels", path)

    parcel = Parcel.objects.get(sheet_no=5)
    assert parcel.geom.centroid.x == pytest.approx(KNOWN_LON, abs=1e-6)  # about 0.1 m
    assert parcel.geom.centroid.y == pytest.approx(KNOWN_LAT, abs=1e-6)
    assert parcel.area_m2 == pytest.approx(400.0, rel=1e-3)  # 20 m × 20 m, measured in EPSG:9210


def test_a_shapefile_without_prj_takes_the_srid_option(district, tmp_path):
    rows = [
        {
            "ward_code": "26908",
            "sheet_no": 5,
            "parcel_no": 1,
            "geometry": square_around(KNOWN_X, KNOWN_Y),
        }
    ]
    path = write_layer(tmp_path / "noprj.shp", rows, crs="EPSG:9210")
    path.with_suffix(".prj").unlink()

    with pytest.raises(ImportFailed, match="--srid"):
        run_import("parcels", path)
    run_import("parcels", path, srid=9210)
    assert Parcel.objects.get(sheet_no=5).geom.centroid.x == pytest.approx(KNOWN_LON, abs=1e-6)


def test_an_unknown_epsg_code_is_refused(district, tmp_path):
    path = write_layer(
        tmp_path / "p.gpkg",
        [
            {
                "ward_code": "26908",
                "sheet_no": 1,
                "parcel_no": 1,
                "geometry": box(106.71, 10.8, 106.7101, 10.8001),
            }
        ],
    )
    with pytest.raises(ImportFailed, match="EPSG:999999"):
        run_import("parcels", path, srid=999999)
    assert not Parcel.objects.exists()


def test_coordinates_in_the_wrong_crs_are_refused_rather_than_loaded_at_sea(district, tmp_path):
    rows = [
        {
            "ward_code": "26908",
            "sheet_no": 5,
            "parcel_no": 1,
            "geometry": square_around(KNOWN_X, KNOWN_Y),
        }
    ]
    path = write_layer(tmp_path / "mislabelled.gpkg", rows, crs="EPSG:32648")  # UTM 48N, not TM-3

    with pytest.raises(ImportFailed, match=r"outside Viet Nam|--srid") as error:
        run_import("parcels", path, srid=3857)
    assert "--srid" in str(error.value)
    assert not Parcel.objects.exists()
