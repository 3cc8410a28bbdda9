"""Bad filter values are a 400 with a message saying what is wrong, never a 500."""

import pytest

pytestmark = pytest.mark.django_db

FILES = [
    "/leaders/heatmap.tif",
    "/leaders/heatmap.png",
    "/leaders/figures.csv",
    "/leaders/trend.png",
]


@pytest.fixture
def signed_in(client, office):
    client.force_login(office.leader)
    return client


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2025-13-01"}, "From: Enter a valid date."),
        ({"start": "2025-05-01", "end": "2025-04-01"}, "The period ends before it starts."),
        ({"start": "1999-01-01", "end": "2000-02-01"}, "may not start before"),
        ({"start": "2015-01-01", "end": "2025-01-01"}, "at most five years"),
        ({"category": "no-such-thing"}, "Unknown category “no-such-thing”."),
        ({"category": "encroachment", "group": "environment"}, "not both"),
        ({"group": "weather"}, "Select a valid choice."),
        ({"status": "lost"}, "Select a valid choice."),
        ({"compare": "decade"}, "Select a valid choice."),
        ({"cell": "2"}, "greater than or equal to 5"),
        ({"cell": "nan"}, "Cell size (m)"),
        ({"bandwidth": "100000"}, "less than or equal to 5000"),
        ({"cell": "100", "bandwidth": "100"}, "at least twice the cell size"),
        ({"trend": "weather"}, "Select a valid choice."),
    ],
)
@pytest.mark.parametrize("path", FILES)
def test_a_bad_filter_is_refused_with_its_message(signed_in, path, query, message):
    response = signed_in.get(path, {"unit": "765", **query})

    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("path", ["/leaders/heatmap.tif", "/leaders/heatmap.png"])
def test_a_grid_too_large_to_compute_is_refused_with_the_cell_size_that_would_do(signed_in, path):
    response = signed_in.get(path, {"unit": "765", "cell": "5", "bandwidth": "5000"})

    assert response.status_code == 400
    assert "use cells of at least" in response.content.decode()


def test_the_page_shows_the_message_and_the_default_figures(signed_in):
    response = signed_in.get("/leaders/765/", {"start": "2025-05-01", "end": "2025-04-01"})

    assert response.status_code == 400
    assert "The period ends before it starts." in response.content.decode()
    assert response.context["ward_rows"]


def test_a_grid_too_fine_for_the_district_shows_the_default_grid(signed_in):
    response = signed_in.get("/leaders/765/", {"cell": "5", "bandwidth": "5000"})

    assert response.status_code == 400
    assert "use cells of at least" in response.content.decode()
    assert response.context["spec"].cell_size == 10


def test_a_file_without_a_unit_says_which_parameter_is_missing(signed_in):
    response = signed_in.get("/leaders/heatmap.tif")

    assert response.status_code == 400
    assert "?unit=" in response.content.decode()


def test_an_unknown_table_is_refused(signed_in):
    response = signed_in.get("/leaders/figures.csv", {"unit": "765", "table": "secrets"})

    assert response.status_code == 400
    assert "wards, departments, staff, trend" in response.content.decode()
