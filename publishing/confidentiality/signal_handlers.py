"""Keep word-list versions honest: any saved or deleted entry invalidates the cached automatons."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import WordEntry, WordList


@receiver(post_save, sender=WordEntry, dispatch_uid="publishing_word_entry_saved")
@receiver(post_delete, sender=WordEntry, dispatch_uid="publishing_word_entry_deleted")
def bump_word_list_version(sender, instance, **kwargs):
    # An UPDATE of the list row rather than word_list.save(): it fires no further signals and a
    # concurrent bump by another process is not lost.
    WordList(pk=instance.word_list_id).bump_version()
