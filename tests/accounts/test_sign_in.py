from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.accounts_factories import PASSWORD, make_citizen
from urbanmgmt.accounts import normalize_login


@pytest.mark.parametrize(
    ("typed", "login"),
    [
        ("+84 90 123 4567", "0901234567"),
        ("090.123.4567", "0901234567"),
        ("84901234567", "0901234567"),
        (" Lan.Nguyen@Example.VN ", "lan.nguyen@example.vn"),
        ("12345", ""),
        ("not an email@", ""),
    ],
)
def test_a_login_name_is_an_email_or_a_phone_number_however_typed(typed, login):
    assert normalize_login(typed) == login


def test_a_citizen_signs_in_with_the_phone_number_written_another_way(client, db):
    make_citizen("0901234567")
    response = client.post(
        "/accounts/login/", {"username": "+84 90-123-4567", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/accounts/").status_code == 200


def test_a_citizen_opens_an_account_with_an_email(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "login": "Mai@Example.vn",
            "full_name": "Trần Thị Mai",
            "password1": "sông-Sài-Gòn-2026",
            "password2": "sông-Sài-Gòn-2026",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="mai@example.vn")
    assert user.email == "mai@example.vn"
    assert user.first_name == "Trần Thị Mai"


@pytest.mark.parametrize(
    ("login", "password", "message"),
    [
        ("hello", "sông-Sài-Gòn-2026", "email address or a Vietnamese mobile"),
        ("0901234567", "12345678", "too short"),
        ("0901234567", "password123", "too common"),
    ],
)
def test_signup_refuses_a_bad_login_or_a_weak_password_and_creates_nothing(
    client, db, login, password, message
):
    response = client.post(
        "/accounts/signup/", {"login": login, "password1": password, "password2": password}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not get_user_model().objects.exists()


def test_signup_refuses_a_second_account_with_the_same_phone(client, db):
    make_citizen("0901234567")
    response = client.post(
        "/accounts/signup/",
        {
            "login": "+84901234567",
            "password1": "sông-Sài-Gòn-2026",
            "password2": "sông-Sài-Gòn-2026",
        },
    )
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_sign_in_is_locked_after_repeated_failures_even_with_the_right_password(client, db):
    make_citizen("0901234567")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "0901234567", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "0901234567", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lock_on_one_name_does_not_block_another_person(client, db):
    make_citizen("0901234567")
    make_citizen("0907654321")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "0901234567", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "0907654321", "password": PASSWORD})
    assert response.status_code == 302


def test_sessions_expire_and_cookies_are_not_readable_by_scripts(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY


def test_every_form_needs_its_csrf_token(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403


def test_pages_carry_the_usual_security_headers(client, db):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
