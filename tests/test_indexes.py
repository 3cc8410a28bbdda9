"""No index of ours that another one already serves: each costs every insert and update.

A non-unique b-tree index is redundant when another b-tree index on the same table starts
with the same columns and operator classes (neither partial nor on expressions): PostgreSQL
answers from the longer one what it would have asked the shorter. Django adds such indexes
unasked, on every foreign key; a key that leads a unique constraint or an index of ours is
declared with `db_index=False`. Django's own tables, and the many-to-many tables it makes,
are not ours to change.
"""

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db

OURS = ("spatial", "planning", "reports", "dossiers", "urbanmgmt")


def our_tables() -> set[str]:
    return {
        model._meta.db_table
        for label in OURS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.auto_created  # a ManyToManyField's own table
    }


def redundant_indexes(tables: set[str]) -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH idx AS (
              SELECT t.relname AS tbl, c.relname AS name, i.indisunique AS uniq,
                     -- int2vector and oidvector count from 0: as text, from 1 like any array.
                     string_to_array(i.indkey::text, ' ')::int[] AS cols,
                     string_to_array(i.indclass::text, ' ')::oid[] AS ops,
                     i.indpred IS NULL AND i.indexprs IS NULL AS plain
              FROM pg_index i
              JOIN pg_class c ON c.oid = i.indexrelid
              JOIN pg_class t ON t.oid = i.indrelid
              JOIN pg_am am ON am.oid = c.relam
              WHERE am.amname = 'btree' AND t.relname = ANY(%s))
            SELECT a.tbl, a.name, b.name FROM idx a JOIN idx b
              ON a.tbl = b.tbl AND a.name <> b.name
            WHERE NOT a.uniq AND a.plain AND b.plain
              AND a.cols = b.cols[1:cardinality(a.cols)]
              AND a.ops = b.ops[1:cardinality(a.ops)]
              AND (cardinality(a.cols) < cardinality(b.cols) OR b.uniq OR a.name > b.name)
            ORDER BY 1, 2""",
            [sorted(tables)],
        )
        return cursor.fetchall()


def test_no_index_of_ours_is_served_by_another():
    tables = our_tables()
    assert "reports_report" in tables and "dossiers_dossier" in tables

    found = redundant_indexes(tables)

    assert found == [], "\n".join(f"{t}: {a} is served by {b}" for t, a, b in found)


def test_the_check_finds_a_redundant_index():
    # An index on the leading column of the queue's own index: the check must name it.
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX probe_report_status ON reports_report (status)")

    assert ("reports_report", "probe_report_status", "report_queue") in redundant_indexes(
        {"reports_report"}
    )
