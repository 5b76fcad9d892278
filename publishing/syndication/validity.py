"""有效性 stored once (design §2, 统一信息资源库): one public-schema row per document.

A pilot failed because a document shown on several sites showed different statuses. Here the
status lives in ``DocumentValidity`` only; the document page, every listing (its own site's and
the portal's aggregated ones) and the catalogue/search projection read or are written from it,
and it changes only through ``change_validity``.

Before a document is first published, the editor's choice on the page is its initial status;
the first publish settles it into the store, after which the page field is ignored.

The content types know nothing of this module: they ask through the hooks they declare
(cms.models.extensions), registered in wagtail_hooks.py: ``cms_document_validity`` is
``statuses`` and ``cms_settle_document_validity`` is ``settle``.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from cms.models.disclosure import Validity
from publishing.catalogue import services as catalogue
from serving import pagecache
from sites import audit
from sites.access import current_site, is_web_office
from sites.models import Role

from .models import DocumentValidity
from .permissions import roles_on


class ValidityError(Exception):
    """A change that is not allowed; the message is for people."""


def validity_choices():
    return Validity.choices


def validity_label(value):
    return dict(validity_choices()).get(value, value or "")


def settle(tenant, page):
    """The stored status of a live document; creates the row from the page on first publish."""
    if tenant is None or page.pk is None:
        return page.validity
    record, _created = DocumentValidity.objects.get_or_create(
        tenant=tenant,
        page_id=page.pk,
        defaults={"validity": page.validity, "index_number": page.index_number or ""},
    )
    if page.index_number and record.index_number != page.index_number:
        record.index_number = page.index_number
        record.save(update_fields=["index_number"])
    return record.validity


def stored(tenant, page_ids):
    """{page id: status} for documents of ``tenant`` that have a stored status."""
    return dict(
        DocumentValidity.objects.filter(tenant=tenant, page_id__in=list(page_ids)).values_list("page_id", "validity")
    )


def statuses(pages):
    """{page id: status} of the stored documents among ``pages`` (DisclosureDocumentPages of the
    current schema), in one query; what ``current_validity`` and listings show."""
    tenant = current_site()
    if tenant is None:
        return {}
    return stored(tenant, [page.pk for page in pages if page.pk is not None])


def can_change(user, tenant):
    """The document's own site's editors and site admins, and the web office."""
    if is_web_office(user):
        return True
    return bool(roles_on(user, tenant) & {Role.EDITOR, Role.SITE_ADMIN})


@transaction.atomic
def change_validity(page, validity, *, actor, reason="", request=None):
    """Change a live document's 有效性 everywhere at once.

    Writes the store and has the catalogue rewrite the document's row (it then tells the search
    index through ``catalogue_changed`` and the non-transactional engines through the outbox),
    writes the audit log, and purges the page caches of the document's site and of its parent
    portal, whose aggregated listings show it.
    """
    tenant = current_site()
    if tenant is None or connection.schema_name == "public":
        raise ValidityError(str(_("只能在文件所属站点上变更有效性。")))
    if validity not in dict(validity_choices()):
        raise ValidityError(str(_("未知的有效性：%(value)s")) % {"value": validity})
    if actor is not None and not can_change(actor, tenant):
        raise ValidityError(str(_("只有本站编辑、站点管理员或网站办可以变更文件的有效性。")))
    page = page.specific
    if not page.live or not page.index_number:
        raise ValidityError(str(_("只有已发布的文件才能变更有效性。")))
    record, _created = DocumentValidity.objects.select_for_update().get_or_create(
        tenant=tenant, page_id=page.pk, defaults={"validity": page.validity, "index_number": page.index_number}
    )
    before = record.validity
    record.validity = validity
    record.index_number = page.index_number
    record.changed_by = actor
    record.save()
    # The page's own column and its latest revision follow, so the edit form and Wagtail's admin
    # filters do not contradict the store; nothing reads them for display.
    type(page).objects.filter(pk=page.pk).update(validity=validity)
    revision = page.latest_revision
    if revision is not None and isinstance(revision.content, dict):
        revision.content["validity"] = validity
        revision.save(update_fields=["content"])
    page.__dict__.pop("current_validity", None)  # read the store again
    catalogue.record_live(page, action="validity")
    audit.record(
        "validity_changed",
        actor=actor,
        tenant_code=tenant.code,
        target=f"{page.index_number} {page.title}"[:200],
        request=request,
        page_id=page.pk,
        before=before,
        after=validity,
        reason=reason,
    )
    pagecache.purge_site(tenant)
    return record
