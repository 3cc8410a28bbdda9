import pytest
from shapely.geometry import Polygon, box

from gis.importer import format_summary, run_import
from gis.models import Parcel
from tests.factories import parcel_rows, write_layer

pytestmark = pytest.mark.django_db

BOWTIE = Polygon([(106.690, 10.790), (106.6902, 10.7902), (106.6902, 10.790), (106.690, 10.7902)])


def test_an_invalid_geometry_is_repaired_and_reported(district, tmp_path):
    rows = parcel_rows(3)
    rows[1]["geometry"] = BOWTIE
    summary = run_import("parcels", write_layer(tmp_path / "bowtie.gpkg", rows))

    assert [issue.row for issue in summary.repaired] == [2]
    assert "Self-intersection" in summary.repaired[0].reason
    assert Parcel.objects.get(parcel_no=2).geom.valid
    assert "row 2" in format_summary(summary)


def test_an_empty_geometry_is_refused_and_listed_while_the_rest_loads(district, tmp_path):
    rows = parcel_rows(3)
    rows[2]["geometry"] = None
    summary = run_import("parcels", write_layer(tmp_path / "empty.gpkg", rows))

    assert [issue.row for issue in summary.refused] == [3]
    assert summary.created == 2
    assert not Parcel.objects.filter(parcel_no=3).exists()


def test_a_geometry_that_collapses_to_a_line_is_refused(district, tmp_path):
    rows = parcel_rows(2)
    rows[0]["geometry"] = Polygon(
        [(106.69, 10.79), (106.6901, 10.79), (106.6902, 10.79), (106.69, 10.79)]
    )
    summary = run_import("parcels", write_layer(tmp_path / "flat.gpkg", rows))

    assert [issue.row for issue in summary.refused] == [1]
    assert summary.repaired == []
    assert Parcel.objects.count() == 1


def test_single_polygons_are_stored_as_multipolygons(district, tmp_path):
    run_import(
        "parcels",
        write_layer(
            tmp_path / "single.gpkg",
            [parcel_rows(1)[0] | {"geometry": box(106.69, 10.79, 106.6901, 10.7901)}],
        ),
    )
    assert Parcel.objects.get().geom.geom_type == "MultiPolygon"
