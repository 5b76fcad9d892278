from django.apps import AppConfig


class OidcConfig(AppConfig):
    name = "sites.oidc"
    label = "sites_oidc"
    verbose_name = "统一身份认证"
    default_auto_field = "django.db.models.BigAutoField"
