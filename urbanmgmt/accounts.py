"""Accounts: citizens who sign up with an email or phone number, officers created in bulk,
and the demo district's one account per role.

A login name is an email address (lower-cased) or a Vietnamese mobile number written as
0xxxxxxxxx, whatever way it was typed (+84 90 123 4567, 090.123.4567...), so that a person
signs in with what they remember.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from gis.models import AdminUnit
from urbanmgmt.audit import record
from urbanmgmt.models import Department, Post, Role

User = get_user_model()

_PHONE = re.compile(r"(?:\+?84|0)(\d{9})\Z")
DEMO_PREFIX = "demo-"
# Published in the README on purpose; demo accounts are refused unless DEBUG is on.
DEMO_PASSWORD = "demo-urbanmgmt"  # noqa: S105


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; the message says why."""


def normalize_login(text: str) -> str:
    """The canonical login name of an email address or phone number ("" if neither)."""
    text = (text or "").strip()
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            return ""
        return text.lower()
    digits = re.sub(r"[\s.\-()]", "", text)
    match = _PHONE.match(digits)
    if match:
        return "0" + match.group(1)
    if text.startswith(DEMO_PREFIX) or text.isidentifier():
        return text  # demo and administrator accounts have plain names
    return ""


def is_demo_account(user: AbstractBaseUser) -> bool:
    return user.get_username().startswith(DEMO_PREFIX)


@transaction.atomic
def create_citizen(*, login: str, password: str, full_name: str = "") -> AbstractBaseUser:
    """Open a citizen's account; the login is an email address or a phone number."""
    from django.contrib.auth.password_validation import validate_password

    name = normalize_login(login)
    if not name or name.startswith(DEMO_PREFIX) or name.isidentifier():
        raise AccountError(_("Give an email address or a Vietnamese mobile phone number."))
    if User.objects.filter(username=name).exists():
        raise AccountError(_("An account with this email address or phone number already exists."))
    user = User(username=name, email=name if "@" in name else "", first_name=full_name[:150])
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages)) from exc
    user.set_password(password)
    user.save()
    return user


@dataclass(frozen=True)
class OfficerRow:
    line: int
    name: str
    email: str
    unit_code: str
    department: str
    role: str


OFFICER_COLUMNS = ("name", "email", "unit_code", "department", "role")


def read_officers_csv(text: str) -> list[OfficerRow]:
    """Parse the officers' CSV (header: name,email,unit_code,department,role); errors name the line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in OFFICER_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise AccountError(
            _("The CSV file lacks the column(s): %(columns)s.") % {"columns": ", ".join(missing)}
        )
    rows = []
    for number, raw in enumerate(reader, start=2):
        rows.append(
            OfficerRow(
                line=number,
                name=(raw["name"] or "").strip(),
                email=(raw["email"] or "").strip().lower(),
                unit_code=(raw["unit_code"] or "").strip(),
                department=(raw["department"] or "").strip(),
                role=(raw["role"] or "").strip().lower() or Role.OFFICER,
            )
        )
    return rows


@transaction.atomic
def create_officers(*, rows: list[OfficerRow], actor: AbstractBaseUser | None = None) -> list[Post]:
    """Create the officers and their posts, all of them or none: the first bad row stops it.

    An officer who already has an account (same email) gets the new post added; no password
    is set, so each person chooses theirs through the password-reset link.
    """
    errors: list[str] = []
    units = {u.code: u for u in AdminUnit.objects.filter(code__in={r.unit_code for r in rows})}
    created: list[Post] = []
    for row in rows:
        where = _("line %(line)d") % {"line": row.line}
        try:
            validate_email(row.email)
        except ValidationError:
            errors.append(
                f"{where}: " + _("“%(email)s” is not an email address.") % {"email": row.email}
            )
            continue
        if not row.name:
            errors.append(f"{where}: " + _("the name is empty."))
            continue
        if row.role not in Role.values:
            errors.append(
                f"{where}: "
                + _("unknown role “%(role)s” (one of %(roles)s).")
                % {"role": row.role, "roles": ", ".join(Role.values)}
            )
            continue
        unit = units.get(row.unit_code)
        if unit is None:
            errors.append(
                f"{where}: " + _("no unit has the code “%(code)s”.") % {"code": row.unit_code}
            )
            continue
        department = None
        if row.department:
            department = Department.objects.filter(unit=unit, code=row.department).first()
            if department is None:
                errors.append(
                    f"{where}: "
                    + _("unit %(unit)s has no department “%(department)s”.")
                    % {"unit": unit.code, "department": row.department}
                )
                continue
        user, _new = User.objects.get_or_create(
            username=row.email, defaults={"email": row.email, "first_name": row.name[:150]}
        )
        if _new:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        post, made = Post.objects.get_or_create(
            user=user, unit=unit, department=department, role=row.role
        )
        if made:
            sync_staff_flag(user)
            record(
                actor=actor,
                post=None,
                action="post.create",
                obj=post,
                unit_id=unit.id,
                changes={"user": user.username, "role": row.role},
            )
            created.append(post)
    if errors:
        raise AccountError("\n".join(errors))
    return created


def sync_staff_flag(user: AbstractBaseUser) -> None:
    """Administrators reach the admin site; nobody else does (officials work in the app)."""
    staff = (
        user.is_superuser or Post.objects.filter(user=user, active=True, role=Role.ADMIN).exists()
    )
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    unit_code: str
    department: str = ""


def demo_accounts(district: AdminUnit, ward: AdminUnit) -> list[DemoAccount]:
    return [
        DemoAccount(f"{DEMO_PREFIX}citizen", "", ""),
        DemoAccount(f"{DEMO_PREFIX}ward-officer", Role.OFFICER, ward.code),
        DemoAccount(f"{DEMO_PREFIX}ward-leader", Role.LEADER, ward.code),
        DemoAccount(f"{DEMO_PREFIX}district-officer", Role.OFFICER, district.code, "QLDT"),
        DemoAccount(f"{DEMO_PREFIX}district-deputy-head", Role.DEPUTY_HEAD, district.code, "QLDT"),
        DemoAccount(f"{DEMO_PREFIX}district-head", Role.HEAD, district.code, "QLDT"),
        DemoAccount(f"{DEMO_PREFIX}district-leader", Role.LEADER, district.code),
        DemoAccount(f"{DEMO_PREFIX}admin", Role.ADMIN, district.code),
    ]


DEMO_DEPARTMENTS = {
    "QLDT": "Phòng Quản lý đô thị",
    "TNMT": "Phòng Tài nguyên và Môi trường",
}


@transaction.atomic
def ensure_demo_accounts(*, district: AdminUnit, ward: AdminUnit) -> list[DemoAccount]:
    """One account per role on the demo district (idempotent). They cannot sign in unless
    DEBUG is on: see `urbanmgmt.backends`."""
    for code, name in DEMO_DEPARTMENTS.items():
        Department.objects.get_or_create(unit=district, code=code, defaults={"name": name})
    accounts = demo_accounts(district, ward)
    for account in accounts:
        user, made = User.objects.get_or_create(username=account.username)
        if made:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if account.role:
            unit = district if account.unit_code == district.code else ward
            department = (
                Department.objects.get(unit=unit, code=account.department)
                if account.department
                else None
            )
            Post.objects.get_or_create(
                user=user, unit=unit, department=department, role=account.role
            )
        sync_staff_flag(user)
    return accounts


def demo_accounts_enabled() -> bool:
    return bool(settings.DEBUG)


def send_invitation(user: AbstractBaseUser, *, domain: str, use_https: bool = False) -> None:
    """Email a new officer the link to choose a password (Django's reset link and template:
    the reset form itself mails only accounts that already have a password)."""
    from django.contrib.auth.forms import PasswordResetForm
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    context = {
        "email": user.email,
        "domain": domain,
        "site_name": "urbanmgmt",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
    }
    PasswordResetForm().send_mail(
        "registration/password_reset_subject.txt",
        "registration/password_reset_email.html",
        context,
        None,
        user.email,
    )
