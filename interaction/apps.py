from django.apps import AppConfig


class InteractionConfig(AppConfig):
    """互动交流 and 依申请公开: what citizens write in, and the site's answers on the legal clock."""

    name = "interaction"
    label = "interaction"
    verbose_name = "互动交流"
    default_auto_field = "django.db.models.BigAutoField"
