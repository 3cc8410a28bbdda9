"""`manage.py import_plan --decision NUMBER --zones FILE [--roads FILE]`: load a plan.

Records the decision (or finds it by number), then imports its zones and road boundaries
through the layer importer, all in one transaction: a file that is refused leaves nothing.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from gis.importer import format_summary
from planning.models import PlanDecision, PlanKind
from planning.services import PlanningError, import_plan_layer, record_decision


def _mapping(items: list[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        target, sep, source = item.partition("=")
        if not sep or not target:
            raise CommandError(_("--map takes FIELD=COLUMN, not “%(item)s”.") % {"item": item})
        mapping[target.strip()] = source.strip()
    return mapping


def _date(value: str | None, flag: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("%(flag)s takes a date as YYYY-MM-DD.") % {"flag": flag}) from None


class Command(BaseCommand):
    help = "Record a plan decision and import its zones and road boundaries, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--decision", required=True, help="Decision number, e.g. 123/QĐ-UBND")
        parser.add_argument("--date", help="Decision date (YYYY-MM-DD), for a new decision")
        parser.add_argument("--in-force-from", help="First day in force (default: the date)")
        parser.add_argument("--authority", default="", help="Approving authority")
        parser.add_argument("--kind", choices=PlanKind.values, default=PlanKind.ZONING)
        parser.add_argument("--scale", type=int, default=2000, help="N of the scale 1/N")
        parser.add_argument("--title", default="", help="Name of the plan")
        parser.add_argument(
            "--supersedes",
            action="append",
            default=[],
            metavar="NUMBER",
            help="Number of an older decision this one replaces (repeatable)",
        )
        parser.add_argument("--zones", help="File of plan zones")
        parser.add_argument("--roads", help="File of road boundaries (centre lines)")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="Field mapping for the zones file",
        )
        parser.add_argument(
            "--roads-map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="Field mapping for the road boundaries file",
        )
        parser.add_argument("--srid", type=int, help="EPSG code when a file has no CRS")
        parser.add_argument("--encoding", help="Text encoding of shapefile attributes")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        number = options["decision"].strip()
        progress = not options["no_progress"] and options["verbosity"] > 0
        try:
            with transaction.atomic():
                decision = PlanDecision.objects.filter(number=number).first()
                decided_on = _date(options["date"], "--date")
                if decision is None or decided_on is not None:
                    if decided_on is None:
                        raise CommandError(
                            _(
                                "There is no decision %(number)s yet: give its --date and --authority."
                            )
                            % {"number": number}
                        )
                    older = list(PlanDecision.objects.filter(number__in=options["supersedes"]))
                    missing = set(options["supersedes"]) - {d.number for d in older}
                    if missing:
                        raise CommandError(
                            _("--supersedes: no decision numbered %(numbers)s.")
                            % {"numbers": ", ".join(sorted(missing))}
                        )
                    decision = record_decision(
                        number=number,
                        decided_on=decided_on,
                        valid_from=_date(options["in_force_from"], "--in-force-from"),
                        authority=options["authority"],
                        kind=options["kind"],
                        scale=options["scale"],
                        title=options["title"],
                        supersedes=older,
                    )
                for kind, path, mapping in (
                    ("plan_zones", options["zones"], _mapping(options["map"])),
                    ("road_boundaries", options["roads"], _mapping(options["roads_map"])),
                ):
                    if not path:
                        continue
                    summary = import_plan_layer(
                        kind=kind,
                        path=path,
                        decision=decision,
                        mapping=mapping,
                        srid=options["srid"],
                        encoding=options["encoding"],
                        progress=progress,
                    )
                    if options["verbosity"] > 0:
                        self.stdout.write(format_summary(summary))
        except PlanningError as exc:
            raise CommandError(
                _("Import refused, nothing was changed: %(error)s") % {"error": exc}
            ) from exc
