"""The demo district gets a year of plausible dossiers, once."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from dossiers.figures import totals
from dossiers.models import Dossier, HandOff, Status
from tests.dossiers.factories import ensure_catalogue
from tests.factories import make_district, make_parcel

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_district():
    ensure_catalogue()
    units = make_district()
    for i in range(30):
        make_parcel(units["ward_a" if i % 2 else "ward_b"], 1, i + 1)
    return units


def test_a_year_of_dossiers_with_late_and_inter_agency_ones(demo_district):
    call_command("load_demo_dossiers", "--count", "400", verbosity=0)

    dossiers = Dossier.objects.all()
    assert dossiers.count() == 400
    assert dossiers.filter(procedure__is_combined=True).count() > 10
    assert dossiers.filter(timing="late").exists()
    assert dossiers.filter(status__in=[2, 4, 5]).exists()
    assert dossiers.filter(status=Status.RETURNED, rating__isnull=False).exists()
    assert dossiers.filter(apology_count=1).exists()
    assert len(set(dossiers.values_list("code", flat=True))) == 400
    # Every dossier has its control sheet, in order.
    assert HandOff.objects.values("dossier").distinct().count() == 400
    for dossier in dossiers.filter(status=Status.RETURNED)[:20]:
        times = list(dossier.handoffs.order_by("id").values_list("at", flat=True))
        assert times == sorted(times)
    today = timezone.localdate()
    figures = totals(start=today - dt.timedelta(days=365), end=today)
    assert 80 < figures.on_time_rate < 100


def test_demo_lines_name_the_post_of_the_officers_who_may_act(demo_district):
    from tests.accounts_factories import make_department, make_official
    from urbanmgmt.models import Role

    department = make_department(demo_district["district"])
    make_official(demo_district["district"], Role.OFFICER, department, "demo-district-officer")
    make_official(demo_district["district"], Role.LEADER, None, "demo-district-leader")
    call_command("load_demo_dossiers", "--count", "100", verbosity=0)

    signed = HandOff.objects.filter(sender__isnull=False)
    assert signed.exists()
    assert not signed.filter(sender_post__isnull=True).exists()
    # The district's people do not sign for the city's inter-agency dossiers.
    assert not signed.filter(dossier__unit=demo_district["city"]).exists()


def test_loading_twice_changes_nothing(demo_district):
    call_command("load_demo_dossiers", "--count", "50", verbosity=0)
    call_command("load_demo_dossiers", "--count", "50", verbosity=0)
    assert Dossier.objects.count() == 50


def test_a_real_acceptance_after_the_demo_continues_the_day_counter(demo_district):
    from dossiers import codes

    call_command("load_demo_dossiers", "--count", "200", "--days", "3", verbosity=0)
    dossier = Dossier.objects.filter(unit=demo_district["district"]).order_by("-code").first()
    day = dossier.accepted_on
    last = int(
        Dossier.objects.filter(agency_code=dossier.agency_code, accepted_on=day)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()[-4:]
    )
    assert codes.next_number(dossier.agency_code, day) == last + 1
