from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = "网站主题"
    default_auto_field = "django.db.models.BigAutoField"
