"""Recompute the leaders' heat maps in the background (see urbanmgmt.leaders.heat).

Once (from cron or a systemd timer, every minute or five):
    manage.py refresh_heatmaps
As a service (with CACHE_URL=redis://…, or the default file cache), checking every 30 s:
    manage.py refresh_heatmaps --loop 30
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from urbanmgmt.leaders import heat
from urbanmgmt.management.repeat import add_loop_argument, repeat

DEFAULTS_EVERY = 3600  # seconds between two passes over every leader's default surfaces


class Command(BaseCommand):
    help = _(
        "Recompute the leaders' heat maps whose reports changed, that are missing or older "
        "than a day, and warm every leader's default surfaces."
    )

    def add_arguments(self, parser: Any) -> None:
        add_loop_argument(parser)
        parser.add_argument(
            "--force", action="store_true", help=_("Recompute every known surface.")
        )
        parser.add_argument(
            "--max-age",
            type=float,
            default=heat.MAX_AGE / 3600,
            metavar="HOURS",
            help=_("Recompute surfaces older than this even if nothing changed (default 24)."),
        )
        parser.add_argument(
            "--no-defaults",
            action="store_true",
            help=_("Only the surfaces pages asked for, not every leader's default ones."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["max_age"] <= 0:
            raise CommandError(_("--max-age takes a positive number of hours."))
        last_defaults = -float("inf")

        def one_pass() -> None:
            nonlocal last_defaults
            with_defaults = not options["no_defaults"] and (
                time.monotonic() - last_defaults >= DEFAULTS_EVERY
            )
            if with_defaults:
                last_defaults = time.monotonic()
            self._pass(options, with_defaults)

        repeat(options["loop"], one_pass, stderr=self.stderr)

    def _pass(self, options: dict[str, Any], defaults: bool) -> None:
        started = time.perf_counter()
        reasons = {
            "missing": _("not computed yet"),
            "changed": _("reports changed"),
            "old": _("older than the limit"),
            "forced": _("forced"),
        }

        def report(result: heat.RefreshResult) -> None:
            if result.points is None:
                line = _("%(unit)s: being computed by another process.") % {
                    "unit": result.spec.unit_code
                }
            else:
                line = _("%(unit)s: %(points)d reports, %(seconds).2f s (%(reason)s).") % {
                    "unit": result.spec.unit_code,
                    "points": result.points,
                    "seconds": result.seconds,
                    "reason": reasons[result.reason],
                }
            self.stdout.write(line)

        results = heat.refresh(
            defaults=defaults,
            force=options["force"],
            max_age=options["max_age"] * 3600,
            on_result=report if options["verbosity"] >= 2 else None,
        )
        if results or options["verbosity"] >= 2 or options["loop"] is None:
            self.stdout.write(
                _("%(n)d heat maps recomputed in %(seconds).1f s.")
                % {"n": len(results), "seconds": time.perf_counter() - started}
            )
