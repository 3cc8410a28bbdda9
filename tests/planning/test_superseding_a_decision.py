import datetime as dt

import pytest

from planning.models import DecisionStatus, PlanDecision
from planning.services import PlanningError, record_decision
from tests.planning.factories import make_decision, make_zone

pytestmark = pytest.mark.django_db


def test_a_newer_decision_supersedes_the_older_from_the_day_it_comes_into_force(district):
    old = make_decision("100/QĐ-UBND", decided_on=dt.date(2012, 6, 1))
    make_zone(old)

    new = record_decision(
        number="200/QĐ-UBND",
        decided_on=dt.date(2021, 3, 15),
        valid_from=dt.date(2021, 4, 1),
        authority="Ủy ban nhân dân Thành phố Hồ Chí Minh",
        kind="zoning",
        scale=2000,
        supersedes=[old],
    )

    old.refresh_from_db()
    assert (old.status, old.valid_to, old.superseded_by) == (
        DecisionStatus.SUPERSEDED,
        dt.date(2021, 3, 31),
        new,
    )
    assert old.zones.count() == 1  # kept, for the plan of earlier days
    assert list(PlanDecision.objects.in_force_on(dt.date(2021, 3, 31))) == [old]
    assert list(PlanDecision.objects.in_force_on(dt.date(2021, 4, 1))) == [new]


def test_a_decision_cannot_supersede_a_later_one(district):
    later = make_decision("300/QĐ-UBND", decided_on=dt.date(2023, 1, 1))

    with pytest.raises(PlanningError, match="cannot supersede"):
        record_decision(
            number="250/QĐ-UBND",
            decided_on=dt.date(2022, 1, 1),
            authority="UBND",
            kind="zoning",
            scale=2000,
            supersedes=[later],
        )


def test_an_unknown_plan_kind_is_refused_with_the_known_ones(district):
    with pytest.raises(PlanningError, match="zoning"):
        record_decision(
            number="1/QĐ",
            decided_on=dt.date(2022, 1, 1),
            authority="UBND",
            kind="master",
            scale=2000,
        )
