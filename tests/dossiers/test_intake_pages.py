"""The intake pages: online by a signed-in citizen, at the counter by an officer."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.models import Dossier, Status
from tests.dossiers.factories import PDF, procedure

pytestmark = pytest.mark.django_db


def form(office, **changes):
    data = {
        "procedure": procedure("XD-NORL").pk,
        "applicant_name": "Trần Thị Bình",
        "applicant_id_number": "079190004321",
        "applicant_email": "binh@example.vn",
        "parcel_key": office.parcel.key,
        "floors": "4",
        "height_m": "15",
        "footprint_m2": "60",
        "gross_floor_area_m2": "240",
        "documents": [SimpleUploadedFile("don.pdf", PDF, content_type="application/pdf")],
    }
    data.update(changes)
    return data


def test_a_citizen_submits_online_with_a_parcel_key_and_a_document(client, office):
    client.force_login(office.citizen)

    response = client.post("/dossiers/new/", form(office))

    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/dossiers/{dossier.pk}/"
    assert dossier.status == Status.SUBMITTED
    assert dossier.parcel == office.parcel
    assert dossier.documents.count() == 1
    assert client.get(response["Location"]).status_code == 200


def test_online_intake_asks_to_sign_in(client, office):
    response = client.get("/dossiers/new/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_unknown_parcel_key_is_an_error_on_the_form(client, office):
    client.force_login(office.citizen)
    response = client.post("/dossiers/new/", form(office, parcel_key="26905-999-9999"))
    assert response.status_code == 200
    assert "No parcel has this key." in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_fake_pdf_is_refused_with_a_message(client, office):
    client.force_login(office.citizen)
    fake = SimpleUploadedFile("don.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post("/dossiers/new/", form(office, documents=[fake]))
    assert "is not a PDF, PNG or JPEG file" in response.content.decode()
    assert not Dossier.objects.exists()


def test_at_the_counter_the_officer_gets_the_receipt_to_print(client, office):
    client.force_login(office.officer)

    response = client.post("/office/dossiers/counter/", form(office))

    dossier = Dossier.objects.get()
    assert dossier.status == Status.ACCEPTED
    assert response["Location"] == f"/dossiers/{dossier.pk}/receipt/"
    receipt = client.get(response["Location"]).content.decode()
    assert dossier.code in receipt
    assert "Trần Thị Bình" in receipt
    assert dossier.appointment_date.strftime("%d/%m/%Y") in receipt


def test_a_citizen_cannot_open_the_counter(client, office):
    client.force_login(office.citizen)
    assert client.get("/office/dossiers/counter/").status_code == 404


def test_the_parcel_picker_answers_by_point_and_by_key(client, office):
    centre = office.parcel.geom.point_on_surface
    by_point = client.get("/dossiers/parcel", {"lon": centre.x, "lat": centre.y}).json()
    by_key = client.get("/dossiers/parcel", {"key": "26905 10 16"}).json()

    assert by_point["properties"]["key"] == by_key["properties"]["key"] == "26905-010-0016"
    assert client.get("/dossiers/parcel", {"key": "abc"}).status_code == 400
    assert client.get("/dossiers/parcel", {"lon": "x", "lat": "1"}).status_code == 400
    assert client.get("/dossiers/parcel", {"lon": "105", "lat": "9"}).status_code == 404
