from django.apps import AppConfig


class CrawlerConfig(AppConfig):
    """Broken links and attachments, and the homepage availability probe, as a visitor meets them."""

    name = "supervision.crawler"
    label = "supervision_crawler"
    verbose_name = "链接与可用性检查"
    default_auto_field = "django.db.models.BigAutoField"
