"""The applicant sends a supplement or withdraws from their own dossier page, online."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url

from dossiers import services
from dossiers.models import Status, Step
from tests.accounts_factories import make_citizen
from tests.dossiers.factories import MONDAY, PDF, in_processing

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(office):
    """A dossier of the office's citizen, waiting for the supplement an officer asked for."""
    dossier = in_processing(office)
    services.request_supplement(
        dossier=dossier, actor=office.officer, note="Thiếu bản vẽ móng", today=MONDAY
    )
    return dossier


def url(dossier, action):
    return f"/dossiers/{dossier.pk}/{action}/"


def test_the_page_offers_the_supplement_form_while_one_is_awaited(client, office, waiting):
    client.force_login(office.citizen)

    page = client.get(f"/dossiers/{waiting.pk}/").content.decode()

    assert 'id="send-supplement"' in page
    assert 'id="withdraw"' in page


def test_the_applicant_sends_the_supplement_online(client, office, waiting):
    client.force_login(office.citizen)
    drawing = SimpleUploadedFile("ban-ve-mong.pdf", PDF, content_type="application/pdf")

    response = client.post(
        url(waiting, "supplement"), {"note": "Đã bổ sung bản vẽ móng", "documents": [drawing]}
    )

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Status.PROCESSING
    assert waiting.paused_since is None
    assert waiting.documents.filter(name__contains="ban-ve-mong.pdf").exists()
    last = waiting.handoffs.order_by("-id").first()
    assert (last.step, last.sender_id) == (Step.SUPPLEMENT_RECEIVED, office.citizen.pk)
    page = client.get(f"/dossiers/{waiting.pk}/").content.decode()
    assert 'id="send-supplement"' not in page


def test_a_file_that_is_not_a_document_is_refused_and_nothing_changes(client, office, waiting):
    client.force_login(office.citizen)
    fake = SimpleUploadedFile("ban-ve.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    response = client.post(url(waiting, "supplement"), {"documents": [fake]}, follow=True)

    waiting.refresh_from_db()
    assert waiting.status == Status.SUPPLEMENT
    assert "ban-ve.pdf" not in "".join(waiting.documents.values_list("name", flat=True))
    assert "is not a PDF, PNG or JPEG file" in response.content.decode()


def test_the_applicant_withdraws_their_dossier(client, office, waiting):
    client.force_login(office.citizen)

    client.post(url(waiting, "withdraw"), {"note": "Đổi phương án thiết kế"})

    waiting.refresh_from_db()
    assert waiting.status == Status.WITHDRAWN
    page = client.get(f"/dossiers/{waiting.pk}/").content.decode()
    assert 'id="withdraw"' not in page


def test_a_supplement_that_nobody_asked_for_is_refused(client, office):
    dossier = in_processing(office)
    client.force_login(office.citizen)

    response = client.post(url(dossier, "supplement"), {"note": "x"}, follow=True)

    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert "not waiting for a supplement" in response.content.decode()


def test_another_citizen_cannot_act_on_the_dossier(client, waiting):
    client.force_login(make_citizen(username="nguoi-khac"))

    assert client.post(url(waiting, "withdraw")).status_code == 404
    assert client.post(url(waiting, "supplement")).status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == Status.SUPPLEMENT


def test_an_officer_is_not_the_applicant_here(client, office, waiting):
    client.force_login(office.officer)

    assert client.post(url(waiting, "withdraw")).status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == Status.SUPPLEMENT


def test_signing_in_comes_first(client, waiting):
    response = client.post(url(waiting, "withdraw"))

    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    waiting.refresh_from_db()
    assert waiting.status == Status.SUPPLEMENT


def test_an_unknown_step_is_a_404(client, office, waiting):
    client.force_login(office.citizen)

    assert client.post(url(waiting, "decide")).status_code == 404
    assert client.get(url(waiting, "withdraw")).status_code == 405
