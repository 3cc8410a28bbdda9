"""Officers' pages: every list and object through the access policy; 404 outside scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.models import Status
from tests.accounts_factories import make_department, make_official
from tests.dossiers.factories import PDF, accepted, in_processing, submit
from urbanmgmt.models import Role

pytestmark = pytest.mark.django_db


def test_the_queue_lists_open_dossiers_due_soonest_first_without_personal_data(
    client, office, django_assert_max_num_queries
):
    import datetime as dt

    late = accepted(office, today=dt.date(2025, 3, 3))
    soon = accepted(office, today=dt.date(2025, 3, 10))
    client.force_login(office.officer)

    with django_assert_max_num_queries(12):
        page = client.get("/office/dossiers/").content.decode()

    assert page.index(late.code) < page.index(soon.code)
    assert "Nguyễn Văn An" not in page and "079085001234" not in page


def test_the_queue_costs_the_same_queries_for_2_or_12_dossiers(
    client, office, django_assert_num_queries
):
    for _ in range(2):
        accepted(office)
    client.force_login(office.officer)
    client.get("/office/dossiers/")  # warm the session and the calendar
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/office/dossiers/")
    for _ in range(10):
        accepted(office)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/office/dossiers/")


def test_in_the_field_the_nearest_dossier_comes_first(client, office):
    from django.contrib.gis.geos import Point

    from tests.dossiers.factories import house
    from tests.factories import make_parcel

    far_parcel = make_parcel(office.ward_b, 2, 2)
    near = accepted(office)  # on the west ward's parcel
    far = accepted(office, parcel=far_parcel, building=house())
    client.force_login(office.officer)
    here = office.parcel.geom.point_on_surface

    page = client.get("/office/dossiers/", {"lon": here.x, "lat": here.y}).content.decode()
    assert page.index(near.code) < page.index(far.code)
    there = far_parcel.geom.point_on_surface
    page = client.get("/office/dossiers/", {"lon": there.x, "lat": there.y}).content.decode()
    assert page.index(far.code) < page.index(near.code)
    assert isinstance(Point(here.x, here.y), Point)


def test_the_queue_map_points_carry_no_personal_data(client, office):
    dossier = accepted(office)
    client.force_login(office.officer)

    body = client.get("/office/dossiers/queue.geojson").json()

    assert [f["properties"]["code"] for f in body["features"]] == [dossier.code]
    assert set(body["features"][0]["properties"]) == {
        "code",
        "procedure",
        "deadline",
        "due_soon",
        "overdue",
        "url",
    }


def test_a_dossier_of_another_department_is_not_found(client, office):
    other = make_official(
        office.district, Role.OFFICER, make_department(office.district, "TNMT", "Phòng TNMT")
    )
    dossier = accepted(office)
    client.force_login(other)

    assert client.get(f"/office/dossiers/{dossier.pk}/").status_code == 404
    assert dossier.code not in client.get("/office/dossiers/").content.decode()
    assert client.post(f"/office/dossiers/{dossier.pk}/stop/", {"note": "x"}).status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == Status.ACCEPTED


def test_a_ward_officer_does_not_see_the_district_dossiers(client, office):
    dossier = accepted(office)
    client.force_login(make_official(office.ward_a))
    assert client.get(f"/office/dossiers/{dossier.pk}/").status_code == 404


def test_a_citizen_gets_404_on_the_office_pages(client, office):
    dossier = accepted(office)
    client.force_login(office.citizen)
    assert client.get("/office/dossiers/").status_code == 404
    assert client.get(f"/office/dossiers/{dossier.pk}/").status_code == 404


def test_the_officer_sees_the_applicant_and_acts_through_the_page(client, office):
    dossier = submit(office)
    client.force_login(office.officer)

    page = client.get(f"/office/dossiers/{dossier.pk}/").content.decode()
    assert "Nguyễn Văn An" in page and "079085001234" in page

    response = client.post(f"/office/dossiers/{dossier.pk}/accept/")
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.ACCEPTED

    client.post(f"/office/dossiers/{dossier.pk}/assign/", {"handler": office.officer.pk})
    client.post(f"/office/dossiers/{dossier.pk}/supplement/", {"note": "Bổ sung bản vẽ"})
    client.post(
        f"/office/dossiers/{dossier.pk}/resume/",
        {"documents": [SimpleUploadedFile("ban-ve.pdf", PDF)]},
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.documents.count() == 2


def test_a_refused_action_is_shown_as_a_message_not_an_error_page(client, office):
    dossier = in_processing(office)
    client.force_login(office.officer)

    response = client.post(
        f"/office/dossiers/{dossier.pk}/decide/", {"result": "issued"}, follow=True
    )

    assert response.status_code == 200
    assert "You may not do this on this dossier." in response.content.decode()


def test_an_unknown_action_is_not_found(client, office):
    dossier = in_processing(office)
    client.force_login(office.officer)
    assert client.post(f"/office/dossiers/{dossier.pk}/explode/").status_code == 404


def test_documents_go_to_the_applicant_and_the_handlers_only(client, office):
    dossier = accepted(office)
    document = dossier.documents.get()
    url = f"/dossiers/{dossier.pk}/documents/{document.pk}/"

    client.force_login(office.citizen)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # read to the end: the file closes
    client.force_login(office.officer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    client.force_login(make_official(office.ward_b))
    assert client.get(url).status_code == 404
    from tests.accounts_factories import make_citizen

    client.force_login(make_citizen())
    assert client.get(url).status_code == 404
    assert client.get(f"/dossiers/{dossier.pk}/receipt/").status_code == 404
