from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """政府网站工作年度报表 (国办函〔2018〕12号) and the publishing figures (发稿量) it is built from."""

    name = "supervision.reports"
    label = "supervision_reports"
    verbose_name = "网站年度报表"
    default_auto_field = "django.db.models.BigAutoField"
