"""Feature apps add their figures to the unit maps through gis.figures, one query per figure."""

import pytest
from django.core.cache import caches

from gis.figures import compute_figures, register_unit_figure, unit_figures, unregister_unit_figure
from tests.factories import make_parcel, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_cache(settings, tmp_path):
    settings.CACHES = {
        "default": {"BACKEND": "gis.tiles.FileCache", "LOCATION": tmp_path / "cache"}
    }
    yield
    caches["default"].clear()


@pytest.fixture
def en_client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def dossier_counts():
    """A figure as the dossiers app would register it, recording how it is called."""
    calls = []

    def count(unit_ids):
        calls.append(list(unit_ids))
        return {unit_ids[0]: 7}

    register_unit_figure("test_dossiers", "Dossiers (test)", count)
    yield calls
    unregister_unit_figure("test_dossiers")


def test_a_registered_figure_is_a_column_computed_once_for_all_the_wards(
    en_client, district, dossier_counts
):
    for number in range(5):
        make_unit(f"270{number:02d}", f"Phường {number}", parent=district["district"])

    html = en_client.get("/map/district/765").content.decode()

    assert "Dossiers (test)" in html
    assert len(dossier_counts) == 1
    assert len(dossier_counts[0]) == 7
    assert '<td class="num">7</td>' in html


def test_a_unit_a_figure_leaves_out_counts_zero(district, dossier_counts):
    ids = [district["ward_a"].id, district["ward_b"].id]

    figures = compute_figures(ids)

    assert figures["test_dossiers"] == {ids[0]: 7, ids[1]: 0}


def test_the_parcels_figure_counts_each_wards_parcels(district):
    make_parcel(district["ward_a"], 1, 1)
    make_parcel(district["ward_a"], 1, 2)

    figures = compute_figures([district["ward_a"].id, district["ward_b"].id])

    assert figures["parcels"] == {district["ward_a"].id: 2, district["ward_b"].id: 0}
    assert unit_figures()[0].key == "parcels"


def test_a_second_figure_cannot_take_a_registered_key():
    with pytest.raises(ValueError, match="already registered"):
        register_unit_figure("parcels", "Something else", lambda ids: {})
