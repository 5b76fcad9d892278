"""Sanitise every HTML that comes from people, whatever path a page takes (admin, command, script).

* pre_save of a page: its rich text fields and HTML blocks (drafts and publishing alike).
* pre_save of a revision: the HTML in its content (a live page's edits exist only there, and
  previews render revisions).
"""

from django.db.models.signals import pre_save
from django.dispatch import receiver
from wagtail.models import Page, Revision

from . import sanitize


@receiver(pre_save, dispatch_uid="cms_page_sanitize")
def on_page_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not isinstance(instance, Page):
        return
    if update_fields is None or set(update_fields) & {field.name for field in sanitize.html_fields(sender)}:
        sanitize.sanitize_page(instance)


@receiver(pre_save, sender=Revision, dispatch_uid="cms_revision_sanitize")
def on_revision_pre_save(sender, instance, raw=False, **kwargs):
    if raw or not isinstance(instance.content, dict):
        return
    model = instance.content_type.model_class() if instance.content_type_id else None
    if model is not None and issubclass(model, Page):
        sanitize.sanitize_revision_content(model, instance.content)
