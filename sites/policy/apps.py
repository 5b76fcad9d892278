from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "sites.policy"
    label = "sites_policy"
    verbose_name = "登录规则"
    default_auto_field = "django.db.models.BigAutoField"
