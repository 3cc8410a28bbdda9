import pytest


@pytest.fixture
def district(db):
    from tests.factories import make_district

    return make_district()
