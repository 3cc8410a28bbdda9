"""The procedure catalogue is data: seeded, and edited in the admin by administrators."""

import pytest

from dossiers.models import Procedure
from tests.accounts_factories import make_official
from tests.dossiers.factories import ensure_catalogue
from urbanmgmt.models import AuditEntry, Role

pytestmark = pytest.mark.django_db


def test_the_catalogue_is_seeded_with_the_permits_appraisals_and_the_combined_route():
    ensure_catalogue()
    combined = Procedure.objects.get(code="LT-XD")

    assert Procedure.objects.get(code="XD-NORL").deadline_days == 15
    assert Procedure.objects.get(code="XD-CT").deadline_days == 20
    assert Procedure.objects.get(code="TD-TKCS").days_for("A") == 40
    assert Procedure.objects.get(code="TD-TKKT").days_for("III+") == 30
    assert sorted(combined.branches.values_list("component__code", flat=True)) == [
        "TD-TKCS",
        "TD-TKKT",
        "XD-CT",
    ]
    assert dict(combined.consultations.values_list("agency_code", "reply_days")) == {
        "GTVT": 7,
        "PCCC": 10,
        "TNMT": 10,
    }


def test_an_administrator_edits_a_deadline_and_the_change_is_audited(client, district):
    ensure_catalogue()
    admin_user = make_official(district["district"], Role.ADMIN)
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    procedure = Procedure.objects.get(code="XD-NORL")

    page = client.get(f"/admin/dossiers/procedure/{procedure.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data.update(
        {
            "deadline_days": 12,
            "deadline_variants": "[]",
            "required_documents": '["Đơn"]',
            "branches-TOTAL_FORMS": 0,
            "branches-INITIAL_FORMS": 0,
            "consultations-TOTAL_FORMS": 0,
            "consultations-INITIAL_FORMS": 0,
        }
    )
    data = {k: v for k, v in data.items() if v is not None and v is not False}
    response = client.post(f"/admin/dossiers/procedure/{procedure.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    procedure.refresh_from_db()
    assert procedure.deadline_days == 12
    assert AuditEntry.objects.filter(object_type="dossiers.procedure", actor=admin_user).exists()
