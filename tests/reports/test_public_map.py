"""The public map of reports: same filters as the queue, counts per ward, no personal data."""

import pytest
from django.urls import reverse

from reports.models import Report, Status
from tests.reports.factories import IN_WARD_A, IN_WARD_B, file_report

pytestmark = pytest.mark.django_db


def test_the_map_page_counts_reports_per_ward(client, district):
    file_report(IN_WARD_A)
    file_report(IN_WARD_A)
    file_report(IN_WARD_B)

    page = client.get(reverse("reports:map"))

    assert page.status_code == 200
    counts = {row["ward__code"]: row["n"] for row in page.context["counts"]}
    assert counts == {"26905": 2, "26908": 1}


def test_the_counts_follow_the_filters(client, district):
    file_report(IN_WARD_A)
    file_report(IN_WARD_B, code="noise")

    page = client.get(reverse("reports:map"), {"category": "noise"})

    assert [(r["ward__code"], r["n"]) for r in page.context["counts"]] == [("26908", 1)]


def test_the_map_points_carry_public_fields_only(client, district):
    file_report(
        IN_WARD_A, reporter_name="Trần Thị B", reporter_email="b@example.vn", reporter_phone="0912"
    )

    body = client.get(reverse("reports:map-points")).json()

    assert len(body["features"]) == 1
    assert set(body["features"][0]["properties"]) == {
        "code",
        "status",
        "status_label",
        "category",
        "date",
        "overdue",
    }
    assert "b@example.vn" not in str(body) and "Trần Thị B" not in str(body)


def test_rejected_reports_stay_off_the_public_map(client, district):
    rejected = file_report(IN_WARD_A)
    Report.objects.filter(pk=rejected.pk).update(status=Status.REJECTED)
    shown = file_report(IN_WARD_A)

    body = client.get(reverse("reports:map-points")).json()

    assert [f["properties"]["code"] for f in body["features"]] == [shown.tracking_code]
    assert client.get(f"/reports/{rejected.tracking_code}/").status_code == 404


def test_the_map_points_are_filtered_by_bbox_status_category_and_ward(client, district):
    a = file_report(IN_WARD_A)
    b = file_report(IN_WARD_B, code="noise")
    Report.objects.filter(pk=b.pk).update(status=Status.VERIFIED)

    def codes(**params):
        body = client.get(reverse("reports:map-points"), params).json()
        return {f["properties"]["code"] for f in body["features"]}

    assert codes(bbox="106.68,10.78,106.70,10.82") == {a.tracking_code}
    assert codes(status="verified") == {b.tracking_code}
    assert codes(category="illegal-construction") == {a.tracking_code}
    assert codes(ward="26908") == {b.tracking_code}
    assert codes(days=1) == {a.tracking_code, b.tracking_code}


@pytest.mark.parametrize(
    "params",
    [{"bbox": "1,2,3"}, {"bbox": "a,b,c,d"}, {"status": "lost"}, {"days": "-3"}, {"category": "x"}],
)
def test_bad_filters_are_a_400_with_a_message(client, district, params):
    answer = client.get(reverse("reports:map-points"), params)

    assert answer.status_code == 400
    assert answer.json()["error"]


def test_the_map_points_take_one_query_whatever_their_number(
    client, district, django_assert_num_queries
):
    for _ in range(5):
        file_report(IN_WARD_A)

    with django_assert_num_queries(1):
        client.get(reverse("reports:map-points"), {"bbox": "106.6,10.7,106.8,10.9"})


def test_the_filter_form_sent_with_everything_on_all_filters_nothing(client, district):
    file_report(IN_WARD_A)

    page = client.get(
        reverse("reports:map"), {"category": "", "status": "", "ward": "", "days": ""}
    )

    assert page.status_code == 200
    assert sum(row["n"] for row in page.context["counts"]) == 1
