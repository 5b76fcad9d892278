"""The login steps, on every site host under /admin/login/ (matched before Wagtail's admin URLs)."""

from django.urls import path

from . import views

urlpatterns = [
    path("admin/login/", views.LoginView.as_view(), name="policy_login"),
    path("admin/login/mfa/", views.verify, name="policy_mfa_verify"),
    path("admin/login/mfa/enrol/", views.enrol, name="policy_mfa_enrol"),
    path("admin/login/mfa/recovery-codes/", views.recovery_codes, name="policy_mfa_recovery_codes"),
    path("admin/login/password/", views.change_password, name="policy_change_password"),
]
