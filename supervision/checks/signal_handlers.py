"""A change of the word list re-scans live content (after the commit, so the scan sees it)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import WordingEntry


def _rescan(**kwargs):
    from .services import rescan_wording

    transaction.on_commit(rescan_wording)


def register():
    post_save.connect(_rescan, sender=WordingEntry, dispatch_uid="supervision_wording_saved")
    post_delete.connect(_rescan, sender=WordingEntry, dispatch_uid="supervision_wording_deleted")
