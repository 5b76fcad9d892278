"""CAS login on every site host, matched before Wagtail's admin URLs (cms/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("admin/login/cas/", views.start, name="cas_login"),
    path("admin/login/cas/callback/", views.callback, name="cas_callback"),
]
