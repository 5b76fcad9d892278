"""Signals that hold whatever path a page takes: the admin, a command, the worker, a script.

* pre_save of a page: refuse to make a revision live whose scan blocks it (涉密信息不上网 — not
  even the web office, not even a scheduled publication). Sanitising is the content's own
  receiver (cms/signal_handlers.py), connected first.
* post_save of a page's latest revision (``save_revision``): an edit in review restarts the chain.
"""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from wagtail.models import Page, Revision

from . import chain, scanning


@receiver(pre_save, dispatch_uid="review_page_pre_save")
def on_page_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not isinstance(instance, Page):
        return
    refuse_blocked_publication(instance, update_fields)


def refuse_blocked_publication(page, update_fields=None):
    if not page.live or not page.live_revision_id:
        return
    if update_fields is not None and not {"live", "live_revision"} & set(update_fields):
        return
    stored = Page.objects.filter(pk=page.pk).values_list("live", "live_revision_id").first()
    if stored == (True, page.live_revision_id):
        return  # already live with this revision: not a publication
    revision = Revision.objects.get(pk=page.live_revision_id)
    if scanning.report_for(revision).is_blocking:
        raise chain.PublishBlocked(f"“{page.title}”的保密检查结论为禁止发布（涉密信息不上网），任何人都不能发布。")


@receiver(post_save, dispatch_uid="review_page_post_save")
def on_page_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not isinstance(instance, Page) or not update_fields or "latest_revision" not in update_fields:
        return
    chain.restart_after_edit(instance)
