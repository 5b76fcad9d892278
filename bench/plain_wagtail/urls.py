"""URLs of the plain Wagtail baseline: Wagtail's page serving, as in ``wagtail start``."""

from django.urls import include, path
from wagtail import urls as wagtail_urls

urlpatterns = [path("", include(wagtail_urls))]
