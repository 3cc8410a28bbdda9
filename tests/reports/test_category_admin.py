"""The district edits its report categories in the admin; each change leaves an audit row."""

import pytest
from django.contrib.auth import get_user_model

from tests.reports.factories import category
from urbanmgmt.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_an_administrator_changes_a_categorys_target_time(client):
    noise = category("noise")
    admin = get_user_model().objects.create_superuser("quantri", "qt@example.vn", "a-Long-pass-77")
    client.force_login(admin)
    url = f"/admin/reports/category/{noise.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"target_days": 1, "active": "on"})

    answer = client.post(url, data)

    assert answer.status_code == 302, answer.content
    noise.refresh_from_db()
    assert noise.target_days == 1
    entry = AuditEntry.objects.get(action="report_category.change")
    assert entry.changes["target_days"] == [3, 1]
