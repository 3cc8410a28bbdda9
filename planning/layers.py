"""Import kinds of the planning app: plan zones and road boundaries, through `import_layer`.

    manage.py import_layer plan_zones zones.geojson --map code=TypeCode --map zone_id=PlotID
    manage.py import_plan --decision 123/QĐ-UBND zones.geojson   (a file with no decision column)

A layer of zones (or road boundaries) is a decision's whole set: importing it again keeps
the zones that did not change (and their overlaps), removes those no longer in the file
and adds the new ones, whose overlaps with the parcels are then computed in the same
transaction. The decision comes from the file's `decision` column or, for files without
one, from the import's options (`import_plan --decision`); it must exist beforehand.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis.importer import FieldSpec, ImportFailed, ImportKind, register_kind
from planning import overlaps
from planning.models import MAX_PLANNED_WIDTH_M

_DECISION_FIELD = FieldSpec(
    "decision", aliases=("so_qd", "soqd", "so_quyet_dinh", "quyet_dinh", "decision_no")
)


def _fail_if(cursor: Any, sql: str, message: str, **extra: Any) -> None:
    cursor.execute(sql)
    row = cursor.fetchone()
    if row is not None:
        raise ImportFailed(message % {**extra, **dict(zip(("row", "a", "b"), row, strict=False))})


def _check_lengths(cursor: Any, staging: str, limits: tuple[tuple[str, int], ...]) -> None:
    for column, limit in limits:
        _fail_if(
            cursor,
            f"""SELECT row_no, left({column}, 60) FROM {staging} WHERE length({column}) > {limit}
                ORDER BY row_no LIMIT 1""",
            _("Row %(row)s: %(field)s “%(a)s” is longer than %(limit)s characters."),
            field=column,
            limit=limit,
        )


def _resolve_decisions(cursor: Any, staging: str, options: dict[str, Any]) -> None:
    """Fill each staged row's decision_id, from the options or the file; refuse unknowns."""
    number = options.get("decision")
    if number:
        cursor.execute(f"UPDATE {staging} SET decision = %(number)s", {"number": number})
    else:
        _fail_if(
            cursor,
            f"SELECT row_no FROM {staging} WHERE COALESCE(decision, '') = '' ORDER BY row_no LIMIT 1",
            _(
                "Row %(row)s: no decision number. Give the file a “decision” column "
                "(--map decision=COLUMN) or import it with import_plan --decision NUMBER."
            ),
        )
    cursor.execute(
        f"""UPDATE {staging} s SET decision_id = d.id FROM planning_plandecision d
            WHERE d.number = s.decision"""
    )
    _fail_if(
        cursor,
        f"SELECT row_no, decision FROM {staging} WHERE decision_id IS NULL ORDER BY row_no LIMIT 1",
        _(
            "Row %(row)s: there is no plan decision numbered “%(a)s”; record the decision first "
            "(in the administration, or with import_plan)."
        ),
    )


def update_decision_areas(cursor: Any, decision_ids_sql: str, params: Any = None) -> None:
    """Set each decision's covered area to the union of its zones."""
    cursor.execute(
        f"""UPDATE planning_plandecision d SET area = a.area, updated_at = now()
            FROM (SELECT i.id, (SELECT ST_Multi(ST_CollectionExtract(ST_UnaryUnion(
                                  ST_Collect(z.geom)), 3))
                                FROM planning_planzone z WHERE z.decision_id = i.id) AS area
                  FROM ({decision_ids_sql}) i (id)) a
            WHERE d.id = a.id""",
        params,
    )


def merge_zones(cursor: Any, staging: str, options: dict[str, Any]) -> tuple[int, int, list[str]]:
    cursor.execute(f"ALTER TABLE {staging} ADD COLUMN decision_id bigint")
    _resolve_decisions(cursor, staging, options)
    for column, low, high, label in (
        ("max_coverage_pct", 0, 100, _("max building coverage (%)")),
        ("max_far", 0, None, _("max floor-area ratio")),
        ("max_height_m", 0, None, _("max height (m)")),
        ("setback_m", 0, None, _("setback (m)")),
        ("max_floors", 0, 32767, _("max floors")),
    ):
        bound = f" OR {column} > {high}" if high is not None else ""
        _fail_if(
            cursor,
            f"""SELECT row_no, {column} FROM {staging} WHERE {column} < {low}{bound}
                ORDER BY row_no LIMIT 1""",
            _("Row %(row)s: %(field)s cannot be %(a)s."),
            field=label,
        )
    _check_lengths(cursor, staging, (("zone_id", 40), ("code", 16), ("function_name", 200)))
    same = """z.decision_id = s.decision_id AND z.zone_id = COALESCE(s.zone_id, '')
              AND z.code = s.code AND z.function_name = COALESCE(s.function_name, '')
              AND z.max_floors IS NOT DISTINCT FROM s.max_floors
              AND z.max_height_m IS NOT DISTINCT FROM s.max_height_m
              AND z.max_coverage_pct IS NOT DISTINCT FROM s.max_coverage_pct
              AND z.max_far IS NOT DISTINCT FROM s.max_far
              AND z.setback_m IS NOT DISTINCT FROM s.setback_m
              AND z.geom = s.geom"""
    # Zones of the file's decisions that the file no longer has, with their overlaps.
    cursor.execute(
        f"""CREATE TEMP TABLE gone_zones ON COMMIT DROP AS
            SELECT z.id FROM planning_planzone z
            WHERE z.decision_id IN (SELECT DISTINCT decision_id FROM {staging})
              AND NOT EXISTS (SELECT 1 FROM {staging} s WHERE {same})"""
    )
    cursor.execute(
        "DELETE FROM planning_parcelzoneoverlap WHERE zone_id IN (SELECT id FROM gone_zones)"
    )
    cursor.execute("DELETE FROM planning_planzone WHERE id IN (SELECT id FROM gone_zones)")
    removed = cursor.rowcount
    cursor.execute("DROP TABLE gone_zones")
    cursor.execute(
        f"""CREATE TEMP TABLE new_zones ON COMMIT DROP AS
            WITH ins AS (
              INSERT INTO planning_planzone (decision_id, zone_id, code, function_name, max_floors,
                  max_height_m, max_coverage_pct, max_far, setback_m, geom, updated_at)
              SELECT s.decision_id, COALESCE(s.zone_id, ''), s.code, COALESCE(s.function_name, ''),
                     s.max_floors, s.max_height_m, s.max_coverage_pct, s.max_far, s.setback_m,
                     s.geom, now()
              FROM {staging} s
              WHERE NOT EXISTS (SELECT 1 FROM planning_planzone z WHERE {same})
              ORDER BY s.row_no
              RETURNING id)
            SELECT id FROM ins"""
    )
    created = cursor.rowcount
    overlaps.insert_for_zones(cursor, "SELECT id FROM new_zones", {})
    cursor.execute("DROP TABLE new_zones")
    if created or removed:
        update_decision_areas(cursor, f"SELECT DISTINCT decision_id FROM {staging}")
    warnings = []
    if removed:
        warnings.append(
            _("%(count)s zones of the decision that the file no longer has were removed.")
            % {"count": removed}
        )
    cursor.execute(
        f"""SELECT s.code, count(*) FROM {staging} s
            WHERE NOT EXISTS (SELECT 1 FROM planning_zonetype t WHERE t.code = s.code)
            GROUP BY 1 ORDER BY 2 DESC"""
    )
    warnings += [
        _("Zoning code %(code)s (%(count)s zones) is not in the list of zoning codes.")
        % {"code": code, "count": count}
        for code, count in cursor.fetchall()
    ]
    return created, 0, warnings


def merge_road_boundaries(
    cursor: Any, staging: str, options: dict[str, Any]
) -> tuple[int, int, list[str]]:
    number = options.get("decision")
    cursor.execute(f"ALTER TABLE {staging} ADD COLUMN decision_id bigint")
    if number or _any_decision(cursor, staging):
        _resolve_decisions(cursor, staging, options)
    _fail_if(
        cursor,
        f"""SELECT row_no, planned_width_m FROM {staging}
            WHERE NOT (planned_width_m > 0 AND planned_width_m <= {MAX_PLANNED_WIDTH_M})
            ORDER BY row_no LIMIT 1""",
        _(
            "Row %(row)s: a planned width of %(a)s m is not plausible (more than 0, at most %(max)s)."
        ),
        max=MAX_PLANNED_WIDTH_M,
    )
    _check_lengths(cursor, staging, (("street_name", 200),))
    same = """r.decision_id IS NOT DISTINCT FROM s.decision_id AND r.street_name = s.street_name
              AND r.planned_width_m = s.planned_width_m AND r.geom = s.geom"""
    # Road boundaries of the file's decisions that the file no longer has, with their parcels.
    cursor.execute(
        f"""CREATE TEMP TABLE gone_roads ON COMMIT DROP AS
            SELECT r.id FROM planning_roadboundary r
            WHERE (r.decision_id IN (SELECT decision_id FROM {staging})
                   OR (r.decision_id IS NULL
                       AND EXISTS (SELECT 1 FROM {staging} WHERE decision_id IS NULL)))
              AND NOT EXISTS (SELECT 1 FROM {staging} s WHERE {same})"""
    )
    cursor.execute("DELETE FROM planning_parcelroad WHERE road_id IN (SELECT id FROM gone_roads)")
    cursor.execute("DELETE FROM planning_roadboundary WHERE id IN (SELECT id FROM gone_roads)")
    removed = cursor.rowcount
    cursor.execute("DROP TABLE gone_roads")
    cursor.execute(
        f"""CREATE TEMP TABLE new_roads ON COMMIT DROP AS
            WITH ins AS (
              INSERT INTO planning_roadboundary (decision_id, street_name, street_search,
                  planned_width_m, geom, updated_at)
              SELECT s.decision_id, s.street_name, s.street_name_folded, s.planned_width_m,
                     s.geom, now()
              FROM {staging} s
              WHERE NOT EXISTS (SELECT 1 FROM planning_roadboundary r WHERE {same})
              ORDER BY s.row_no
              RETURNING id)
            SELECT id FROM ins"""
    )
    created = cursor.rowcount
    overlaps.insert_for_roads(cursor, "SELECT id FROM new_roads", {})
    cursor.execute("DROP TABLE new_roads")
    warnings = []
    if removed:
        warnings.append(
            _("%(count)s road boundaries that the file no longer has were removed.")
            % {"count": removed}
        )
    return created, 0, warnings


def _any_decision(cursor: Any, staging: str) -> bool:
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {staging} WHERE COALESCE(decision, '') <> '')")
    return cursor.fetchone()[0]


PLAN_ZONES = ImportKind(
    name="plan_zones",
    label=gettext_lazy("Plan zones"),
    geometry="polygon",
    fields=(
        _DECISION_FIELD,
        FieldSpec("zone_id", aliases=("plotid", "ma_o", "ky_hieu_o", "o_quy_hoach", "ma_lo")),
        FieldSpec(
            "code",
            required=True,
            aliases=("typecode", "ma_chuc_nang", "ky_hieu", "kyhieu", "ma_qh", "zoning_code"),
        ),
        FieldSpec(
            "function_name",
            vietnamese=True,
            aliases=("landusetyp", "chuc_nang", "ten_chuc_nang", "function"),
        ),
        FieldSpec(
            "max_floors",
            type="int",
            minimum=0,
            aliases=("floor", "floors", "tang_cao", "so_tang", "tang_cao_max"),
        ),
        FieldSpec("max_height_m", type="float", aliases=("height", "chieu_cao", "chieu_cao_max")),
        FieldSpec("max_coverage_pct", type="float", aliases=("bcr", "mat_do", "mat_do_xd", "mdxd")),
        FieldSpec("max_far", type="float", aliases=("far", "hssdd", "he_so_sdd")),
        FieldSpec("setback_m", type="float", aliases=("setback", "khoang_lui")),
    ),
    merge=merge_zones,
)

ROAD_BOUNDARIES = ImportKind(
    name="road_boundaries",
    label=gettext_lazy("Road boundaries"),
    geometry="line",
    fields=(
        _DECISION_FIELD,
        FieldSpec(
            "street_name",
            required=True,
            vietnamese=True,
            folded=True,
            aliases=("ten_duong", "tenduong", "duong", "street", "name", "ten"),
        ),
        FieldSpec(
            "planned_width_m",
            type="float",
            required=True,
            aliases=("lo_gioi", "logioi", "width_m", "width", "be_rong"),
        ),
    ),
    merge=merge_road_boundaries,
)


def register_kinds() -> None:
    register_kind(PLAN_ZONES)
    register_kind(ROAD_BOUNDARIES)
