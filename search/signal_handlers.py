"""The PostgreSQL index follows the catalogue inside the publishing transaction."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from publishing.catalogue.services import catalogue_changed

from .backends import configured_backends, get_backend
from .models import SynonymGroup
from .query import forget_synonyms

post_save.connect(forget_synonyms, sender=SynonymGroup, dispatch_uid="search_forget_synonyms_save")
post_delete.connect(forget_synonyms, sender=SynonymGroup, dispatch_uid="search_forget_synonyms_delete")


@receiver(catalogue_changed)
def update_search_document(sender, tenant, page_id, entry, action, **kwargs):
    # A removed item's catalogue row is deleted in this transaction and its search row with it
    # (Django cascades the delete), so only live rows need writing here.
    if entry is None:
        return
    for name, config in configured_backends().items():
        if config.get("BACKEND", "").endswith("PostgresSearchBackend"):
            get_backend(name).index_entries([entry])
