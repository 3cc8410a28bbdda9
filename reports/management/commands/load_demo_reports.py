"""`manage.py load_demo_reports`: a year of citizen reports for the demo district (once)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gis.models import AdminUnit, UnitLevel
from reports import demo
from reports.models import Report


class Command(BaseCommand):
    help = _("Load a year of demo citizen reports for the demo district (once).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=2500)
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--seed", type=int, default=765)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["count"] < 1 or options["days"] < 1:
            raise CommandError(_("--count and --days must be at least 1."))
        district = (
            AdminUnit.objects.valid_on().filter(level=UnitLevel.DISTRICT).order_by("code").first()
        )
        if district is None:
            raise CommandError(_("Load the demo district first (manage.py load_demo)."))
        wards = list(AdminUnit.objects.valid_on().base_units().filter(parent=district))
        if Report.objects.filter(ward__in=wards).exists():
            self.stdout.write(_("The district already has reports: demo reports not loaded again."))
            return
        began = time.monotonic()
        summary = demo.generate(
            wards=wards, count=options["count"], days=options["days"], seed=options["seed"]
        )
        self.stdout.write(
            _("%(reports)d demo reports with %(events)d history events loaded in %(seconds).1f s.")
            % {
                "reports": summary.reports,
                "events": summary.events,
                "seconds": time.monotonic() - began,
            }
        )
