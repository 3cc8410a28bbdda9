"""Dossiers for tests: the seeded catalogue, an office with its people, dossiers at any step."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps

from dossiers import services
from dossiers.documents import Upload
from dossiers.models import Agency, Dossier, Procedure
from gis.models import AdminUnit, Parcel
from tests.accounts_factories import make_citizen, make_department, make_official
from tests.factories import make_district, make_parcel
from urbanmgmt.models import Department, Role

# A Monday with no holiday near it: deadlines below are easy to check by hand.
MONDAY = dt.date(2025, 3, 10)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def ensure_catalogue() -> None:
    """The seeded procedures (a transactional test's flush empties them)."""
    if not Procedure.objects.filter(code="LT-XD").exists():
        seed = importlib.import_module("dossiers.migrations.0003_seed_procedures")
        seed.seed(apps, None)


def procedure(code: str = "XD-NORL") -> Procedure:
    ensure_catalogue()
    return Procedure.objects.get(code=code)


@dataclass
class Office:
    """A district with two wards, its urban-management department and the people in it."""

    city: AdminUnit
    district: AdminUnit
    ward_a: AdminUnit
    ward_b: AdminUnit
    department: Department
    city_department: Department
    officer: Any
    second_officer: Any
    leader: Any
    city_officer: Any
    city_leader: Any
    citizen: Any
    parcel: Parcel


def make_office() -> Office:
    ensure_catalogue()
    units = make_district()
    department = make_department(units["district"], "QLDT", "Phòng Quản lý đô thị")
    city_department = make_department(units["city"], "SXD", "Sở Xây dựng")
    Agency.objects.create(code="000.00.27.H29", name="UBND quận Bình Thạnh", unit=units["district"])
    return Office(
        city=units["city"],
        district=units["district"],
        ward_a=units["ward_a"],
        ward_b=units["ward_b"],
        department=department,
        city_department=city_department,
        officer=make_official(units["district"], Role.OFFICER, department),
        second_officer=make_official(units["district"], Role.OFFICER, department),
        leader=make_official(units["district"], Role.LEADER),
        city_officer=make_official(units["city"], Role.OFFICER, city_department),
        city_leader=make_official(units["city"], Role.LEADER),
        citizen=make_citizen(),
        parcel=make_parcel(units["ward_a"], 10, 16, address="12/3 Hẻm 45 Điện Biên Phủ"),
    )


def house(floors: int = 4, height: str = "15.5") -> services.Building:
    return services.Building(
        floors=floors,
        height_m=Decimal(height),
        footprint_m2=Decimal("60"),
        gross_floor_area_m2=Decimal(60 * floors),
        setback_m=Decimal("2.4"),
    )


def applicant(**changes: str) -> services.Applicant:
    fields = {
        "name": "Nguyễn Văn An",
        "id_number": "079085001234",
        "phone": "0903123456",
        "email": "an@example.vn",
        "address": "12/3 Hẻm 45 Điện Biên Phủ, Phường 25",
    }
    fields.update(changes)
    return services.Applicant(**fields)


def submit(
    office: Office,
    code: str = "XD-NORL",
    *,
    today: dt.date = MONDAY,
    building: services.Building | None = None,
    **changes: Any,
) -> Dossier:
    """A dossier submitted online by the office's citizen (status 1)."""
    proc = procedure(code)
    fields: dict[str, Any] = {
        "procedure": proc,
        "applicant": applicant(),
        "channel": "online",
        "submitted_by": office.citizen,
        "parcel": office.parcel,
        "building": building or (house() if proc.is_permit or proc.is_combined else None),
        "documents": [Upload("Đơn đề nghị cấp giấy phép xây dựng", "don.pdf", PDF)],
        "today": today,
    }
    fields.update(changes)
    return services.submit_dossier(**fields)


def handlers(office: Office, dossier: Dossier) -> tuple[Any, Any]:
    """The officer and the leader who handle `dossier` (district or city)."""
    if dossier.unit_id == office.city.id:
        return office.city_officer, office.city_leader
    return office.officer, office.leader


def accepted(
    office: Office, code: str = "XD-NORL", *, today: dt.date = MONDAY, **kw: Any
) -> Dossier:
    dossier = submit(office, code, today=today, **kw)
    officer, _leader = handlers(office, dossier)
    return services.accept_dossier(dossier=dossier, actor=officer, today=today)


def in_processing(
    office: Office, code: str = "XD-NORL", *, today: dt.date = MONDAY, **kw: Any
) -> Dossier:
    dossier = accepted(office, code, today=today, **kw)
    officer, _leader = handlers(office, dossier)
    return services.assign(dossier=dossier, actor=officer, handler=officer, today=today)
