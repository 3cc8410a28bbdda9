from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from gis.models import LayerImport, Parcel
from tests.factories import make_parcel
from urbanmgmt.audit import record
from urbanmgmt.models import AuditEntry


@pytest.fixture
def entry(world):
    parcel = make_parcel(world["wards"]["a1"])
    return record(
        actor=world["people"]["ward_a1_officer"],
        post=None,
        action="parcel.change",
        obj=parcel,
        unit_id=parcel.ward_id,
        changes={"sheet_no": [1, 2]},
    )


def test_an_audit_row_says_who_did_what_to_which_object(entry, world):
    row = AuditEntry.objects.get(pk=entry.pk)
    assert row.actor == world["people"]["ward_a1_officer"]
    assert (row.action, row.object_type) == ("parcel.change", "spatial.parcel")
    assert row.changes == {"sheet_no": [1, 2]}
    assert row.unit == world["wards"]["a1"]


@pytest.mark.parametrize("change", ["update", "delete"])
def test_the_database_refuses_to_change_or_delete_an_audit_row(entry, change):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        if change == "update":
            AuditEntry.objects.filter(pk=entry.pk).update(action="nothing happened")
        else:
            AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "parcel.change"


def test_no_one_can_edit_or_delete_the_audit_log_in_the_admin(client, entry, world):
    client.force_login(world["people"]["superuser"])
    assert client.get("/admin/urbanmgmt/auditentry/").status_code == 200
    assert client.get(f"/admin/urbanmgmt/auditentry/{entry.pk}/change/").status_code == 200
    client.post(f"/admin/urbanmgmt/auditentry/{entry.pk}/change/", {"action": "forged"})
    assert (
        client.post(f"/admin/urbanmgmt/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/urbanmgmt/auditentry/add/").status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == "parcel.change"


def test_an_edit_in_the_admin_leaves_an_audit_row_with_the_changes(client, world):
    parcel = make_parcel(world["wards"]["a2"])
    admin_user = world["people"]["district_a_admin"]
    client.force_login(admin_user)
    client.post(
        f"/admin/spatial/parcel/{parcel.pk}/change/",
        {
            "ward": parcel.ward_id,
            "sheet_no": 4,
            "parcel_no": 1,
            "land_use": "",
            "address": "",
            "geom": parcel.geom.geojson,
        },
    )
    row = AuditEntry.objects.get(action="parcel.change", object_id=str(parcel.pk))
    assert row.actor == admin_user
    assert row.post.unit == world["district_a"]
    assert row.changes["sheet_no"] == [1, 4]


def test_deleting_in_the_admin_is_audited_before_the_row_goes(client, world):
    parcel = make_parcel(world["wards"]["a2"])
    client.force_login(world["people"]["superuser"])
    client.post(f"/admin/spatial/parcel/{parcel.pk}/delete/", {"post": "yes"})
    assert not Parcel.objects.filter(pk=parcel.pk).exists()
    assert AuditEntry.objects.filter(action="parcel.delete", object_id=str(parcel.pk)).exists()


def test_a_layer_import_is_audited_with_its_counts(db):
    imported = LayerImport.objects.create(
        kind="parcels",
        source="x.gpkg",
        read=3,
        created=2,
        updated=1,
        repaired=0,
        refused=0,
        seconds=0.1,
    )
    row = AuditEntry.objects.get(action="layer.import")
    assert row.object_id == str(imported.pk)
    assert row.actor is None
    assert row.changes["created"] == 2
