from __future__ import annotations

from rest_framework.authtoken.models import Token


def test_a_machine_client_authenticates_with_its_token(client, world):
    officer = world["people"]["ward_a1_officer"]
    token = Token.objects.create(user=officer)
    response = client.get("/api/me", headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200
    assert response.json()["posts"] == [
        {"role": "officer", "unit": "26905", "unit_name": "Phường 13", "department": None}
    ]


def test_a_wrong_token_is_refused_with_401(client, world):
    response = client.get("/api/me", headers={"Authorization": "Token not-a-token"})
    assert response.status_code == 401
    assert "detail" in response.json()


def test_without_credentials_the_api_asks_for_them(client, db):
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
