from __future__ import annotations

import pytest
from django.core.management import call_command

from urbanmgmt.accounts import DEMO_PASSWORD
from urbanmgmt.models import Post, Role


@pytest.fixture
def demo(district, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    call_command("load_demo_accounts")
    return district


def test_the_demo_district_has_one_account_per_role(demo):
    roles = set(
        Post.objects.filter(user__username__startswith="demo-").values_list("role", flat=True)
    )
    assert roles == set(Role.values)


def test_loading_the_demo_accounts_twice_changes_nothing(demo):
    before = Post.objects.count()
    call_command("load_demo_accounts")
    assert Post.objects.count() == before


def test_demo_accounts_are_refused_when_debug_is_off(demo, client, settings):
    settings.DEBUG = False
    response = client.post(
        "/accounts/login/", {"username": "demo-ward-officer", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session


def test_demo_accounts_sign_in_when_debug_is_on(demo, client, settings):
    settings.DEBUG = True
    response = client.post(
        "/accounts/login/", {"username": "demo-ward-officer", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    page = client.get("/accounts/").content.decode()
    assert "Officer" in page and "Phường 13" in page
