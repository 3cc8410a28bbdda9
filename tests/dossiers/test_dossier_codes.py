"""Dossier codes: <agency>-<yyMMdd>-<NNNN>, a per-agency counter reset daily, never shared."""

import datetime as dt
import threading

import pytest
from django.db import connection

from dossiers import services
from dossiers.models import Agency, Dossier
from tests.dossiers.factories import MONDAY, accepted, make_office, submit

TUESDAY = MONDAY + dt.timedelta(days=1)


@pytest.mark.django_db
def test_codes_count_up_per_agency_and_start_again_each_day(office):
    first = accepted(office)
    second = accepted(office)
    next_day = accepted(office, today=TUESDAY)

    assert first.code == "000.00.27.H29-250310-0001"
    assert second.code == "000.00.27.H29-250310-0002"
    assert next_day.code == "000.00.27.H29-250311-0001"


@pytest.mark.django_db
def test_each_agency_has_its_own_counter(office):
    district = accepted(office)
    city = accepted(office, "LT-XD")  # the combined route is the city's

    assert district.code.endswith("-250310-0001")
    assert city.code == f"{office.city.code}-250310-0001"  # no Agency row: the unit's code


@pytest.mark.django_db
def test_a_rolled_back_acceptance_gives_its_number_back(office):
    dossier = submit(office)
    with pytest.raises(RuntimeError):
        from django.db import transaction

        with transaction.atomic():
            services.accept_dossier(dossier=dossier, actor=office.officer, today=MONDAY)
            raise RuntimeError("the printer jammed")
    dossier.refresh_from_db()
    assert dossier.code is None
    assert services.accept_dossier(
        dossier=dossier, actor=office.officer, today=MONDAY
    ).code.endswith("-0001")


@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptances_never_share_a_code():
    office = make_office()
    dossiers = [submit(office) for _ in range(8)]
    barrier = threading.Barrier(len(dossiers))
    codes: list[str] = []
    errors: list[BaseException] = []

    def accept(dossier: Dossier) -> None:
        try:
            barrier.wait(timeout=10)
            done = services.accept_dossier(dossier=dossier, actor=office.officer, today=MONDAY)
            codes.append(done.code)
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(d,)) for d in dossiers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(codes) == [f"000.00.27.H29-250310-{n:04d}" for n in range(1, 9)]
    assert Dossier.objects.filter(code__isnull=False).count() == 8
    assert Agency.objects.count() == 1
