"""Intake: online by a citizen (awaiting intake) or at the counter (accepted at once)."""

import pytest
from django.contrib.gis.geos import Point

from dossiers import services
from dossiers.documents import Upload
from dossiers.models import Channel, HandOff, Status, Step
from dossiers.services import DossierError
from tests.dossiers.factories import MONDAY, PDF, applicant, house, procedure, submit

pytestmark = pytest.mark.django_db


def test_an_online_dossier_waits_for_intake_with_its_parcel_and_building(office):
    dossier = submit(office, building=house(floors=4))

    assert dossier.status == Status.SUBMITTED
    assert dossier.code is None
    assert dossier.channel == Channel.ONLINE
    assert dossier.applicant == office.citizen
    assert dossier.parcel == office.parcel
    assert dossier.ward == office.ward_a
    assert dossier.unit == office.district  # a house permit is the district's
    assert dossier.department == office.department
    assert dossier.floors == 4
    assert dossier.address == "12/3 Hẻm 45 Điện Biên Phủ"
    assert office.parcel.geom.covers(dossier.location)
    line = HandOff.objects.get(dossier=dossier)
    assert (line.step, line.from_status, line.to_status) == (Step.SUBMITTED, Status.DRAFT, 1)
    assert dossier.documents.get().content_type == "application/pdf"


def test_at_the_counter_the_dossier_is_accepted_at_once_with_its_appointment(office):
    dossier = services.receive_at_counter(
        officer=office.officer,
        procedure=procedure("XD-NORL"),
        applicant=applicant(),
        parcel=office.parcel,
        building=house(),
        today=MONDAY,
    )

    assert dossier.status == Status.ACCEPTED
    assert dossier.code == "000.00.27.H29-250310-0001"
    assert dossier.accepted_on == MONDAY
    # 15 working days after Monday 10 March 2025: Monday 31 March.
    assert str(dossier.deadline) == "2025-03-31"
    assert dossier.appointment_date == dossier.deadline
    assert dossier.applicant is None
    steps = list(dossier.handoffs.values_list("step", "sender", "sender_post__unit"))
    assert steps == [
        (Step.SUBMITTED, office.officer.pk, office.district.pk),
        (Step.ACCEPTED, office.officer.pk, office.district.pk),
    ]


def test_an_officer_of_another_unit_cannot_take_in_at_the_counter(office):
    from tests.accounts_factories import make_official

    stranger = make_official(office.ward_b)
    with pytest.raises(DossierError):
        services.receive_at_counter(
            officer=stranger,
            procedure=procedure("XD-NORL"),
            applicant=applicant(),
            parcel=office.parcel,
            building=house(),
        )


def test_a_place_picked_on_the_map_finds_its_ward(office):
    dossier = submit(office, parcel=None, location=Point(106.71, 10.80, srid=4326))

    assert dossier.ward == office.ward_b
    assert dossier.parcel is None


def test_a_place_outside_every_ward_is_refused(office):
    with pytest.raises(DossierError, match="outside the area"):
        submit(office, parcel=None, location=Point(105.0, 9.0, srid=4326))


def test_a_permit_without_its_building_is_refused(office):
    with pytest.raises(DossierError, match="proposed building"):
        services.submit_dossier(
            procedure=procedure("XD-NORL"),
            applicant=applicant(),
            channel=Channel.ONLINE,
            submitted_by=office.citizen,
            parcel=office.parcel,
            building=None,
        )


def test_a_gross_floor_area_below_the_footprint_is_refused(office):
    bad = services.Building(floors=3, height_m=10, footprint_m2=80, gross_floor_area_m2=50)
    with pytest.raises(DossierError, match="gross floor area"):
        submit(office, building=bad)


@pytest.mark.parametrize("id_number", ["", "12345", "07908500123X", "0790850012345"])
def test_an_id_number_that_is_not_9_or_12_digits_is_refused(office, id_number):
    with pytest.raises(DossierError, match="ID number"):
        submit(office, applicant=applicant(id_number=id_number))


def test_an_online_dossier_needs_a_signed_in_applicant(office):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(DossierError, match="Sign in"):
        submit(office, submitted_by=AnonymousUser())


def test_a_refused_document_leaves_nothing_behind(office):
    fake = Upload("Bản vẽ", "ban-ve.pdf", b"MZ\x90\x00 not a pdf at all")
    with pytest.raises(DossierError, match="not a PDF"):
        submit(office, documents=[Upload("Đơn", "don.pdf", PDF), fake])

    assert not office.citizen.dossiers.exists()
    assert not HandOff.objects.exists()


def test_the_first_working_day_after_a_holiday_acceptance_counts_as_day_one(office):
    import datetime as dt

    # Accepted on Friday 24 January 2025, the last working day before Tết.
    dossier = services.receive_at_counter(
        officer=office.officer,
        procedure=procedure("XD-NORL"),
        applicant=applicant(),
        parcel=office.parcel,
        building=house(),
        today=dt.date(2025, 1, 24),
    )
    assert dossier.deadline == dt.date(2025, 2, 21)
