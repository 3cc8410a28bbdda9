"""The combined inter-agency route: three procedures side by side, each with its deadline."""

import datetime as dt

import pytest

from dossiers import services
from dossiers.models import BranchStatus, HandOff, Status, Step
from dossiers.services import DossierError
from tests.dossiers.factories import MONDAY, accepted, in_processing

pytestmark = pytest.mark.django_db

D = dt.date


def test_each_branch_has_its_own_deadline_and_the_dossier_the_longest(office):
    dossier = accepted(office, "LT-XD", variants={"TD-TKCS": "B", "TD-TKKT": "III+"})

    deadlines = dict(dossier.branches.values_list("procedure__code", "deadline"))
    assert deadlines == {
        "TD-TKCS": D(2025, 4, 22),  # group B: 30 working days (7 April off)
        "TD-TKKT": D(2025, 4, 22),  # grade III and above: 30
        "XD-CT": D(2025, 4, 8),  # works permit: 20
    }
    # The longest branch, not the sum of the three (30, not 80).
    assert dossier.deadline == D(2025, 4, 22)
    assert dossier.unit == office.city
    assert dossier.department == office.city_department


def test_a_group_a_project_takes_the_longest_deadline(office):
    dossier = accepted(office, "LT-XD", variants={"TD-TKCS": "A"})
    assert dossier.deadline == dossier.branches.get(procedure__code="TD-TKCS").deadline
    # 40 working days: Saturday 26 April is worked, 30 April to 2 May are off.
    assert dossier.branches.get(procedure__code="TD-TKCS").deadline == D(2025, 5, 8)


def test_an_unknown_variant_is_refused(office):
    with pytest.raises(DossierError, match="variant"):
        accepted(office, "LT-XD", variants={"TD-TKCS": "Z"})


def test_the_decision_waits_until_every_branch_is_closed(office):
    dossier = in_processing(office, "LT-XD")
    for consultation in dossier.consultations.all():
        services.reply_consultation(
            consultation=consultation, actor=office.city_officer, agreed=True
        )
    branches = list(dossier.branches.order_by("id"))

    assert (
        services.close_branch(branch=branches[0], actor=office.city_officer, approved=True) is False
    )
    assert (
        services.close_branch(branch=branches[1], actor=office.city_officer, approved=True) is False
    )
    with pytest.raises(DossierError, match="branches are still open"):
        services.decide(dossier=dossier, actor=office.city_leader, result="issued", today=MONDAY)

    assert (
        services.close_branch(branch=branches[2], actor=office.city_officer, approved=True) is True
    )
    done = services.decide(dossier=dossier, actor=office.city_leader, result="issued", today=MONDAY)

    assert done.status == Status.DECIDED
    assert HandOff.objects.filter(dossier=dossier, step=Step.BRANCHES_JOINED).count() == 1


def test_a_branch_is_closed_once(office):
    dossier = in_processing(office, "LT-XD")
    branch = dossier.branches.first()
    services.close_branch(
        branch=branch, actor=office.city_officer, approved=False, note="Sai quy chuẩn"
    )

    branch.refresh_from_db()
    assert branch.status == BranchStatus.REFUSED
    with pytest.raises(DossierError, match="already closed"):
        services.close_branch(branch=branch, actor=office.city_officer, approved=True)


def test_an_officer_of_the_district_cannot_close_a_city_branch(office):
    dossier = in_processing(office, "LT-XD")
    with pytest.raises(DossierError, match="may not"):
        services.close_branch(branch=dossier.branches.first(), actor=office.officer, approved=True)
