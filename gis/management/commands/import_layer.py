"""`manage.py import_layer KIND FILE`: load a Shapefile, GeoJSON, GeoPackage or FlatGeobuf."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gis.importer import ImportFailed, format_summary, kinds, run_import


class Command(BaseCommand):
    help = "Import a GIS layer (Shapefile, GeoJSON, GeoPackage, FlatGeobuf), all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="What the layer holds: " + ", ".join(sorted(kinds())))
        parser.add_argument("file", help="Path of the file (.shp, .geojson, .gpkg, .fgb)")
        parser.add_argument("--layer", help="Layer name, for files that hold several")
        parser.add_argument(
            "--srid",
            type=int,
            help="EPSG code of the source CRS when the file has none "
            "or a wrong one (e.g. 9210 for VN-2000 / TM-3 105°45′)",
        )
        parser.add_argument(
            "--encoding",
            help="Text encoding of a shapefile's attributes: utf-8, cp1258, tcvn3 "
            "or vni (guessed when the file has no .cpg)",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="Read FIELD from the file's COLUMN (repeatable); FIELD= leaves it out",
        )
        parser.add_argument("--valid-from", help="For units: start of validity (YYYY-MM-DD)")
        parser.add_argument("--chunk-size", type=int, default=50_000)
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        mapping = {}
        for item in options["map"]:
            target, sep, source = item.partition("=")
            if not sep or not target:
                raise CommandError(_("--map takes FIELD=COLUMN, not “%(item)s”.") % {"item": item})
            mapping[target.strip()] = source.strip()
        valid_from = None
        if options["valid_from"]:
            try:
                valid_from = dt.date.fromisoformat(options["valid_from"])
            except ValueError:
                raise CommandError(_("--valid-from takes a date as YYYY-MM-DD.")) from None
        try:
            summary = run_import(
                options["kind"],
                options["file"],
                layer=options["layer"],
                srid=options["srid"],
                encoding=options["encoding"],
                mapping=mapping,
                options={"valid_from": valid_from},
                chunk_size=options["chunk_size"],
                progress=not options["no_progress"] and options["verbosity"] > 0,
            )
        except ImportFailed as exc:
            raise CommandError(
                _("Import refused, nothing was changed: %(error)s") % {"error": exc}
            ) from exc
        if options["verbosity"] > 0:
            self.stdout.write(format_summary(summary))
