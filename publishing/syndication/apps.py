from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    """信息报送, portal aggregation and the one store of 有效性 (public schema: they span sites)."""

    name = "publishing.syndication"
    label = "syndication"
    verbose_name = "信息报送"
    default_auto_field = "django.db.models.BigAutoField"
