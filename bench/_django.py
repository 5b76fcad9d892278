"""Shared set-up for benchmark scripts: Django on a throw-away database of its own."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")


def setup(db_name):
    """Start Django and create an empty database ``db_name`` (dropped again by ``teardown``)."""
    os.environ["CMS_TEST_DB"] = db_name
    import django

    django.setup()
    from django.db import connection

    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return connection


def teardown(connection, old_name):
    connection.creation.destroy_test_db(old_name, verbosity=0)
