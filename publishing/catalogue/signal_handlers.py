"""Keep the catalogue in step with every publish, unpublish, move and delete, in the same transaction."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import services


@receiver(page_published)
def on_published(sender, instance, **kwargs):
    services.record_live(instance, action="publish")


@receiver(page_unpublished)
def on_unpublished(sender, instance, **kwargs):
    if services.type_name(instance.specific_class or type(instance)):
        services.record_gone(instance.pk, action="unpublish")
    else:
        services.record_page_change(instance, action="unpublish")


@receiver(post_page_move)
def on_moved(sender, instance, **kwargs):
    services.record_subtree(instance, action="move")


@receiver(post_delete, sender=Page)
def on_deleted(sender, instance, **kwargs):
    services.record_gone(instance.pk, action="delete")


@receiver(post_save, sender=PageViewRestriction, dispatch_uid="catalogue_restriction_saved")
@receiver(post_delete, sender=PageViewRestriction, dispatch_uid="catalogue_restriction_deleted")
def on_restriction_changed(sender, instance, **kwargs):
    # A restriction hides the page and its whole subtree from the public (cms.visibility); lifting
    # it shows them again. Both are re-recorded at once, in the transaction that changed it.
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        services.record_subtree(page, action="restrict")
