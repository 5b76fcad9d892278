"""Writing the catalogue from pages, and queueing the change for non-transactional engines."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.models import Page

from cms.visibility import is_listed, listed
from sites.access import current_site

from .models import CatalogueEntry, OutboxEvent

logger = logging.getLogger(__name__)

# Sent inside the publishing transaction with (tenant, page_id, entry or None, action); the
# PostgreSQL search index listens here so it is never out of step with the catalogue.
catalogue_changed = Signal()


def catalogue_types():
    """{model label: short type name} of every catalogued page type: the models of the app registry
    that declare a ``catalogue_type`` (cms.models.base.SitePage), in registry order."""
    return {
        model._meta.label: model.catalogue_type for model in apps.get_models() if getattr(model, "catalogue_type", None)
    }


def type_name(page_or_class):
    """The short type name of a page (or page class), or None when it is not catalogued."""
    model = page_or_class if isinstance(page_or_class, type) else type(page_or_class)
    return getattr(model, "catalogue_type", None) or None


def catalogue_models():
    return [apps.get_model(label) for label in catalogue_types()]


# --- A row from a page ---------------------------------------------------------------------------


def _blank_row():
    """The optional columns of a row, empty: a page fills those of its type (``catalogue_values``)."""
    return {
        field.name: None if field.null else ""
        for field in CatalogueEntry._meta.concrete_fields
        if field.blank and field.editable and not field.primary_key
    }


def entry_values(page):
    """The catalogue row of a live page, as field values: what the page says (``catalogue_values()``)."""
    page = page.specific
    values = _blank_row()
    for name, value in page.catalogue_values().items():
        field = CatalogueEntry._meta.get_field(name)
        values[name] = "" if value is None and not field.null else value
    values["content_type"] = type_name(page)
    return values


# --- Writing -----------------------------------------------------------------------------------


def enqueue(tenant_code, page_id, action):
    """One outbox row per configured engine; the worker makes each engine match the catalogue."""
    now = timezone.now()
    OutboxEvent.objects.bulk_create(
        [
            OutboxEvent(engine=name, tenant_code=tenant_code, page_id=page_id, action=action, next_attempt_at=now)
            for name in getattr(settings, "CMS_OUTBOX_ENGINES", {})
        ]
    )


@transaction.atomic
def record_live(page, action="publish"):
    """Write (or rewrite) the row of a live page; called inside the publish transaction, and by
    any change of what the row carries (``action="validity"``: publishing.syndication.validity).

    The catalogue is the only writer of its rows and the only sender of ``catalogue_changed``."""
    tenant = current_site()
    if type_name(page) is None or tenant is None or tenant.is_template:
        return None
    if not is_listed(page):
        # Unpublished, or restricted here or above: the catalogue holds what the public may read.
        return record_gone(page.pk, action="unpublish" if not page.live else "restrict")
    entry, _ = CatalogueEntry.objects.update_or_create(tenant=tenant, page_id=page.pk, defaults=entry_values(page))
    enqueue(tenant.code, page.pk, action)
    catalogue_changed.send(CatalogueEntry, tenant=tenant, page_id=page.pk, entry=entry, action=action)
    return entry


@transaction.atomic
def record_gone(page_id, action="unpublish"):
    """Remove the row of a page that is no longer live (unpublished, expired, deleted)."""
    tenant = current_site()
    if tenant is None:
        return 0
    deleted, _ = CatalogueEntry.objects.filter(tenant=tenant, page_id=page_id).delete()
    if deleted:
        enqueue(tenant.code, page_id, action)
        catalogue_changed.send(CatalogueEntry, tenant=tenant, page_id=page_id, entry=None, action=action)
    return deleted


@transaction.atomic
def record_subtree(page, action="move"):
    """Re-record the page and everything below it after a change that reaches the whole subtree.

    A move changes their URLs and columns; a view restriction set on (or lifted from) a page hides
    (or shows) the page and all its descendants. Catalogued items are rewritten or removed by the
    visibility rule; every other page of the subtree (columns, the home page) gets outbox events
    too, so static output rewrites or removes its files as well.
    """
    tenant = current_site()
    if tenant is None or tenant.is_template:
        return
    others = []
    for descendant in Page.objects.descendant_of(page, inclusive=True).specific():
        if type_name(descendant):
            if descendant.live:
                record_live(descendant, action=action)
            else:
                record_gone(descendant.pk, action=action)
        else:
            others.append(descendant.pk)
    for page_id in others:
        enqueue(tenant.code, page_id, action)


def record_page_change(page, action):
    """A page that is not catalogued (a column, a home page) changed: tell the outbox engines."""
    tenant = current_site()
    if tenant is not None and not tenant.is_template:
        enqueue(tenant.code, page.pk, action)


# --- Reconciling -------------------------------------------------------------------------------

COMPARED = ["title", "url", "summary", "body_text", "column_class", "validity", "index_number", "document_number"]


def reconcile_site(tenant, fix=True):
    """Compare the site's catalogue rows with its live pages; returns (missing, stale, extra) ids."""
    missing, stale, extra = [], [], []
    with schema_context(tenant.schema_name):
        live = {}
        for model in catalogue_models():
            for page in listed(model.objects):
                live[page.pk] = page
        rows = {row.page_id: row for row in CatalogueEntry.objects.filter(tenant=tenant)}
        for page_id, page in live.items():
            row = rows.get(page_id)
            if row is None:
                missing.append(page_id)
            else:
                expected = entry_values(page)
                if any(getattr(row, name) != expected[name] for name in COMPARED):
                    stale.append(page_id)
        extra = [page_id for page_id in rows if page_id not in live]
        if fix:
            connection.set_tenant(tenant)
            for page_id in missing + stale:
                record_live(live[page_id], action="reindex")
            for page_id in extra:
                record_gone(page_id, action="unpublish")
    return missing, stale, extra


def backoff(attempts):
    """Seconds before retry n: 10 s, 20 s, 40 s … capped at one hour."""
    return timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 3600))
