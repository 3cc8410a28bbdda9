from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gis.models import AdminUnit, UnitLevel
from urbanmgmt.accounts import DEMO_PASSWORD, ensure_demo_accounts


class Command(BaseCommand):
    help = _(
        "Give the demo district one account per role (they can sign in only when DEBUG is on)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        district = (
            AdminUnit.objects.valid_on().filter(level=UnitLevel.DISTRICT).order_by("code").first()
        )
        ward = (
            AdminUnit.objects.valid_on()
            .base_units()
            .filter(parent=district)
            .order_by("code")
            .first()
            if district
            else None
        )
        if district is None or ward is None:
            raise CommandError(_("Load the demo district first (manage.py load_demo)."))
        accounts = ensure_demo_accounts(district=district, ward=ward)
        names = ", ".join(account.username for account in accounts)
        self.stdout.write(
            _("Demo accounts (password %(password)s): %(names)s.")
            % {"password": DEMO_PASSWORD, "names": names}
        )
        if not settings.DEBUG:
            self.stdout.write(_("They can sign in only when the server runs with DEBUG=1."))
