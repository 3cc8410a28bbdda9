import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    """Tests read messages in English; tests of the Vietnamese default override this."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s per password; tests that create people would crawl."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def district(db):
    from tests.factories import make_district

    return make_district()
