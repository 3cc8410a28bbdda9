"""A report's history refuses UPDATE and DELETE in the database itself, like the audit log.

TRUNCATE stays possible (the table owner's act; the test runner empties tables that way).
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION reports_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'A report''s history is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER reports_reportevent_append_only
    BEFORE UPDATE OR DELETE ON reports_reportevent
    FOR EACH ROW EXECUTE FUNCTION reports_history_append_only();
"""

BACKWARD = """
DROP TRIGGER reports_reportevent_append_only ON reports_reportevent;
DROP FUNCTION reports_history_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_default_categories")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
