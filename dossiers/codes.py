"""Dossier codes `<agency ID code>-<yyMMdd>-<NNNN>`: a per-agency counter that restarts daily.

The counter is one row per agency and day, incremented with a single upsert: a second
transaction asking for the same agency and day waits on the row lock until the first
commits, then gets the next number, so concurrent intakes never share a code. A transaction
that rolls back gives its number back.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

_NEXT_SQL = """
    INSERT INTO dossiers_dailycounter (agency_code, day, last) VALUES (%s, %s, 1)
    ON CONFLICT (agency_code, day) DO UPDATE SET last = dossiers_dailycounter.last + 1
    RETURNING last"""


def next_number(agency_code: str, day: dt.date) -> int:
    """The next number of `agency_code` on `day` (call inside the accepting transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_SQL, [agency_code, day])
        return cursor.fetchone()[0]


def format_code(agency_code: str, day: dt.date, number: int) -> str:
    return f"{agency_code}-{day:%y%m%d}-{number:04d}"
