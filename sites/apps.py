from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = "站点与用户"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Here, not at the top: both modules use models, which exist only once the registry is ready.
        from . import signal_handlers  # noqa: F401
        from .auth import scope_wagtail_permission_caches

        scope_wagtail_permission_caches()
