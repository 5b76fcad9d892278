from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    """The cluster catalogue: one row per live item of every site, and the outbox (public schema)."""

    name = "publishing.catalogue"
    label = "catalogue"
    verbose_name = "站群目录"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import lifecycle, signal_handlers  # noqa: F401

        lifecycle.register_signal_handlers()  # a restored site's catalogue entries
