"""The published answer: with the citizen's consent, the question and the approved reply become a
``ReplyPage`` in the 互动交流 column of the site written to, personal data removed.

The page is made and published in that site's schema, so the catalogue, the cross-site search,
the page cache and static output take it like any other item. A reply that passed review is not
sent through the page review chain a second time; the page-level scan still runs on publish and
refuses a classification mark (publishing/review signal handlers).
"""

import logging

from django.db import transaction
from django_tenants.utils import tenant_context
from wagtail.models import Page

from cms.models import ColumnClass, ColumnPage

from .crypto import mask_name
from .models import Message

logger = logging.getLogger(__name__)

INTERACTION_SLUG = "hdjl"


def interaction_column():
    """The site's 互动交流 column (the standard slug first, else the first column of its class)."""
    columns = ColumnPage.objects.filter(column_class=ColumnClass.INTERACTION)
    return columns.filter(slug=INTERACTION_SLUG).first() or columns.order_by("path").first()


def public_text(text):
    from .services import masked_text

    return masked_text(text)


def publish_answer(message, reply):
    from interaction.pages.models import ReplyPage

    with tenant_context(message.tenant):
        column = interaction_column()
        if column is None:
            logger.warning("site %s has no 互动交流 column: answer %s not published", message.tenant.code, message.code)
            return None
        with transaction.atomic():
            page = ReplyPage(
                # Everything on the page is public text (catalogue, search, static files): the
                # citizen's own words lose their personal data, the title as much as the body.
                title=public_text(message.subject),
                kind=message.get_kind_display(),
                question=public_text(message.body),
                asker=mask_name(message.name),
                asked_at=message.received_at,
                answer=public_text(reply.text),
                answered_by=reply.answered_by,
                answered_at=reply.reviewed_at or message.answered_at,
            )
            column.add_child(instance=page)
            page.save_revision().publish()
            Message.objects.filter(pk=message.pk).update(published_page_id=page.pk)
    message.published_page_id = page.pk
    return page


def withdraw_answer(message):
    if not message.published_page_id:
        return
    with tenant_context(message.tenant):
        page = Page.objects.filter(pk=message.published_page_id).first()
        if page is not None and page.live:
            page.specific.unpublish()
    Message.objects.filter(pk=message.pk).update(published_page_id=None)
    message.published_page_id = None
