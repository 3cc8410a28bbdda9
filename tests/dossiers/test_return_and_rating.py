"""The result is returned with the applicant's satisfaction rating."""

import pytest

from dossiers import services
from dossiers.models import Status
from dossiers.services import DossierError
from tests.dossiers.factories import MONDAY, in_processing

pytestmark = pytest.mark.django_db


def decided(office):
    dossier = in_processing(office)
    return services.decide(dossier=dossier, actor=office.leader, result="issued", today=MONDAY)


def test_the_rating_is_kept_with_the_returned_result(office):
    dossier = services.return_result(dossier=decided(office), actor=office.officer, rating=4)
    assert (dossier.status, dossier.rating) == (Status.RETURNED, 4)
    assert dossier.returned_at is not None


def test_the_applicant_can_rate_later_once(office):
    dossier = services.return_result(dossier=decided(office), actor=office.officer)
    services.rate(dossier=dossier, rating=5, comment="Nhanh")
    with pytest.raises(DossierError, match="already been rated"):
        services.rate(dossier=dossier, rating=1)
    dossier.refresh_from_db()
    assert dossier.rating == 5


@pytest.mark.parametrize("rating", [0, 6, "5"])
def test_a_rating_is_a_whole_number_from_1_to_5(office, rating):
    with pytest.raises(DossierError, match="1 to 5"):
        services.return_result(dossier=decided(office), actor=office.officer, rating=rating)


def test_a_dossier_not_yet_returned_cannot_be_rated(office):
    with pytest.raises(DossierError, match="once its result is returned"):
        services.rate(dossier=decided(office), rating=5)
