import pytest


@pytest.fixture(autouse=True)
def private_cache_and_media(settings, tmp_path):
    """Each test counts rate limits in its own cache and stores photos in its own folder."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"reports-{tmp_path.name}",
        }
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import caches

    caches["default"].clear()
    yield


@pytest.fixture
def client(client, settings):
    """A browser that chose English with the language switch (the site speaks Vietnamese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
