from django.apps import AppConfig


class ImportingConfig(AppConfig):
    """Moving an old site's content in (``import_content``): read, sanitise, scan, save as drafts or pages."""

    name = "publishing.importing"
    label = "importing"
    verbose_name = "旧站内容导入"
