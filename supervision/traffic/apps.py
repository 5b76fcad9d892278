from django.apps import AppConfig


class TrafficConfig(AppConfig):
    """访问量 from the access logs of nginx and gunicorn: page views and unique visitors per site and day."""

    name = "supervision.traffic"
    label = "supervision_traffic"
    verbose_name = "访问统计"
    default_auto_field = "django.db.models.BigAutoField"
