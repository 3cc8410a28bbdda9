import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    """Tests read messages in English; tests of the Vietnamese default override this."""
    with translation.override("en"):
        yield


@pytest.fixture
def district(db):
    from tests.factories import make_district

    return make_district()
