"""The officials' review queue: filters, distance order, overdue flags and the actions."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reports import queries
from reports.models import Report, Status
from tests.accounts_factories import make_official
from tests.reports.factories import IN_WARD_A, file_report, jpeg_bytes
from urbanmgmt.models import AuditEntry, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def official(district, client):
    user = make_official(district["ward_a"], Role.HEAD)
    client.force_login(user)
    return user


def listed(client, **params):
    page = client.get(reverse("reports:queue"), params)
    assert page.status_code == 200, page.content
    return [r.tracking_code for r in page.context["reports"]]


def test_the_queue_sorts_by_distance_from_the_official(client, official):
    far = file_report(Point(106.681, 10.781, srid=4326))
    near = file_report(Point(106.699, 10.819, srid=4326))
    middle = file_report(IN_WARD_A)

    codes = listed(client, near="106.6995,10.8195")

    assert codes == [near.tracking_code, middle.tracking_code, far.tracking_code]


def test_the_queue_filters_overdue_reports(client, official):
    late = file_report(IN_WARD_A)
    Report.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    file_report(IN_WARD_A)

    assert listed(client, overdue="1") == [late.tracking_code]
    page = client.get(reverse("reports:queue"))
    assert "Overdue" in page.content.decode()


def test_the_queue_filters_by_bbox_category_status_and_age(client, official):
    old = file_report(IN_WARD_A, now=timezone.now() - dt.timedelta(days=10))
    noise = file_report(IN_WARD_A, code="noise")
    west = file_report(Point(106.681, 10.781, srid=4326))

    assert listed(client, days=5) == [west.tracking_code, noise.tracking_code]
    assert listed(client, category="noise") == [noise.tracking_code]
    assert listed(client, bbox="106.68,10.78,106.685,10.785") == [west.tracking_code]
    assert listed(client, status="received", days=5, category="noise") == [noise.tracking_code]
    assert listed(client, older=5) == [old.tracking_code]


def test_the_queue_page_takes_a_fixed_number_of_queries(
    client, official, django_assert_num_queries
):
    for _ in range(3):
        file_report(IN_WARD_A)
    client.get(reverse("reports:queue"))  # the session is warm

    # Session, user, posts, subtrees, the page of reports, the categories; then the session
    # is saved again (SESSION_SAVE_EVERY_REQUEST: a savepoint, an update, a release).
    with django_assert_num_queries(9):
        client.get(reverse("reports:queue"), {"status": "received"})
    for _ in range(10):
        file_report(IN_WARD_A)
    with django_assert_num_queries(9):
        client.get(reverse("reports:queue"), {"status": "received"})


def test_an_official_carries_a_report_to_the_end_from_the_review_page(
    client, official, django_capture_on_commit_callbacks
):
    report = file_report(IN_WARD_A, reporter_email="dan@example.vn")
    code = report.tracking_code

    def act(action, data=None):
        url = reverse("reports:act", kwargs={"code": code, "action": action})
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(url, data or {})
        assert answer.status_code == 302

    act("verify", {"public_note": "Đã xác minh"})
    act("assign", {"assignee": official.pk})
    act("start")
    act(
        "resolve",
        {
            "photo": SimpleUploadedFile("after.jpg", jpeg_bytes(), content_type="image/jpeg"),
            "public_note": "Đã xử lý xong",
        },
    )

    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert AuditEntry.objects.filter(object_id=str(report.pk)).count() == 5
    page = client.get(reverse("reports:track", kwargs={"code": code}))
    assert "Đã xử lý xong" in page.content.decode()
    assert len(mail.outbox) == 4
    assert all(m.to == ["dan@example.vn"] for m in mail.outbox)


def test_a_refused_step_comes_back_as_a_message(client, official):
    report = file_report(IN_WARD_A)
    url = reverse("reports:act", kwargs={"code": report.tracking_code, "action": "start"})

    answer = client.post(url, follow=True)

    assert "cannot become" in answer.content.decode()
    report.refresh_from_db()
    assert report.status == Status.RECEIVED


def _orm_codes(user, filters):
    """The same list through the ORM, as the queue's map points are chosen, in the order
    the page promises: nearest first from `near` (planar distance on the Web-Mercator copy,
    which the statement's KNN operator orders by), else newest first."""
    from django.contrib.gis.db.models.functions import Distance

    from reports.queue_views import in_scope

    reports = filters.apply(in_scope(user))
    if filters.near is None:
        reports = reports.order_by("-created_at", "-id")
    else:
        here = filters.near.transform(3857, clone=True)
        reports = reports.annotate(d=Distance("geom_3857", here)).order_by("d", "-id")
    return list(reports.values_list("tracking_code", flat=True)[: queries.PAGE_SIZE])


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"statuses": ("received",)},
        {"statuses": ("verified", "assigned")},
        {"category": "noise"},
        {"category": "no-such-category"},
        {"ward": "26905"},
        {"bbox": (106.68, 10.78, 106.685, 10.785)},
        {"days": 5},
        {"older": 5},
        {"overdue": True},
        {"near": Point(106.6995, 10.8195, srid=4326)},
        {"near": Point(106.6995, 10.8195, srid=4326), "category": "noise", "days": 30},
    ],
    ids=lambda f: ",".join(f) or "none",
)
def test_the_queue_list_and_the_orm_filters_agree_for_every_kind_of_person(district, filters):
    from django.contrib.auth import get_user_model

    from reports import queue_query
    from tests.accounts_factories import make_department

    department = make_department(district["district"], code="TNMT")
    reports = [
        file_report(IN_WARD_A, now=timezone.now() - dt.timedelta(days=10)),
        file_report(IN_WARD_A, code="noise"),
        file_report(Point(106.681, 10.781, srid=4326)),
        file_report(Point(106.699, 10.819, srid=4326), code="illegal-dumping"),
        file_report(Point(106.71, 10.80, srid=4326)),  # ward B
    ]
    Report.objects.filter(pk=reports[0].pk).update(status=Status.VERIFIED)
    Report.objects.filter(pk=reports[1].pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=1)
    )
    people = {
        "ward A": make_official(district["ward_a"]),
        "ward B": make_official(district["ward_b"]),
        "district": make_official(district["district"], Role.LEADER),
        "department": make_official(district["district"], department=department),
        "citizen": get_user_model().objects.create_user(username="citizen-queue"),
        "superuser": get_user_model().objects.create_superuser(username="root-queue"),
    }
    chosen = queries.Filters(**filters)
    seen = set()
    for kind, person in people.items():
        rows, more = queue_query.page(person, chosen)

        assert [r.tracking_code for r in rows] == _orm_codes(person, chosen), kind
        assert more is False
        seen.update(r.tracking_code for r in rows)
    if not filters:
        assert seen == {r.tracking_code for r in reports}  # somebody sees each one
    # Every filter set finds something for somebody, so that agreeing is not agreeing on
    # nothing (but the unknown category, which finds nothing for anybody).
    assert bool(seen) is (filters.get("category") != "no-such-category")


def test_the_queue_row_reads_like_a_report(client, official):
    report = file_report(IN_WARD_A, code="noise")
    Report.objects.filter(pk=report.pk).update(
        assignee=official, due_date=timezone.localdate() - dt.timedelta(days=2)
    )
    official.first_name, official.last_name = "Lan", "Nguyễn"
    official.save()

    page = client.get(reverse("reports:queue"), {"near": "106.69,10.801"})

    row = page.context["reports"][0]
    assert (row.pk, row.overdue, row.get_status_display()) == (report.pk, True, "Received")
    assert 100 < row.distance.m < 120  # 0.001° of latitude
    html = page.content.decode()
    assert "Lan Nguyễn" in html and "Noise" in html and "Overdue" in html
    assert f"{round(row.distance.m)} m" in html
