import importlib

import pytest


@pytest.fixture(autouse=True)
def zoning_codes(request):
    """The seeded zoning codes, put back if a transactional test emptied the tables."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    from django.apps import apps

    importlib.import_module("planning.migrations.0002_zoning_codes").seed(apps, None)


@pytest.fixture
def client(client, settings):
    """Pages and API answers in English, as chosen with the language switch."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
