"""The audit log refuses UPDATE and DELETE in the database itself, whoever asks.

TRUNCATE stays possible: it needs the table owner's rights (a database administrator's act,
not the app's), and the test runner empties tables that way between transactional tests.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION urbanmgmt_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER urbanmgmt_auditentry_append_only
    BEFORE UPDATE OR DELETE ON urbanmgmt_auditentry
    FOR EACH ROW EXECUTE FUNCTION urbanmgmt_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER urbanmgmt_auditentry_append_only ON urbanmgmt_auditentry;
DROP FUNCTION urbanmgmt_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("urbanmgmt", "0001_accounts_posts_audit")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
