"""Commands that can run once (from cron) or as a small service (`--loop SECONDS`)."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import close_old_connections
from django.utils.translation import gettext as _


def add_loop_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--loop",
        type=float,
        metavar="SECONDS",
        help=_("Run for ever, one pass every SECONDS (a service); otherwise one pass."),
    )


def repeat(
    seconds: float | None,
    one_pass: Callable[[], None],
    *,
    stderr: Any = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Run `one_pass` once, or every `seconds` for ever.

    In a loop a failing pass (the database restarting, say) is written to `stderr` and the
    next pass comes as usual: a service started beside the web server must not die quietly.
    Database connections are closed between passes, as between two web requests.
    """
    if seconds is not None and seconds <= 0:
        raise CommandError(_("--loop takes a positive number of seconds."))
    while True:
        if seconds is None:
            one_pass()
            return
        try:
            one_pass()
        except Exception:
            if stderr is not None:
                stderr.write(traceback.format_exc())
        close_old_connections()
        sleep(seconds)
