"""Seed the procedure catalogue (data: deadlines and document lists change with each decree).

Deadlines from the Construction Law 50/2014 as amended by Law 62/2020: construction permit
15 working days for an individual house, 20 for works; basic-design appraisal 40 / 30 / 20
days for project groups A / B / C; technical or drawing design appraisal 30 days (grade III
and above) or 20 (others). The combined inter-agency route (HCMC Department of Construction,
from 10/2017) runs the three side by side and consults fire police, environment and
transport, each within its reply period; silence counts as agreement. Fees are HCMC's.
"""

from django.db import migrations

PERMIT_DOCUMENTS = [
    "Đơn đề nghị cấp giấy phép xây dựng",
    "Giấy tờ chứng minh quyền sử dụng đất",
    "Bản vẽ thiết kế xây dựng (mặt bằng, mặt cắt, mặt đứng, móng)",
]

PROCEDURES = [
    {
        "code": "XD-NORL",
        "name": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "agency": "Ủy ban nhân dân cấp huyện (Phòng Quản lý đô thị)",
        "handling_level": "district",
        "department_code": "QLDT",
        "deadline_days": 15,
        "required_documents": PERMIT_DOCUMENTS,
        "fee_vnd": 75_000,
        "fully_online": True,
        "is_permit": True,
    },
    {
        "code": "XD-CT",
        "name": "Cấp giấy phép xây dựng công trình",
        "agency": "Ủy ban nhân dân cấp huyện (Phòng Quản lý đô thị)",
        "handling_level": "district",
        "department_code": "QLDT",
        "deadline_days": 20,
        "required_documents": [
            *PERMIT_DOCUMENTS,
            "Văn bản thẩm định thiết kế của cơ quan chuyên môn về xây dựng",
        ],
        "fee_vnd": 150_000,
        "fully_online": True,
        "is_permit": True,
    },
    {
        "code": "TD-TKCS",
        "name": "Thẩm định báo cáo nghiên cứu khả thi (thiết kế cơ sở)",
        "agency": "Sở Xây dựng",
        "handling_level": "city",
        "department_code": "SXD",
        "deadline_days": 20,
        "variant_label": "Nhóm dự án",
        "deadline_variants": [
            {"code": "A", "name": "Nhóm A", "days": 40},
            {"code": "B", "name": "Nhóm B", "days": 30},
            {"code": "C", "name": "Nhóm C", "days": 20},
        ],
        "required_documents": [
            "Tờ trình thẩm định",
            "Báo cáo nghiên cứu khả thi",
            "Hồ sơ thiết kế cơ sở",
        ],
        "fee_vnd": 0,
        "fully_online": False,
    },
    {
        "code": "TD-TKKT",
        "name": "Thẩm định thiết kế kỹ thuật / thiết kế bản vẽ thi công",
        "agency": "Sở Xây dựng",
        "handling_level": "city",
        "department_code": "SXD",
        "deadline_days": 20,
        "variant_label": "Cấp công trình",
        "deadline_variants": [
            {"code": "III+", "name": "Cấp III trở lên", "days": 30},
            {"code": "KHAC", "name": "Công trình còn lại", "days": 20},
        ],
        "required_documents": [
            "Tờ trình thẩm định",
            "Hồ sơ thiết kế kỹ thuật hoặc bản vẽ thi công",
            "Báo cáo kết quả khảo sát xây dựng",
        ],
        "fee_vnd": 0,
        "fully_online": False,
    },
    {
        "code": "LT-XD",
        "name": (
            "Liên thông thẩm định thiết kế cơ sở, thiết kế kỹ thuật và cấp giấy phép xây dựng"
        ),
        "agency": "Sở Xây dựng (một cửa liên thông)",
        "handling_level": "city",
        "department_code": "SXD",
        "deadline_days": 0,
        "required_documents": [
            "Tờ trình thẩm định và đơn đề nghị cấp giấy phép xây dựng",
            "Báo cáo nghiên cứu khả thi và hồ sơ thiết kế cơ sở",
            "Hồ sơ thiết kế kỹ thuật hoặc bản vẽ thi công",
            "Giấy tờ chứng minh quyền sử dụng đất",
        ],
        "fee_vnd": 150_000,
        "fully_online": False,
        "is_combined": True,
    },
]

BRANCHES = [("LT-XD", "TD-TKCS", 1), ("LT-XD", "TD-TKKT", 2), ("LT-XD", "XD-CT", 3)]

CONSULTATIONS = [
    (
        "LT-XD",
        "PCCC",
        "Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ",
        "Phòng cháy, chữa cháy",
        10,
    ),
    ("LT-XD", "TNMT", "Sở Tài nguyên và Môi trường", "Môi trường", 10),
    ("LT-XD", "GTVT", "Sở Giao thông vận tải", "Đấu nối giao thông", 7),
]


def seed(apps, schema_editor):
    Procedure = apps.get_model("dossiers", "Procedure")
    ProcedureBranch = apps.get_model("dossiers", "ProcedureBranch")
    ProcedureConsultation = apps.get_model("dossiers", "ProcedureConsultation")
    by_code = {}
    for fields in PROCEDURES:
        fields = dict(fields)
        code = fields.pop("code")
        by_code[code], _created = Procedure.objects.update_or_create(code=code, defaults=fields)
    for combined, component, order in BRANCHES:
        ProcedureBranch.objects.update_or_create(
            combined=by_code[combined], component=by_code[component], defaults={"order": order}
        )
    for procedure, agency_code, agency_name, field, days in CONSULTATIONS:
        ProcedureConsultation.objects.update_or_create(
            procedure=by_code[procedure],
            agency_code=agency_code,
            defaults={"agency_name": agency_name, "field": field, "reply_days": days},
        )


def unseed(apps, schema_editor):
    Procedure = apps.get_model("dossiers", "Procedure")
    codes = [p["code"] for p in PROCEDURES]
    apps.get_model("dossiers", "ProcedureBranch").objects.filter(combined__code__in=codes).delete()
    Procedure.objects.filter(code__in=codes, dossiers=None).delete()


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0002_handoff_append_only")]

    operations = [migrations.RunPython(seed, unseed)]
