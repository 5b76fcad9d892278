"""The public URL of 哀悼模式: the stylesheet every page links (themes/mourning.py)."""

from django.urls import path

from .mourning_views import stylesheet

urlpatterns = [path("mourning.css", stylesheet, name="mourning_css")]
