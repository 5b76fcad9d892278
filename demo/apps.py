from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo cluster a newcomer clicks through (``seed_demo``, ``cluster_info``); no models."""

    name = "demo"
    label = "demo"
    verbose_name = "演示站群"
