"""`manage.py load_demo`: generate the demo district's files and load them with the importer.

The demo goes through the same `import_layer` path as real data. It loads once: when the
database already has administrative units it says so and does nothing, unless --force.
"""

import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils.translation import gettext as _

from gis.importer import ImportFailed, format_summary, run_import
from gis.models import AdminUnit


class Command(BaseCommand):
    help = "Generate and load the demo district (once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--parcels", type=int, default=settings.DEMO_PARCELS)
        parser.add_argument("--seed", type=int, default=765)
        parser.add_argument("--force", action="store_true", help="Load even if units exist")
        parser.add_argument("--dir", type=Path, default=settings.DEMO_DIR)

    def handle(self, *args: Any, **options: Any) -> None:
        import fixtures.demo
        from fixtures.demo import generate

        if AdminUnit.objects.exists() and not options["force"]:
            self.stdout.write(
                _("The database already holds administrative units: demo not loaded again.")
            )
            return
        # Files made by another version of the generator are not reused.
        version = hashlib.sha256(Path(fixtures.demo.__file__).read_bytes()).hexdigest()[:10]
        out_dir = options["dir"] / f"{options['parcels']}-{options['seed']}-{version}"
        files = {name: out_dir / f"{name}.gpkg" for name in ("units", "parcels", "streets")}
        if not all(path.exists() for path in files.values()):
            self.stdout.write(
                _("Generating the demo district (%(n)s parcels)…") % {"n": options["parcels"]}
            )
            out_dir.mkdir(parents=True, exist_ok=True)
            files = generate(
                out_dir, parcels=options["parcels"], seed=options["seed"], progress=True
            )
        progress = options["verbosity"] > 0
        try:
            with transaction.atomic():
                for kind in ("units", "parcels"):
                    summary = run_import(kind, files[kind], progress=progress)
                    if options["verbosity"] > 0:
                        self.stdout.write(format_summary(summary))
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        # Fresh statistics, or the first bounding-box queries get plans for an empty table.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE spatial_adminunit")
            cursor.execute("ANALYZE spatial_parcel")
