"""A site copied from the template must be structurally identical to a migrated schema.

The template schema is made by running every migration, so comparing a provisioned site with it
compares "copied" against "migrated": tables, columns, defaults, constraints (names included),
indexes, sequences and triggers. django-tenants' own clone function fails this (it renames
unique constraints and drops Wagtail's unique_permission), which breaks later migrations.
"""

import re

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db

QUERIES = {
    "columns": """
        SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '')
        FROM information_schema.columns WHERE table_schema = %(schema)s""",
    "constraints": """
        SELECT rel.relname, con.conname, con.contype, pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
        JOIN pg_namespace ns ON ns.oid = rel.relnamespace WHERE ns.nspname = %(schema)s""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %(schema)s",
    "sequences": """
        SELECT sequence_name, data_type, increment FROM information_schema.sequences
        WHERE sequence_schema = %(schema)s""",
    "triggers": """
        SELECT event_object_table, trigger_name, action_timing, event_manipulation
        FROM information_schema.triggers WHERE trigger_schema = %(schema)s""",
}


def normalise(text):
    """Drop casts and parentheses: a restored partial index reads
    ``ARRAY[('a'::character varying)::text]`` where the migrated one reads
    ``(ARRAY['a'::character varying])::text[]`` — the same predicate, deparsed differently."""
    text = re.sub(r"::[a-z ]+(\[\])?", "", text)
    return re.sub(r"[()\s]", "", text)


def structure(schema):
    result = {}
    with connection.cursor() as cursor:
        for kind, sql in QUERIES.items():
            cursor.execute(sql, {"schema": schema})
            rows = cursor.fetchall()
            result[kind] = sorted(
                tuple(normalise(str(value).replace(f'"{schema}".', "S.").replace(f"{schema}.", "S.")) for value in row)
                for row in rows
            )
    return result


def test_copied_site_matches_migrated_template(cluster):
    migrated = structure(settings.CMS_TEMPLATE_SCHEMA)
    copied = structure("jtj")
    assert len(migrated["columns"]) > 200  # really compared Wagtail's tables
    assert any("unique_permission" in row[1] for row in migrated["constraints"])
    for kind in QUERIES:
        assert copied[kind] == migrated[kind], kind


def test_copied_site_records_the_same_migrations(cluster):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{settings.CMS_TEMPLATE_SCHEMA}".django_migrations ORDER BY 1, 2')  # noqa: S608
        template = cursor.fetchall()
        cursor.execute('SELECT app, name FROM "jtj".django_migrations ORDER BY 1, 2')
        site = cursor.fetchall()
    assert template and site == template
