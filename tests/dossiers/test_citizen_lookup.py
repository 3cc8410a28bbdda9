"""Citizens follow a dossier with its code and the applicant's ID number."""

import re

import pytest

from dossiers import services
from tests.dossiers.factories import MONDAY, accepted, in_processing

pytestmark = pytest.mark.django_db

REFUSAL = "No dossier matches this code and ID number."


def without_values(response) -> str:
    return re.sub(r'value="[^"]*"', "", response.content.decode())


def test_the_code_and_id_number_show_status_timeline_and_appointment(client, office):
    dossier = accepted(office)

    response = client.post("/dossiers/lookup/", {"code": dossier.code, "id_number": "079085001234"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Accepted" in page
    assert "31/03/2025" in page  # the appointment date
    assert page.count("<li><time") == 2  # submitted, accepted
    assert "Nguyễn Văn An" not in page  # the page itself carries no personal data


def test_a_wrong_id_number_is_refused_like_an_unknown_code(client, office):
    dossier = accepted(office)

    wrong_id = client.post("/dossiers/lookup/", {"code": dossier.code, "id_number": "079085009999"})
    unknown = client.post(
        "/dossiers/lookup/", {"code": "000.00.27.H29-250310-9999", "id_number": "079085001234"}
    )

    assert wrong_id.status_code == unknown.status_code == 400
    assert REFUSAL in wrong_id.content.decode()
    # The same page but for what was typed (echoed in the form) and the CSRF token.
    assert without_values(wrong_id) == without_values(unknown)
    assert "Accepted" not in wrong_id.content.decode()


def test_the_lookup_is_not_a_get_so_the_id_number_stays_out_of_urls(client, office):
    dossier = accepted(office)
    response = client.get("/dossiers/lookup/", {"code": dossier.code, "id_number": "079085001234"})
    assert "Accepted" not in response.content.decode()


def test_a_returned_dossier_can_be_rated_from_the_lookup(client, office):
    dossier = in_processing(office)
    services.decide(dossier=dossier, actor=office.leader, result="issued", today=MONDAY)
    services.return_result(dossier=dossier, actor=office.officer)

    page = client.post("/dossiers/lookup/", {"code": dossier.code, "id_number": "079085001234"})
    assert 'name="rating"' in page.content.decode()

    rated = client.post(
        "/dossiers/rate/", {"code": dossier.code, "id_number": "079085001234", "rating": "4"}
    )
    assert rated.status_code == 200
    dossier.refresh_from_db()
    assert dossier.rating == 4


def test_rating_with_a_wrong_id_number_is_refused(client, office):
    dossier = in_processing(office)
    services.decide(dossier=dossier, actor=office.leader, result="issued", today=MONDAY)
    services.return_result(dossier=dossier, actor=office.officer)

    response = client.post(
        "/dossiers/rate/", {"code": dossier.code, "id_number": "079085009999", "rating": "1"}
    )

    assert response.status_code == 400
    assert REFUSAL in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.rating is None


def test_the_lookup_page_speaks_vietnamese_by_default(client, office, settings):
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    page = client.get("/dossiers/lookup/").content.decode()
    assert "Tra cứu hồ sơ" in page
    assert "Số định danh cá nhân của người nộp" in page


def test_the_procedures_list_writes_fees_as_each_language_groups_digits(client, settings, office):
    english = client.get("/dossiers/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    vietnamese = client.get("/dossiers/").content.decode()

    # The seeded building-permit procedure for a house costs 75,000 đồng.
    assert '<td class="num">75,000</td>' in english
    assert '<td class="num">75.000</td>' in vietnamese
