"""Keep the catalogue in step with every publish, unpublish, move and delete, in the same transaction."""

from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import services


@receiver(page_published)
def on_published(sender, instance, **kwargs):
    services.record_live(instance, action="publish")


@receiver(page_unpublished)
def on_unpublished(sender, instance, **kwargs):
    if services.type_name(instance.specific_class or type(instance)):
        services.record_gone(instance.pk, action="unpublish")


@receiver(post_page_move)
def on_moved(sender, instance, **kwargs):
    services.record_subtree(instance, action="move")


@receiver(post_delete, sender=Page)
def on_deleted(sender, instance, **kwargs):
    services.record_gone(instance.pk, action="delete")
