from django.apps import AppConfig


class ChecksConfig(AppConfig):
    """监管: each site checked the way the national inspector (国办秘函〔2019〕19号) will, scored and alarmed."""

    name = "supervision.checks"
    label = "supervision"
    verbose_name = "网站监管"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signal_handlers

        signal_handlers.register()
