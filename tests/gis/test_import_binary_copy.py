"""Rows encoded column by column for binary COPY arrive in PostgreSQL as they were sent."""

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest
from django.db import connection

from gis.importer import copy_rows

pytestmark = pytest.mark.django_db

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)


def round_trip(columns, sql_types):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE copied ("
            + ", ".join(f"c{i} {t}" for i, t in enumerate(sql_types))
            + ")"
        )
        raw = cursor.cursor
        with raw.copy("COPY copied FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(SIGNATURE)
            copy.write(memoryview(copy_rows(columns)))
            copy.write(b"\xff\xff")
        cursor.execute("SELECT * FROM copied")
        rows = cursor.fetchall()
        cursor.execute("DROP TABLE copied")
    return rows


def test_values_and_nulls_of_every_type_come_back_unchanged():
    columns = [
        (np.array([1, -2, 2**31 - 1], dtype=np.int32), "int4"),
        (pa.array([None, 2**40, -5], pa.int64()), "int8"),
        (pa.array([0.5, None, -1e300]), "float8"),
        (pa.array([dt.date(2024, 2, 29), dt.date(1900, 1, 1), None], pa.date32()), "date"),
        (pa.array(["Phường 13", None, ""]), "text"),
        (pa.array([b"\x00\x01", b"", None], pa.binary()), "bytea"),
    ]

    rows = round_trip(columns, ["integer", "bigint", "float8", "date", "text", "bytea"])

    assert [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows] == [
        (1, None, 0.5, dt.date(2024, 2, 29), "Phường 13", b"\x00\x01"),
        (-2, 2**40, None, dt.date(1900, 1, 1), None, b""),
        (2**31 - 1, -5, -1e300, None, "", None),
    ]


def test_a_number_too_large_for_its_column_is_not_encoded():
    with pytest.raises(ValueError):
        copy_rows([(np.array([2**31], dtype=np.int64), "int4")])


def test_no_rows_encode_to_nothing():
    assert copy_rows([(np.array([], dtype=np.int64), "int8")]).size == 0
