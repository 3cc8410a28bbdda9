"""The layer registry's core entries: administrative units and cadastral parcels.

Each kind's merge is set-based SQL from the importer's staging table into the real table,
checked first so that a bad file fails with a message naming the row and changes nothing.
Feature apps register their own kinds the same way from their `AppConfig.ready()`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from django.dispatch import Signal
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis.importer import Chunk, DirectLoad, FieldSpec, ImportFailed, ImportKind, register_kind
from gis.models import BASE_LEVELS, SINCE_EVER, UnitLevel

#: Sent after a layer's data changed (an import or an edit), with `kind=<layer name>`.
layer_changed = Signal()

_INTEGER_MAX = 2**31 - 1  # PostgreSQL's integer, the type of the parcel's numbers
_BASE_LEVELS_SQL = "(" + ", ".join(f"'{level.value}'" for level in BASE_LEVELS) + ")"


def _first(cursor: Any, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None:
    cursor.execute(sql, params or [])
    return cursor.fetchone()


def _fail_if(cursor: Any, sql: str, message: str, params: list[Any] | None = None) -> None:
    row = _first(cursor, sql, params)
    if row is not None:
        raise ImportFailed(message % dict(zip(("row", "a", "b", "c"), row, strict=False)))


def merge_units(cursor: Any, staging: str, options: dict[str, Any]) -> tuple[int, int, list[str]]:
    levels = [level.value for level in UnitLevel]
    cursor.execute(
        f"""UPDATE {staging} SET
              level = COALESCE(NULLIF(level, ''), CASE length(code) WHEN 2 THEN 'city'
                      WHEN 3 THEN 'district' ELSE 'ward' END),
              valid_from = COALESCE(valid_from, %s)""",
        [options.get("valid_from") or SINCE_EVER],
    )
    _fail_if(
        cursor,
        f"SELECT row_no, level FROM {staging} WHERE NOT level = ANY(%s) ORDER BY row_no LIMIT 1",
        _("Row %(row)s: unknown level “%(a)s”; use one of: ") + ", ".join(levels) + ".",
        [levels],
    )
    _fail_if(
        cursor,
        f"""SELECT min(row_no), code, valid_from::text FROM {staging} GROUP BY code, valid_from
            HAVING count(*) > 1 ORDER BY 1 LIMIT 1""",
        _("Row %(row)s: unit %(a)s valid from %(b)s appears more than once in the file."),
    )
    _fail_if(
        cursor,
        f"SELECT row_no, code FROM {staging} WHERE valid_to < valid_from ORDER BY row_no LIMIT 1",
        _("Row %(row)s: unit %(a)s ends before it starts (valid_to before valid_from)."),
    )
    _fail_if(
        cursor,
        f"SELECT row_no, code FROM {staging} WHERE parent_code = code ORDER BY row_no LIMIT 1",
        _("Row %(row)s: unit %(a)s cannot be its own parent (check the parent_code column)."),
    )
    _fail_if(
        cursor,
        f"""SELECT s.row_no, s.parent_code FROM {staging} s
            WHERE s.parent_code IS NOT NULL AND s.parent_code <> ''
              AND NOT EXISTS (SELECT 1 FROM {staging} p WHERE p.code = s.parent_code)
              AND NOT EXISTS (SELECT 1 FROM spatial_adminunit u WHERE u.code = s.parent_code)
            ORDER BY s.row_no LIMIT 1""",
        _("Row %(row)s: the parent unit %(a)s is neither in the file nor in the database."),
    )
    cursor.execute(
        f"""WITH up AS (
              INSERT INTO spatial_adminunit (code, name, search_name, level, geom, valid_from, valid_to, updated_at)
              SELECT code, name, name_folded, level, ST_Multi(geom), valid_from, valid_to, now()
              FROM {staging}
              ON CONFLICT ON CONSTRAINT adminunit_code_valid_from DO UPDATE SET
                name = EXCLUDED.name, search_name = EXCLUDED.search_name, level = EXCLUDED.level,
                geom = EXCLUDED.geom, valid_to = EXCLUDED.valid_to, updated_at = now()
              WHERE (spatial_adminunit.name, spatial_adminunit.level, spatial_adminunit.geom,
                     spatial_adminunit.valid_to)
                    IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.level, EXCLUDED.geom, EXCLUDED.valid_to)
              RETURNING (xmax = 0) AS created)
            SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up"""
    )
    created, updated = cursor.fetchone()
    # Parents: the version of the parent code valid when the child starts, else the latest.
    cursor.execute(
        f"""UPDATE spatial_adminunit c SET parent_id = p.id
            FROM {staging} s CROSS JOIN LATERAL (
              SELECT p.id FROM spatial_adminunit p WHERE p.code = s.parent_code
              ORDER BY (p.valid_from <= s.valid_from
                        AND (p.valid_to IS NULL OR p.valid_to >= s.valid_from)) DESC,
                       p.valid_from DESC
              LIMIT 1) p
            WHERE c.code = s.code AND c.valid_from = s.valid_from
              AND c.parent_id IS DISTINCT FROM p.id"""
    )
    return created, updated, []


_UNKNOWN_WARD = gettext_lazy(
    "Row %(row)s: no ward with code %(a)s; import the administrative units first."
)
_REPEATED_PARCEL = gettext_lazy(
    "Row %(row)s: ward %(a)s / sheet %(b)s / parcel %(c)s appears more than once in the file."
)
# For each ward code, the unit it means: the current one, else the one that ended last.
_WARDS_SQL = f"""SELECT DISTINCT ON (code) id, code FROM spatial_adminunit
                 WHERE level IN {_BASE_LEVELS_SQL}
                 ORDER BY code, valid_to DESC NULLS FIRST, valid_from DESC"""


def check_parcels(cursor: Any, staging: str) -> None:
    """Refuse the file for an unknown ward or a natural key given twice."""
    _fail_if(
        cursor,
        f"""SELECT s.row_no, s.ward_code FROM {staging} s WHERE NOT EXISTS (
              SELECT 1 FROM spatial_adminunit u WHERE u.code = s.ward_code AND u.level IN {_BASE_LEVELS_SQL})
            ORDER BY s.row_no LIMIT 1""",
        str(_UNKNOWN_WARD),
    )
    _fail_if(
        cursor,
        f"""SELECT min(row_no), ward_code, sheet_no, parcel_no FROM {staging}
            GROUP BY ward_code, sheet_no, parcel_no HAVING count(*) > 1 ORDER BY 1 LIMIT 1""",
        str(_REPEATED_PARCEL),
    )


def merge_parcel_chunk(
    cursor: Any, staging: str, first_row: int, last_row: int, options: dict[str, Any]
) -> tuple[int, int]:
    """Upsert one chunk of staged parcels by natural key; unchanged rows are left alone.

    Rows of an unknown ward are skipped here and refused by `check_parcels` at the end. A
    chunk that breaks a constraint (a key twice in the chunk) is rolled back to its
    savepoint and explained by the same checks.
    """
    columns = "ward_id, sheet_no, parcel_no, land_use, address, address_search, geom, updated_at"
    try:
        with cursor.connection.transaction():
            cursor.execute(
                f"""WITH wards AS ({_WARDS_SQL}),
                up AS (
                  INSERT INTO spatial_parcel ({columns})
                  SELECT w.id, s.sheet_no, s.parcel_no, COALESCE(s.land_use, ''),
                         COALESCE(s.address, ''), COALESCE(s.address_folded, ''), s.geom, now()
                  FROM {staging} s JOIN wards w ON w.code = s.ward_code
                  WHERE s.row_no BETWEEN %s AND %s
                  ON CONFLICT ON CONSTRAINT parcel_natural_key DO UPDATE SET
                    land_use = EXCLUDED.land_use, address = EXCLUDED.address,
                    address_search = EXCLUDED.address_search, geom = EXCLUDED.geom,
                    updated_at = now()
                  WHERE (spatial_parcel.land_use, spatial_parcel.address, spatial_parcel.geom)
                        IS DISTINCT FROM (EXCLUDED.land_use, EXCLUDED.address, EXCLUDED.geom)
                  RETURNING (xmax = 0) AS created)
                SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up""",
                [first_row, last_row],
            )
            created, updated = cursor.fetchone()
    except (psycopg.errors.IntegrityError, psycopg.errors.CardinalityViolation):
        check_parcels(cursor, staging)
        raise
    return created, updated


def _land_use_codes(cursor: Any) -> set[str]:
    cursor.execute("SELECT code FROM spatial_landusetype")
    return {code for (code,) in cursor.fetchall()}


def _land_use_warnings(known: set[str], counts: dict[str, int]) -> list[str]:
    unknown = sorted(
        ((code, count) for code, count in counts.items() if code not in known),
        key=lambda item: -item[1],
    )
    return [
        _("Land-use code %(code)s (%(count)s parcels) is not in the land-use list.")
        % {"code": code, "count": count}
        for code, count in unknown
    ]


def merge_parcels(cursor: Any, staging: str, options: dict[str, Any]) -> tuple[int, int, list[str]]:
    """After every chunk is in: refuse the file if a check fails, else report odd codes."""
    check_parcels(cursor, staging)
    cursor.execute(
        f"""SELECT s.land_use, count(*) FROM {staging} s
            WHERE s.land_use IS NOT NULL AND s.land_use <> '' GROUP BY 1"""
    )
    counts = dict(cursor.fetchall())
    return 0, 0, _land_use_warnings(_land_use_codes(cursor), counts)


class ParcelsFirstLoad(DirectLoad):
    """Parcels into an empty table: wards resolved and keys checked here, not in SQL.

    Rows must name a known ward (the one `merge_parcel_chunk` would join) and give each
    natural key once; the unique index built after the load is only the last guard.
    """

    columns = (
        ("ward_id", "int8"),
        ("sheet_no", "int4"),
        ("parcel_no", "int4"),
        ("land_use", "text"),
        ("address", "text"),
        ("address_search", "text"),
        ("geom", "bytea"),
    )

    def __init__(self, cursor: Any, options: dict[str, Any]) -> None:
        cursor.execute(_WARDS_SQL)
        wards = cursor.fetchall()
        self.ward_ids = np.array([ward_id for ward_id, _code in wards], dtype=np.int64)
        self.ward_codes = pa.array([code for _id, code in wards], pa.string())
        self.keys: list[tuple[np.ndarray, ...]] = []  # per chunk: ward, sheet, parcel, row
        self.land_use: Counter[str] = Counter()
        self.land_use_codes = _land_use_codes(cursor)

    def values(self, chunk: Chunk) -> list[pa.Array | np.ndarray]:
        codes = chunk.values["ward_code"]
        ward = pc.index_in(codes, value_set=self.ward_codes)
        if ward.null_count:
            offset = pc.index(pc.is_null(ward), True).as_py()
            raise ImportFailed(
                _UNKNOWN_WARD % {"row": int(chunk.rows[offset]), "a": codes[offset].as_py()}
            )
        ward = ward.to_numpy()
        sheet = chunk.values["sheet_no"].to_numpy()
        parcel = chunk.values["parcel_no"].to_numpy()
        self.keys.append((ward, sheet, parcel, chunk.rows))
        land_use = chunk.values["land_use"]
        for item in pc.value_counts(pc.drop_null(land_use)).to_pylist():
            if item["values"]:
                self.land_use[item["values"]] += item["counts"]
        return [
            self.ward_ids[ward],
            sheet,
            parcel,
            pc.fill_null(land_use, ""),
            pc.fill_null(chunk.values["address"], ""),
            chunk.values["address_folded"],
            chunk.wkb,
        ]

    def finish(self) -> list[str]:
        if self.keys:
            ward, sheet, parcel, rows = (
                np.concatenate(part) for part in zip(*self.keys, strict=True)
            )
            self.keys = []
            repeated = _first_repeated(ward, sheet, parcel)
            if repeated is not None:
                raise ImportFailed(
                    _REPEATED_PARCEL
                    % {
                        "row": int(rows[repeated]),
                        "a": self.ward_codes[int(ward[repeated])].as_py(),
                        "b": int(sheet[repeated]),
                        "c": int(parcel[repeated]),
                    }
                )
        return _land_use_warnings(self.land_use_codes, dict(self.land_use))


def _first_repeated(*key: np.ndarray) -> int | None:
    """Where the earliest key given more than once first appears (as `check_parcels` says).

    The key's columns are packed into one 64-bit number when they fit (they do for any
    real cadastre), so that the usual answer, "none", costs one sort.
    """
    if len(key[0]) < 2:
        return None
    bits = [int(column.max()).bit_length() for column in key]
    if min(int(column.min()) for column in key) >= 0 and sum(bits) <= 64:
        packed = np.zeros(len(key[0]), dtype=np.uint64)
        for column, width in zip(key, bits, strict=True):
            packed = (packed << np.uint64(width)) | column.astype(np.uint64)
        ordered = np.sort(packed)
        if not (ordered[1:] == ordered[:-1]).any():
            return None
        order = np.argsort(packed, kind="stable")
        same = packed[order][1:] == packed[order][:-1]
    else:
        order = np.lexsort(key[::-1])  # stable: equal keys keep the file's order
        same = np.ones(len(order) - 1, dtype=bool)
        for column in key:
            same &= column[order][1:] == column[order][:-1]
        if not same.any():
            return None
    # The first row of each repeated key is the one just before its first repeat.
    firsts = order[np.flatnonzero(same & ~np.insert(same[:-1], 0, False))]
    return int(firsts.min())


UNITS = ImportKind(
    name="units",
    label=gettext_lazy("Administrative units"),
    geometry="polygon",
    fields=(
        FieldSpec("code", required=True, aliases=("ma", "ma_dvhc", "ma_phuong", "ma_xa")),
        FieldSpec(
            "name",
            required=True,
            vietnamese=True,
            folded=True,
            aliases=("ten", "ten_dvhc", "ten_phuong"),
        ),
        FieldSpec("level", aliases=("cap",)),
        FieldSpec("parent_code", aliases=("ma_cha", "ma_quan", "ma_huyen")),
        FieldSpec("valid_from", type="date"),
        FieldSpec("valid_to", type="date"),
    ),
    merge=merge_units,
)

PARCELS = ImportKind(
    name="parcels",
    label=gettext_lazy("Cadastral parcels"),
    geometry="polygon",
    fields=(
        FieldSpec("ward_code", required=True, aliases=("ma_phuong", "ma_xa", "maxa")),
        FieldSpec(
            "sheet_no",
            type="int",
            required=True,
            minimum=1,
            maximum=_INTEGER_MAX,
            aliases=("so_to", "soto", "shbando"),
        ),
        FieldSpec(
            "parcel_no",
            type="int",
            required=True,
            minimum=1,
            maximum=_INTEGER_MAX,
            aliases=("so_thua", "sothua", "shthua"),
        ),
        FieldSpec("land_use", aliases=("loai_dat", "mdsd", "kyhieumdsd")),
        FieldSpec("address", vietnamese=True, folded=True, aliases=("dia_chi", "diachi")),
    ),
    merge=merge_parcels,
    merge_chunk=merge_parcel_chunk,
    table="spatial_parcel",
    direct=ParcelsFirstLoad,
)


def register_core_kinds() -> None:
    register_kind(UNITS)
    register_kind(PARCELS)
