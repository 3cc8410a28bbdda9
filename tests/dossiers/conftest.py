import pytest

from urbanmgmt import workdays


@pytest.fixture(autouse=True)
def fresh_calendar():
    # CalendarDay rows of a test are rolled back without a signal: start each test afresh.
    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english_pages(client, settings):
    """Pages answer in Vietnamese unless the language cookie says otherwise."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def office(db):
    from tests.dossiers.factories import make_office

    return make_office()
