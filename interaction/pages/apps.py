from django.apps import AppConfig


class InteractionPagesConfig(AppConfig):
    """The content side of 互动交流, in each site's schema: published answers, consultations, surveys."""

    name = "interaction.pages"
    label = "interaction_pages"
    verbose_name = "互动交流栏目内容"
    default_auto_field = "django.db.models.BigAutoField"
