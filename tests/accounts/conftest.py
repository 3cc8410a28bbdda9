"""Two districts of two wards each, and one person per kind of post."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from gis.models import UnitLevel
from tests.accounts_factories import PASSWORD, make_citizen, make_department, make_official
from tests.factories import make_unit, rect
from urbanmgmt.models import Role


@pytest.fixture
def world(db):
    city = make_unit(
        "79", "Thành phố Hồ Chí Minh", UnitLevel.CITY, geom=rect(106.6, 10.7, 106.8, 10.9)
    )
    district_a = make_unit(
        "765",
        "Quận Bình Thạnh",
        UnitLevel.DISTRICT,
        parent=city,
        geom=rect(106.6, 10.7, 106.7, 10.9),
    )
    district_b = make_unit(
        "774", "Quận 5", UnitLevel.DISTRICT, parent=city, geom=rect(106.7, 10.7, 106.8, 10.9)
    )
    wards = {
        "a1": make_unit(
            "26905", "Phường 13", parent=district_a, geom=rect(106.6, 10.7, 106.65, 10.9)
        ),
        "a2": make_unit(
            "26908", "Phường 11", parent=district_a, geom=rect(106.65, 10.7, 106.7, 10.9)
        ),
        "b1": make_unit(
            "27301", "Phường 1", parent=district_b, geom=rect(106.7, 10.7, 106.75, 10.9)
        ),
        "b2": make_unit(
            "27304", "Phường 2", parent=district_b, geom=rect(106.75, 10.7, 106.8, 10.9)
        ),
    }
    qldt_a = make_department(district_a, "QLDT")
    tnmt_a = make_department(district_a, "TNMT", "Phòng Tài nguyên và Môi trường")
    superuser = get_user_model().objects.create_superuser("root", "root@example.vn", PASSWORD)
    people = {
        "anonymous": None,
        "citizen": make_citizen(),
        "ward_a1_officer": make_official(wards["a1"], Role.OFFICER),
        "ward_a1_leader": make_official(wards["a1"], Role.LEADER),
        "district_a_officer": make_official(district_a, Role.OFFICER, qldt_a),
        "district_a_deputy": make_official(district_a, Role.DEPUTY_HEAD, qldt_a),
        "district_a_head": make_official(district_a, Role.HEAD, qldt_a),
        "district_a_leader": make_official(district_a, Role.LEADER),
        "district_a_admin": make_official(district_a, Role.ADMIN),
        "ward_b1_officer": make_official(wards["b1"], Role.OFFICER),
        "superuser": superuser,
    }
    return {
        "city": city,
        "district_a": district_a,
        "district_b": district_b,
        "wards": wards,
        "departments": {"qldt_a": qldt_a, "tnmt_a": tnmt_a},
        "people": people,
    }


@pytest.fixture
def client(client, settings):
    """Pages in English, as the rest of the tests read them."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
