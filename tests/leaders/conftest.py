import pytest

from urbanmgmt import workdays


@pytest.fixture(autouse=True)
def private_cache(settings, tmp_path):
    """Each test keeps heat maps, change stamps and rate limits in its own cache."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"leaders-{tmp_path.name}",
        }
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import caches

    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture(autouse=True)
def fresh_calendar():
    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.fixture
def client(client, settings):
    """A browser that chose English with the language switch (the site speaks Vietnamese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def office(db):
    from tests.dossiers.factories import make_office

    return make_office()
