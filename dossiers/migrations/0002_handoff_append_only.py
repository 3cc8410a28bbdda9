"""The processing-control sheet refuses UPDATE and DELETE in the database itself.

TRUNCATE stays possible (a database administrator's act, and how the test runner empties
tables between transactional tests).
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION dossiers_handoff_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The processing-control sheet is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER dossiers_handoff_append_only
    BEFORE UPDATE OR DELETE ON dossiers_handoff
    FOR EACH ROW EXECUTE FUNCTION dossiers_handoff_append_only();
"""

BACKWARD = """
DROP TRIGGER dossiers_handoff_append_only ON dossiers_handoff;
DROP FUNCTION dossiers_handoff_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_dossiers_procedures_handoffs")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
