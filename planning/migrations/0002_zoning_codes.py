"""Seed Ho Chi Minh City's 1/2000 zoning-plan codes and the overlap bookkeeping row.

The codes are data, not code: another city, or a revised HCMC list, adds rows in the admin.
Names follow the legends of HCMC zoning plans (the Quận 4 plan uses every code below).
"""

from django.db import migrations

CODES = [
    ("NNO", "Đất nhóm nhà ở", "residential"),
    ("HH", "Đất hỗn hợp", "mixed"),
    ("CCDVO", "Đất công trình dịch vụ đô thị cấp đơn vị ở", "public"),
    ("CCDT", "Đất công trình dịch vụ đô thị cấp đô thị", "public"),
    ("GD", "Đất giáo dục", "education"),
    ("GD1", "Đất giáo dục cấp đơn vị ở", "education"),
    ("GD2", "Đất giáo dục cấp đô thị", "education"),
    ("NCDT", "Đất nghiên cứu, đào tạo", "education"),
    ("CQCT", "Đất cơ quan, trụ sở", "offices"),
    ("TGDT", "Đất tôn giáo, di tích", "religious"),
    ("CXDVO", "Đất cây xanh sử dụng công cộng cấp đơn vị ở", "green"),
    ("CXDT", "Đất cây xanh sử dụng công cộng cấp đô thị", "green"),
    ("CXCD", "Đất cây xanh chuyên đề", "green"),
    ("CXCL", "Đất cây xanh cách ly", "green"),
    ("DGT", "Đất giao thông", "transport"),
    ("MN", "Mặt nước", "water"),
    ("HTKT", "Đất công trình hạ tầng kỹ thuật", "infrastructure"),
    ("KTBB", "Đất kho tàng, bến bãi", "infrastructure"),
    ("ANQP", "Đất an ninh, quốc phòng", "defence"),
    ("DK", "Đất khác", "other"),
]


def seed(apps, schema_editor):
    ZoneType = apps.get_model("planning", "ZoneType")
    ZoneType.objects.bulk_create(
        [ZoneType(code=code, name=name, group=group) for code, name, group in CODES],
        ignore_conflicts=True,
    )
    apps.get_model("planning", "OverlapSync").objects.get_or_create(pk=1)


def unseed(apps, schema_editor):
    apps.get_model("planning", "ZoneType").objects.filter(
        code__in=[c for c, _n, _g in CODES]
    ).delete()
    apps.get_model("planning", "OverlapSync").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_plans_zones_roads_overlaps")]
    operations = [migrations.RunPython(seed, unseed)]
