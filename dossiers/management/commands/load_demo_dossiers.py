"""`manage.py load_demo_dossiers`: a year of plausible dossiers for the demo district (once).

Runs after `load_demo` (the district and its parcels) and, if present, `load_demo_accounts`
(the demo officer and leader then appear as senders on the control sheets). Does nothing
when the district already has dossiers.
"""

import datetime as dt
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers import demo
from dossiers.models import Dossier
from gis.models import AdminUnit, UnitLevel


class Command(BaseCommand):
    help = "Load a year of demo dossiers for the demo district (once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=3000)
        parser.add_argument("--days", type=int, default=365)
        parser.add_argument("--seed", type=int, default=765)

    def handle(self, *args: Any, **options: Any) -> None:
        district = (
            AdminUnit.objects.valid_on().filter(level=UnitLevel.DISTRICT).order_by("code").first()
        )
        if district is None:
            raise CommandError(_("Load the demo district first (manage.py load_demo)."))
        wards = list(AdminUnit.objects.valid_on().base_units().filter(parent=district))
        if not wards:
            raise CommandError(_("The district has no wards."))
        if Dossier.objects.filter(ward__in=wards).exists():
            self.stdout.write(
                _("The district already has dossiers: demo dossiers not loaded again.")
            )
            return
        if options["count"] < 1:
            raise CommandError(_("--count must be at least 1."))
        users = get_user_model().objects
        handler = users.filter(username="demo-district-officer").first()
        leader = users.filter(username="demo-district-leader").first()
        end = timezone.localdate()
        start = end - dt.timedelta(days=options["days"])
        began = time.monotonic()
        summary = demo.generate(
            wards=wards,
            start=start,
            end=end,
            count=options["count"],
            seed=options["seed"],
            handler=handler,
            leader=leader,
            progress=options["verbosity"] > 1,
        )
        if options["verbosity"] > 0:
            self.stdout.write(
                _(
                    "%(n)s demo dossiers (%(late)s late, %(inter)s on the inter-agency route, "
                    "%(open)s open), %(lines)s control-sheet lines, in %(s).1f s."
                )
                % {
                    "n": summary.dossiers,
                    "late": summary.late,
                    "inter": summary.inter_agency,
                    "open": summary.open,
                    "lines": summary.handoffs,
                    "s": time.monotonic() - began,
                }
            )
