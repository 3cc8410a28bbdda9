from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from urbanmgmt.accounts import AccountError, create_officers, read_officers_csv, send_invitation


class Command(BaseCommand):
    help = _(
        "Create officers and their posts from a CSV file with the columns "
        "name,email,unit_code,department,role; all rows or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_file", type=Path)
        parser.add_argument(
            "--send-invitations",
            action="store_true",
            help=_("Email each new officer a link to choose their password."),
        )
        parser.add_argument(
            "--site", default="127.0.0.1:8000", help=_("Host name used in the links.")
        )

    def handle(
        self, *args: Any, csv_file: Path, send_invitations: bool, site: str, **options: Any
    ) -> None:
        try:
            text = csv_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": csv_file, "error": exc}
            ) from exc
        try:
            posts = create_officers(rows=read_officers_csv(text))
        except AccountError as exc:
            raise CommandError(_("Nothing was created.") + "\n" + str(exc)) from exc
        invited: set[int] = set()
        for post in posts:
            self.stdout.write(f"{post.user.get_username()}: {post}")
            if (
                send_invitations
                and not post.user.has_usable_password()
                and post.user.pk not in invited
            ):
                send_invitation(post.user, domain=site)
                invited.add(post.user.pk)
        self.stdout.write(_("%(count)d post(s) created.") % {"count": len(posts)})
