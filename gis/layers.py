"""The layer registry's core entries: administrative units and cadastral parcels.

Each kind's merge is set-based SQL from the importer's staging table into the real table,
checked first so that a bad file fails with a message naming the row and changes nothing.
Feature apps register their own kinds the same way from their `AppConfig.ready()`.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.dispatch import Signal
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis.importer import FieldSpec, ImportFailed, ImportKind, register_kind
from gis.models import BASE_LEVELS, SINCE_EVER, UnitLevel

#: Sent after a layer's data changed (an import or an edit), with `kind=<layer name>`.
layer_changed = Signal()

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


def check_parcels(cursor: Any, staging: str) -> None:
    """Refuse the file for an unknown ward or a natural key given twice."""
    _fail_if(
        cursor,
        f"""SELECT s.row_no, s.ward_code FROM {staging} s WHERE NOT EXISTS (
              SELECT 1 FROM spatial_adminunit u WHERE u.code = s.ward_code AND u.level IN {_BASE_LEVELS_SQL})
            ORDER BY s.row_no LIMIT 1""",
        _("Row %(row)s: no ward with code %(a)s; import the administrative units first."),
    )
    _fail_if(
        cursor,
        f"""SELECT min(row_no), ward_code, sheet_no, parcel_no FROM {staging}
            GROUP BY ward_code, sheet_no, parcel_no HAVING count(*) > 1 ORDER BY 1 LIMIT 1""",
        _(
            "Row %(row)s: ward %(a)s / sheet %(b)s / parcel %(c)s appears more than once in the file."
        ),
    )


def merge_parcel_chunk(
    cursor: Any, staging: str, first_row: int, last_row: int, options: dict[str, Any]
) -> tuple[int, int]:
    """Upsert one chunk of staged parcels by natural key; unchanged rows are left alone.

    Rows of an unknown ward are skipped here and refused by `check_parcels` at the end. A
    chunk that breaks a constraint (a key twice in the chunk) is rolled back to its
    savepoint and explained by the same checks.
    """
    wards = f"""SELECT DISTINCT ON (code) id, code FROM spatial_adminunit
                WHERE level IN {_BASE_LEVELS_SQL}
                ORDER BY code, valid_to DESC NULLS FIRST, valid_from DESC"""
    columns = "ward_id, sheet_no, parcel_no, land_use, address, address_search, geom, updated_at"
    select = f"""SELECT w.id, s.sheet_no, s.parcel_no, COALESCE(s.land_use, ''),
                        COALESCE(s.address, ''), COALESCE(s.address_folded, ''), s.geom, now()
                 FROM {staging} s JOIN wards w ON w.code = s.ward_code
                 WHERE s.row_no BETWEEN %s AND %s"""
    try:
        with cursor.connection.transaction():
            if options.get("bulk"):
                # The table was empty when the import began: nothing to update, and the
                # natural key's unique index refuses a key given twice.
                cursor.execute(
                    f"WITH wards AS ({wards}) INSERT INTO spatial_parcel ({columns}) {select}",
                    [first_row, last_row],
                )
                return cursor.rowcount, 0
            cursor.execute(
                f"""WITH wards AS ({wards}),
                up AS (
                  INSERT INTO spatial_parcel ({columns}) {select}
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


def merge_parcels(cursor: Any, staging: str, options: dict[str, Any]) -> tuple[int, int, list[str]]:
    """After every chunk is in: refuse the file if a check fails, else report odd codes."""
    if options.get("bulk"):
        # The unique index already refused repeated keys; a row that was staged but not
        # written can only have an unknown ward, and then the checks say which.
        cursor.execute(f"SELECT count(*) FROM {staging}")
        if cursor.fetchone()[0] != options.get("chunk_rows"):
            check_parcels(cursor, staging)
    else:
        check_parcels(cursor, staging)
    cursor.execute(
        f"""SELECT s.land_use, count(*) FROM {staging} s
            WHERE s.land_use IS NOT NULL AND s.land_use <> ''
              AND NOT EXISTS (SELECT 1 FROM spatial_landusetype t WHERE t.code = s.land_use)
            GROUP BY 1 ORDER BY 2 DESC"""
    )
    warnings = [
        _("Land-use code %(code)s (%(count)s parcels) is not in the land-use list.")
        % {"code": code, "count": count}
        for code, count in cursor.fetchall()
    ]
    return 0, 0, warnings


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
            "sheet_no", type="int", required=True, minimum=1, aliases=("so_to", "soto", "shbando")
        ),
        FieldSpec(
            "parcel_no",
            type="int",
            required=True,
            minimum=1,
            aliases=("so_thua", "sothua", "shthua"),
        ),
        FieldSpec("land_use", aliases=("loai_dat", "mdsd", "kyhieumdsd")),
        FieldSpec("address", vietnamese=True, folded=True, aliases=("dia_chi", "diachi")),
    ),
    merge=merge_parcels,
    merge_chunk=merge_parcel_chunk,
    table="spatial_parcel",
)


def register_core_kinds() -> None:
    register_kind(UNITS)
    register_kind(PARCELS)
