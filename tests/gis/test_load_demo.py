import pytest
from django.core.management import call_command

from gis.models import AdminUnit, LayerImport, Parcel, UnitLevel

pytestmark = pytest.mark.django_db


def test_the_demo_district_loads_once_through_the_importer(tmp_path, capsys):
    call_command("load_demo", parcels=3000, dir=tmp_path, verbosity=0)

    wards = AdminUnit.objects.filter(level=UnitLevel.WARD)
    assert wards.count() == 20
    assert AdminUnit.objects.get(level=UnitLevel.DISTRICT).name == "Quận Bình Thạnh"
    assert wards.filter(parent__code="765").count() == 20
    assert 2700 <= Parcel.objects.count() <= 3300
    assert sorted(LayerImport.objects.values_list("kind", flat=True)) == ["parcels", "units"]

    call_command("load_demo", parcels=3000, dir=tmp_path)

    assert LayerImport.objects.count() == 2
    assert "already" in capsys.readouterr().out


def test_every_demo_parcel_lies_in_the_ward_it_names(tmp_path):
    from django.db import connection

    call_command("load_demo", parcels=2000, dir=tmp_path, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM spatial_parcel p JOIN spatial_adminunit w ON w.id = p.ward_id
               WHERE NOT ST_Covers(ST_Buffer(w.geom::geography, 1)::geometry, p.geom)"""
        )
        assert cursor.fetchone()[0] == 0
