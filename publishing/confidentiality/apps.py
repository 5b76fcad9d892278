from django.apps import AppConfig


class ConfidentialityConfig(AppConfig):
    """保密检查: the scan engine, its rules, attachment reading and the cluster's word lists.

    A shared app (public schema): the web office keeps one set of word lists for every site. Its
    label stays ``publishing`` (the label of the package it grew out of), so its tables and its
    migration history are those of earlier releases and an upgrade moves no data.
    """

    name = "publishing.confidentiality"
    label = "publishing"
    verbose_name = "保密检查与敏感词库"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signal_handlers  # noqa: F401
