"""统一身份认证 on every site host, matched before Wagtail's admin URLs (cms/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("admin/login/oidc/", views.start, name="oidc_login"),
    path("admin/login/oidc/callback/", views.callback, name="oidc_callback"),
    path("admin/login/oidc/no-role/", views.no_role, name="oidc_no_role"),
    # Wagtail's logout, then the provider's (RP-initiated logout). Wagtail's URL name, so that
    # sites.middleware.LogoutConfirmationMiddleware still lets only a POST reach it.
    path("admin/logout/", views.logout, name="wagtailadmin_logout"),
]
