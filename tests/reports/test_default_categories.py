"""The default categories are data, seeded by a migration with their level and target time."""

import importlib

import pytest
from django.apps import apps

from reports.models import Category

pytestmark = pytest.mark.django_db

seed = importlib.import_module("reports.migrations.0002_default_categories")


def test_the_default_set_covers_urban_order_and_sanitation():
    Category.objects.all().delete()

    seed.seed(apps, None)

    by_code = {c.code: c for c in Category.objects.all()}
    assert len(by_code) == 9
    assert {c.group for c in by_code.values()} == {"urban_order", "environment"}
    assert by_code["encroachment"].name == "Lấn chiếm vỉa hè, lòng đường"
    assert by_code["illegal-dumping"].responsible_level == "district_department"
    assert by_code["illegal-dumping"].department_code == "TNMT"
    assert all(c.duplicate_radius_m == 50 and c.target_days > 0 for c in by_code.values())


def test_seeding_twice_changes_nothing():
    seed.seed(apps, None)
    seed.seed(apps, None)

    assert Category.objects.count() == 9
