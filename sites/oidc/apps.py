from django.apps import AppConfig


class OidcConfig(AppConfig):
    name = "sites.oidc"
    label = "sites_oidc"
    verbose_name = "统一身份认证"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .backchannel import link_provider_session

        user_logged_in.connect(link_provider_session, dispatch_uid="sites_oidc_link_provider_session")
