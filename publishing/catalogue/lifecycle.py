"""A restored site's catalogue entries (``sites.signals.site_restored``), connected from ``CatalogueConfig.ready()``."""

from sites.models import Tenant
from sites.signals import site_restored

from .services import reconcile_site


def on_site_restored(sender, tenant, **kwargs):
    reconcile_site(tenant, fix=True)


def register_signal_handlers():
    site_restored.connect(on_site_restored, sender=Tenant, dispatch_uid="catalogue-reconcile-restored")
