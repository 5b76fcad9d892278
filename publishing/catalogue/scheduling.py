"""Scheduled publishing and expiry on every site, from one worker.

Wagtail's ``publish_scheduled`` works on the current schema only; the worker runs it in the
schema of every active site in turn. A site failing (e.g. a blocked revision that was scheduled)
is reported and never stops the others.
"""

import io
import logging

from django.core.management import call_command
from django_tenants.utils import schema_context

from sites.models import Tenant

logger = logging.getLogger(__name__)


def run_scheduled_everywhere():
    """Run scheduled publishing/expiry in every active site; returns {site code: error or ""}."""
    results = {}
    for tenant in Tenant.objects.serving().order_by("id"):
        try:
            with schema_context(tenant.schema_name):
                call_command("publish_scheduled", stdout=io.StringIO())
        except Exception as exc:  # noqa: BLE001 - one site's failure must not stop the others
            logger.warning("scheduled publishing failed on %s: %s", tenant.code, exc)
            results[tenant.code] = f"{exc.__class__.__name__}: {exc}"
        else:
            results[tenant.code] = ""
    return results
