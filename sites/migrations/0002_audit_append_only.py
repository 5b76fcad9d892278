from django.db import migrations

# The audit log is append-only even for raw SQL: UPDATE and DELETE raise. TRUNCATE (used by test
# database teardown and by an operator's deliberate purge) is not covered by row triggers.
FORWARD = """
CREATE OR REPLACE FUNCTION sites_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sites_auditevent_append_only
    BEFORE UPDATE OR DELETE ON sites_auditevent
    FOR EACH ROW EXECUTE FUNCTION sites_auditevent_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS sites_auditevent_append_only ON sites_auditevent;
DROP FUNCTION IF EXISTS sites_auditevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("sites", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
