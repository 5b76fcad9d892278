from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Cross-site search over the cluster catalogue (public schema)."""

    name = "search"
    verbose_name = "站群搜索"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signal_handlers  # noqa: F401
