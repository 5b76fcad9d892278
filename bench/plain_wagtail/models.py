"""Three page types, shaped like the cluster's: a home page, columns and articles."""

from django.db import models
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    sponsor = models.CharField(max_length=100, blank=True)
    site_identifier = models.CharField(max_length=20, blank=True)
    icp_number = models.CharField(max_length=50, blank=True)


class ColumnPage(Page):
    pass


class ArticlePage(Page):
    subtitle = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=100, blank=True)
    author = models.CharField(max_length=50, blank=True)
    summary = models.TextField(blank=True)
    body = RichTextField(blank=True)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The same look-ups as the cluster's SitePage.get_context (cms/models/base.py).
        home = Page.objects.ancestor_of(self).filter(depth=2).first()
        context["site_home"] = home.specific if home else None
        context["nav_columns"] = home.get_children().live().in_menu() if home else []
        context["nav_active_path"] = self.path[: Page.steplen * 3] if self.depth >= 3 else ""
        context["breadcrumbs"] = self.get_ancestors().filter(depth__gt=1) if self.depth > 2 else []
        return context
