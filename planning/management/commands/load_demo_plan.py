"""`manage.py load_demo_plan`: a plausible plan for the demo district, loaded once.

The plan is generated from the demo district's own files (`fixtures/demo_plan.py`, from the
units and streets that `load_demo` generated) and goes through the same services and importer
as a real plan: two decisions (an older one, superseded, and the current one), their zones and
the road boundaries of the main streets. It loads once: when the demo decisions are already
there it says so and does nothing, unless --force (which re-imports, changing nothing that
is the same).
"""

import hashlib
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from gis.importer import format_summary
from gis.models import AdminUnit
from planning.models import PlanDecision
from planning.services import PlanningError, import_plan_layer, record_decision


def _digest(module: Any) -> str:
    return hashlib.sha256(Path(module.__file__).read_bytes()).hexdigest()[:10]


class Command(BaseCommand):
    help = "Generate and load a plausible land-use plan for the demo district (once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--parcels", type=int, default=settings.DEMO_PARCELS)
        parser.add_argument("--seed", type=int, default=765)
        parser.add_argument("--force", action="store_true", help="Load even if already loaded")
        parser.add_argument("--dir", type=Path, default=settings.DEMO_DIR)

    def handle(self, *args: Any, **options: Any) -> None:
        import fixtures.demo
        import fixtures.demo_plan
        from fixtures.demo import generate as generate_district
        from fixtures.demo_plan import CURRENT, generate

        started = time.monotonic()
        if PlanDecision.objects.filter(number=CURRENT["number"]).exists() and not options["force"]:
            self.stdout.write(_("The demo plan is already loaded: not loaded again."))
            return
        if not AdminUnit.objects.exists():
            raise CommandError(_("Load the demo district first (manage.py load_demo)."))
        # The district's files as load_demo made them (made again if they are gone).
        district_dir = (
            options["dir"] / f"{options['parcels']}-{options['seed']}-{_digest(fixtures.demo)}"
        )
        units, streets = district_dir / "units.gpkg", district_dir / "streets.gpkg"
        if not (units.exists() and streets.exists()):
            district_dir.mkdir(parents=True, exist_ok=True)
            generate_district(district_dir, parcels=options["parcels"], seed=options["seed"])
        plan = generate(
            units,
            streets,
            district_dir / f"plan-{_digest(fixtures.demo_plan)}",
            seed=options["seed"],
        )
        progress = options["verbosity"] > 1
        try:
            with transaction.atomic():
                recorded: dict[str, PlanDecision] = {}
                for spec in plan["decisions"]:
                    recorded[spec["number"]] = record_decision(
                        number=spec["number"],
                        decided_on=parse_date(spec["decided_on"]),
                        valid_from=parse_date(spec["valid_from"]),
                        authority=spec["authority"],
                        kind=spec["kind"],
                        scale=spec["scale"],
                        title=spec["title"],
                        supersedes=[recorded[n] for n in spec.get("supersedes", ())],
                    )
                for kind, path in (
                    ("plan_zones", plan["zones"]),
                    ("road_boundaries", plan["roads"]),
                ):
                    summary = import_plan_layer(
                        kind=kind, path=path, decision=None, progress=progress
                    )
                    if options["verbosity"] > 0:
                        self.stdout.write(format_summary(summary))
        except PlanningError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] > 0:
            self.stdout.write(
                _("Demo plan loaded in %(seconds).1f s.") % {"seconds": time.monotonic() - started}
            )
