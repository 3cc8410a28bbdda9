import pytest
from django.core.management import CommandError, call_command

from gis.models import Parcel
from tests.factories import parcel_rows, write_layer

pytestmark = pytest.mark.django_db


def test_the_command_prints_a_summary(district, tmp_path, capsys):
    path = write_layer(tmp_path / "p.gpkg", parcel_rows(12))

    call_command("import_layer", "parcels", str(path), "--no-progress")

    out = capsys.readouterr().out
    assert "12" in out
    assert Parcel.objects.count() == 12


def test_the_command_maps_fields_and_reports_errors_without_a_traceback(district, tmp_path):
    rows = [
        {("TO_BD" if k == "sheet_no" else k): v for k, v in row.items()} for row in parcel_rows(2)
    ]
    path = write_layer(tmp_path / "p.gpkg", rows)

    with pytest.raises(CommandError, match="sheet_no"):
        call_command("import_layer", "parcels", str(path), "--no-progress")
    call_command("import_layer", "parcels", str(path), "--map", "sheet_no=TO_BD", "--no-progress")
    assert Parcel.objects.count() == 2


def test_an_unknown_kind_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match=r"Unknown kind|units"):
        call_command("import_layer", "roads", str(tmp_path / "x.gpkg"), "--no-progress")


def test_a_malformed_mapping_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="FIELD=COLUMN"):
        call_command("import_layer", "parcels", str(tmp_path / "x.gpkg"), "--map", "sheet_no")
