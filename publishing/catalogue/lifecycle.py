"""A restored site's catalogue entries (``sites.signals.site_restored``), and a site's static
files written again when its look changed (``themes.signals.site_look_changed``), connected from
``CatalogueConfig.ready()``."""

from sites.models import Tenant
from sites.signals import site_restored
from themes.signals import site_look_changed

from .services import reconcile_site
from .static_output import enqueue_site_export


def on_site_restored(sender, tenant, **kwargs):
    reconcile_site(tenant, fix=True)


def on_site_look_changed(sender, tenant, **kwargs):
    enqueue_site_export(tenant)


def register_signal_handlers():
    site_restored.connect(on_site_restored, sender=Tenant, dispatch_uid="catalogue-reconcile-restored")
    site_look_changed.connect(on_site_look_changed, sender=Tenant, dispatch_uid="catalogue-static-restyled")
