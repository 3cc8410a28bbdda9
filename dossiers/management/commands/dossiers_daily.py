"""`manage.py dossiers_daily`: the day's automatic steps.

Consultations unanswered after their reply date are deemed agreed, and the officers in
charge of dossiers due by the next working day are warned. Each step happens once per
dossier, so the command may run as often as wanted: once a day from cron, or as a service,
`manage.py dossiers_daily --loop 3600` (which `make serve` starts beside gunicorn).
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dossiers import services
from urbanmgmt.management.repeat import add_loop_argument, repeat


class Command(BaseCommand):
    help = "Deem overdue consultations agreed and warn officers of dossiers due tomorrow."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The day to run for (YYYY-MM-DD), today by default")
        add_loop_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError(_("--date must be YYYY-MM-DD.")) from exc
        if day is not None and options["loop"] is not None:
            raise CommandError(_("--date and --loop do not go together: a loop runs for today."))

        def one_pass() -> None:
            deemed = services.deem_overdue_consultations(today=day)
            warned = services.warn_due_dossiers(today=day)
            if options["verbosity"] > 0:
                self.stdout.write(
                    _("%(deemed)s consultations deemed agreed, %(warned)s dossiers warned.")
                    % {"deemed": deemed, "warned": warned}
                )

        repeat(options["loop"], one_pass, stderr=self.stderr)
