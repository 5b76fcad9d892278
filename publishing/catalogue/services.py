"""Writing the catalogue from pages, and queueing the change for non-transactional engines."""

from __future__ import annotations

import html
import logging
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.html import strip_tags

from sites.access import current_site

from .models import CatalogueEntry, OutboxEvent

logger = logging.getLogger(__name__)

# Sent inside the publishing transaction with (tenant, page_id, entry or None, action); the
# PostgreSQL search index listens here so it is never out of step with the catalogue.
catalogue_changed = Signal()

# Page type → short type name in the catalogue, search filters and the API.
DEFAULT_TYPES = {
    "cms.ArticlePage": "article",
    "cms.DisclosureDocumentPage": "disclosure",
    "cms.InformationPage": "information",
    "cms.LeaderPage": "leader",
    "cms.ServicePage": "service",
    "cms.TopicPage": "topic",
}
DISCLOSURE_FIELDS = [
    "index_number",
    "document_number",
    "publisher",
    "written_date",
    "topic_category",
    "genre",
    "keywords",
    "validity",
]


def catalogue_types():
    return getattr(settings, "CMS_CATALOGUE_TYPES", DEFAULT_TYPES)


def type_name(page_or_class):
    model = page_or_class if isinstance(page_or_class, type) else type(page_or_class)
    return catalogue_types().get(model._meta.label)


def catalogue_models():
    return [apps.get_model(label) for label in catalogue_types()]


# --- Extracting a row from a page --------------------------------------------------------------


def _text_of(field, value):
    from wagtail.fields import RichTextField, StreamField

    if value in (None, ""):
        return ""
    if isinstance(field, StreamField):
        return " ".join(strip_tags(str(part)) for part in field.stream_block.get_searchable_content(value))
    if isinstance(field, RichTextField):
        return html.unescape(strip_tags(value))
    return str(value)


def page_text(page):
    """Plain text of every own text field of the page (title excluded), in field order."""
    from wagtail.fields import RichTextField, StreamField
    from wagtail.models import Page

    parts = []
    for field in page._meta.concrete_fields:
        if field.model is Page or field.choices or field.name in DISCLOSURE_FIELDS:
            continue
        if isinstance(field, (RichTextField, StreamField)) or isinstance(field, (models.CharField, models.TextField)):
            text = _text_of(field, getattr(page, field.name))
            if text.strip():
                parts.append(text.strip())
    return "\n".join(parts)


def _thumbnail(page):
    for field in page._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and field.related_model._meta.label == "wagtailimages.Image":
            image = getattr(page, field.name)
            if image is not None:
                try:
                    return image.get_rendition("fill-320x200").url
                except Exception:  # noqa: BLE001 - a broken image file must not block publishing
                    logger.warning("no thumbnail for page %s", page.pk, exc_info=True)
    return ""


def _column(page):
    for ancestor in page.get_ancestors().specific().order_by("-depth"):
        if getattr(ancestor, "column_class", None):
            return ancestor
    return None


def entry_values(page):
    """The catalogue row of a live page, as field values."""
    page = page.specific
    body = page_text(page)
    summary = getattr(page, "summary", "") or page.search_description or body[:120]
    column = _column(page)
    values = {
        "content_type": type_name(page),
        "content_type_label": str(page._meta.verbose_name),
        "column_class": column.column_class if column else "",
        "column_title": column.title if column else "",
        "url": page.get_full_url() or "",
        "title": page.title,
        "summary": summary[:1000],
        "body_text": body,
        "published_at": page.first_published_at or timezone.now(),
        "last_published_at": page.last_published_at,
        "thumbnail_url": _thumbnail(page),
    }
    for name in DISCLOSURE_FIELDS:
        value = getattr(page, name, None)
        values[name] = value if value is not None else ("" if name != "written_date" else None)
    if values["content_type"] == "disclosure":
        # 有效性 is stored once, outside the page (design §2); the row carries a copy of the store.
        from publishing.syndication import validity

        values["validity"] = validity.settle(current_site(), page)
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
    """Write (or rewrite) the row of a live page; called inside the publish transaction."""
    tenant = current_site()
    if type_name(page) is None or tenant is None or tenant.is_template:
        return None
    from cms.visibility import is_listed

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
    from wagtail.models import Page

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
    from django_tenants.utils import schema_context

    from cms.visibility import listed

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
