"""Seed the default report categories (kept as data: a district edits them in the admin).

Urban order goes to the ward; environment and sanitation mostly to the district's
environment department (TNMT), drains and flooding to its urban-management department
(QLDT). Where the district has no such department (or no district level, after the 2025
reform) the report falls back to the ward: see reports.services.route.
"""

from django.db import migrations

WARD, DEPT = "ward", "district_department"
# code, Vietnamese name, English name, group, level, department code, target working days
CATEGORIES = [
    (
        "illegal-construction",
        "Xây dựng không phép, sai phép",
        "Illegal or unpermitted construction",
        "urban_order",
        WARD,
        "",
        5,
    ),
    (
        "encroachment",
        "Lấn chiếm vỉa hè, lòng đường",
        "Sidewalk and roadway encroachment",
        "urban_order",
        WARD,
        "",
        3,
    ),
    (
        "illegal-advertising",
        "Quảng cáo sai quy định",
        "Illegal advertising",
        "urban_order",
        WARD,
        "",
        5,
    ),
    ("abandoned-vehicle", "Phương tiện bị bỏ lại", "Abandoned vehicle", "urban_order", WARD, "", 5),
    (
        "illegal-dumping",
        "Đổ rác trái phép, rác không được thu gom",
        "Illegal dumping and uncollected garbage",
        "environment",
        DEPT,
        "TNMT",
        2,
    ),
    (
        "blocked-drain",
        "Cống nghẹt, ngập nước",
        "Blocked drains and flooding",
        "environment",
        DEPT,
        "QLDT",
        3,
    ),
    ("wastewater", "Nước thải", "Wastewater", "environment", DEPT, "TNMT", 5),
    ("noise", "Tiếng ồn", "Noise", "environment", WARD, "", 3),
    ("dust-smoke", "Bụi, khói", "Dust and smoke", "environment", DEPT, "TNMT", 5),
]


def seed(apps, schema_editor):
    Category = apps.get_model("reports", "Category")
    for position, (code, name, name_en, group, level, dept, days) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "group": group,
                "responsible_level": level,
                "department_code": dept,
                "target_days": days,
                "duplicate_radius_m": 50,
                "position": position,
            },
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("reports", "Category")
    Category.objects.filter(code__in=[c[0] for c in CATEGORIES], reports__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_reports")]

    operations = [migrations.RunPython(seed, unseed)]
