"""The search API, mounted at /api/search/ on every host (site hosts and the public host)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.api_search, name="search_api"),
    path("suggest/", views.api_suggest, name="search_suggest"),
]
