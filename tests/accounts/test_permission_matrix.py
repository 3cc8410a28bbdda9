"""Every kind of post against objects in two wards of two districts, for read and write.

The reports and dossiers apps add their own kinds of object to this matrix in their tests;
here are the objects of the spatial core (parcels, units) and of the accounts themselves.
"""

from __future__ import annotations

import pytest
from django.http import Http404

from gis.models import Parcel
from tests.accounts_factories import PASSWORD
from tests.factories import make_parcel
from urbanmgmt import policy
from urbanmgmt.policy import Action

WARDS = ("a1", "a2", "b1", "b2")
# Which wards each person's posts cover (for viewing).
SCOPE = {
    "anonymous": set(),
    "citizen": set(),
    "ward_a1_officer": {"a1"},
    "ward_a1_leader": {"a1"},
    "district_a_officer": {"a1", "a2"},
    "district_a_deputy": {"a1", "a2"},
    "district_a_head": {"a1", "a2"},
    "district_a_leader": {"a1", "a2"},
    "district_a_admin": {"a1", "a2"},
    "ward_b1_officer": {"b1"},
    "superuser": set(WARDS),
}
ROLE_OF = {
    "ward_a1_officer": "officer",
    "ward_a1_leader": "leader",
    "district_a_officer": "officer",
    "district_a_deputy": "deputy_head",
    "district_a_head": "head",
    "district_a_leader": "leader",
    "district_a_admin": "admin",
    "ward_b1_officer": "officer",
}


def expected(person: str, action: str, ward: str) -> bool:
    if person == "superuser":
        return True
    if ward not in SCOPE[person]:
        return False
    return action in policy.ROLE_ACTIONS[ROLE_OF[person]]


@pytest.fixture
def parcels(world):
    return {key: make_parcel(ward) for key, ward in world["wards"].items()}


@pytest.mark.parametrize(
    "action", [Action.VIEW, Action.HANDLE, Action.ASSIGN, Action.APPROVE, Action.CONFIGURE]
)
@pytest.mark.parametrize("person", list(SCOPE))
def test_each_post_reaches_exactly_the_wards_its_role_and_unit_allow(
    world, parcels, person, action
):
    user = world["people"][person]
    visible = set(
        policy.scope(user, Parcel.objects.all(), action=action).values_list("id", flat=True)
    )
    for ward in WARDS:
        should = expected(person, action, ward)
        assert (parcels[ward].id in visible) is should, (person, action, ward)
        assert policy.can(user, action, world["wards"][ward].id) is should, (person, action, ward)


def test_an_officer_of_ward_a_gets_404_for_an_object_of_ward_b(world, parcels):
    officer = world["people"]["ward_a1_officer"]
    assert (
        policy.get_in_scope_or_404(officer, Parcel.objects.all(), pk=parcels["a1"].pk)
        == parcels["a1"]
    )
    with pytest.raises(Http404):
        policy.get_in_scope_or_404(officer, Parcel.objects.all(), pk=parcels["a2"].pk)


def test_a_department_post_covers_only_its_departments_cases(world):
    ward = world["wards"]["a1"].id
    qldt, tnmt = world["departments"]["qldt_a"].id, world["departments"]["tnmt_a"].id
    officer = world["people"]["district_a_officer"]  # QLDT
    leader = world["people"]["district_a_leader"]  # no department: the whole district
    assert policy.can(officer, Action.HANDLE, ward, qldt)
    assert not policy.can(officer, Action.HANDLE, ward, tnmt)
    assert not policy.can(officer, Action.HANDLE, ward, None)
    assert policy.can(leader, Action.VIEW, ward, tnmt)
    assert policy.can(leader, Action.VIEW, ward, None)


def test_personal_data_is_for_the_posts_that_handle_the_case(world):
    ward = world["wards"]["a1"].id
    people = world["people"]
    assert policy.can_see_personal_data(people["ward_a1_officer"], ward)
    assert policy.can_see_personal_data(people["district_a_leader"], ward)
    assert not policy.can_see_personal_data(people["ward_b1_officer"], ward)
    assert not policy.can_see_personal_data(people["citizen"], ward)
    assert not policy.can_see_personal_data(people["anonymous"], ward)


def test_the_acting_post_is_the_closest_one(world):
    from tests.accounts_factories import add_post

    person = world["people"]["district_a_officer"]
    ward_post = add_post(person, world["wards"]["a1"], "officer")
    assert policy.acting_post(person, world["wards"]["a1"].id) == ward_post
    assert policy.acting_post(person, world["wards"]["a2"].id).unit == world["district_a"]
    assert policy.acting_post(person, world["wards"]["b1"].id) is None


def test_a_person_with_two_posts_sees_the_union_of_their_scopes(world, parcels):
    from tests.accounts_factories import add_post

    person = world["people"]["ward_b1_officer"]
    add_post(person, world["wards"]["a2"], "officer")
    visible = set(policy.scope(person, Parcel.objects.all()).values_list("id", flat=True))
    assert visible == {parcels["a2"].id, parcels["b1"].id}


def test_the_policy_reads_the_posts_once_per_request(world, parcels, django_assert_num_queries):
    person = world["people"]["district_a_head"]
    with django_assert_num_queries(2):  # the posts, then their unit subtrees
        policy.posts(person)
    with django_assert_num_queries(1):  # the list itself
        list(policy.scope(person, Parcel.objects.all()))
        policy.can(person, Action.HANDLE, world["wards"]["a1"].id)


# --- the same decisions through the admin site -----------------------------------------


@pytest.mark.parametrize("person", list(SCOPE))
def test_the_admin_lists_and_edits_exactly_what_the_policy_allows(client, world, parcels, person):
    user = world["people"][person]
    if user is not None:
        client.force_login(user)
    response = client.get("/admin/spatial/parcel/")
    staff = person in ("district_a_admin", "superuser")
    if not staff:
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        return
    assert response.status_code == 200
    listed = {pk for pk in response.context["cl"].result_list.values_list("pk", flat=True)}
    assert listed == {parcels[w].pk for w in SCOPE[person]}
    for ward in WARDS:
        parcel = parcels[ward]
        page = client.get(f"/admin/spatial/parcel/{parcel.pk}/change/")
        client.post(
            f"/admin/spatial/parcel/{parcel.pk}/change/",
            {
                "ward": parcel.ward_id,
                "sheet_no": 9,
                "parcel_no": parcel.parcel_no,
                "land_use": "",
                "address": "Đường Điện Biên Phủ",
                "geom": parcel.geom.geojson,
            },
        )
        parcel.refresh_from_db()
        if expected(person, Action.CONFIGURE, ward):
            assert page.status_code == 200
            assert parcel.sheet_no == 9, ward
        else:
            # The admin answers as for a parcel that does not exist, and changes nothing.
            assert page.status_code == 302
            assert parcel.sheet_no == 1, ward


def test_an_admin_post_cannot_touch_accounts_or_permissions(client, world):
    client.force_login(world["people"]["district_a_admin"])
    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 403


def test_signing_in_through_the_admin_form_uses_the_same_rules(client, world):
    admin_user = world["people"]["district_a_admin"]
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": admin_user.username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


# --- citizen reports through the officials' HTML pages ----------------------------------


@pytest.fixture
def reports(world, settings, tmp_path):
    from django.contrib.gis.geos import Point
    from django.core.cache import caches

    from reports.services import submit_report
    from tests.reports.factories import category

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "matrix",
        }
    }
    caches["default"].clear()
    found = {}
    for key, ward in world["wards"].items():
        centre = ward.geom.centroid
        found[key] = submit_report(
            category=category("illegal-construction", responsible_level="ward", department_code=""),
            location=Point(centre.x, centre.y, srid=4326),
            description=f"Xây dựng không phép ở {ward.name}",
            device_id=f"matrix-{key}",
        )
    return found


# Posts tied to a department (QLDT) cover that department's cases only, and these reports
# are the wards' own (no department).
DEPARTMENT_POSTS = {"district_a_officer", "district_a_deputy", "district_a_head"}


@pytest.mark.parametrize("person", list(SCOPE))
def test_the_report_pages_show_and_act_on_exactly_what_the_policy_allows(
    client, world, reports, person
):
    from reports.models import Status

    def allowed(action: str, ward: str) -> bool:
        return person not in DEPARTMENT_POSTS and expected(person, action, ward)

    user = world["people"][person]
    if user is not None:
        client.force_login(user)
    for ward in WARDS:
        report = reports[ward]
        page = client.get(f"/reports/queue/{report.tracking_code}/")
        client.post(f"/reports/queue/{report.tracking_code}/verify/", {"public_note": ""})
        report.refresh_from_db()
        if user is None:
            assert page.status_code == 302 and "/accounts/login/" in page["Location"]
        else:
            assert page.status_code == (200 if allowed(Action.VIEW, ward) else 404), ward
        verified = report.status == Status.VERIFIED
        assert verified is allowed(Action.HANDLE, ward), (person, ward)


def test_the_people_who_may_handle_a_case_are_those_whose_posts_cover_it(world):
    ward = world["wards"]["a1"].id
    names = lambda people: {u.pk for u in people}  # noqa: E731
    people = world["people"]
    assert names(policy.people_who_may(Action.HANDLE, ward)) == {
        people[p].pk
        for p in ("ward_a1_officer", "district_a_officer", "district_a_deputy", "district_a_head")
    }
    # A ward case with no department: the department posts of the district do not handle it.
    assert names(policy.people_who_may(Action.HANDLE, ward, None)) == {people["ward_a1_officer"].pk}
    assert names(policy.people_who_may(Action.APPROVE, world["wards"]["b2"].id)) == set()
    assert people["district_a_admin"].pk in names(
        policy.people_who_may(Action.HANDLE, ward, include_admins=True)
    )
