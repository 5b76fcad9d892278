"""Columns (栏目): list pages with pagination and an RSS feed each."""

from django.core.paginator import Paginator
from django.db import models
from django.http import HttpResponse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from .base import ColumnClass, SitePage

# The page types a column lists as its items (newest first).
ITEM_MODELS = ("cms.ArticlePage", "cms.DisclosureDocumentPage")


def item_models():
    from django.apps import apps

    return [apps.get_model(label) for label in ITEM_MODELS]


class ColumnPage(RoutablePageMixin, SitePage):
    """A column (栏目): lists the items under it, newest first, 20 to a page; ``feed/`` is its RSS."""

    PER_PAGE = 20
    FEED_SIZE = 20

    column_class = models.CharField(_("栏目类型"), max_length=20, choices=ColumnClass.choices)
    intro = models.TextField(_("栏目说明"), blank=True)

    ascii_item_slug = False  # standard slugs (gkxx, zwdt …) are set explicitly
    parent_page_types = ["cms.SiteHomePage", "cms.ColumnPage", "cms.TopicPage"]
    subpage_types = [
        "cms.ColumnPage",
        "cms.ArticlePage",
        "cms.DisclosureDocumentPage",
        "cms.DisclosureCatalogPage",
        "cms.AnnualReportIndexPage",
        "cms.InformationPage",
        "cms.LeaderPage",
        "cms.ServicePage",
        "cms.TopicPage",
    ]

    content_panels = SitePage.content_panels + [FieldPanel("column_class"), FieldPanel("intro")]

    class Meta:
        verbose_name = _("栏目")
        verbose_name_plural = _("栏目")

    def items(self):
        """Live, public articles and disclosure documents anywhere under this column, newest first."""
        return (
            Page.objects.live()
            .public()
            .descendant_of(self)
            .type(*item_models())
            .order_by("-first_published_at", "-pk")
            .specific()
        )

    def list_template(self):
        """47号: every column of the same class uses the same list template."""
        return f"cms/lists/{self.column_class or ColumnClass.NEWS}.html"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["subcolumns"] = self.get_children().live().type(ColumnPage)
        # Static, leader and service pages are shown as this column's content, in tree order.
        context["children"] = self.get_children().live().not_type(ColumnPage, *item_models()).specific()
        paginator = Paginator(self.items(), self.PER_PAGE)
        context["page_obj"] = paginator.get_page(request.GET.get("page"))
        context["items"] = context["page_obj"].object_list
        context["list_template"] = self.list_template()
        return context

    @path("feed/", name="feed")
    def feed(self, request):
        site = request.tenant if hasattr(request, "tenant") else None
        site_name = getattr(site, "name", "")
        feed = Rss201rev2Feed(
            title=f"{site_name} - {self.title}",
            link=self.get_full_url(request),
            description=self.intro or f"{site_name}{self.title}栏目的最新信息",
            language="zh-cn",
        )
        for item in self.items()[: self.FEED_SIZE]:
            feed.add_item(
                title=item.title,
                link=item.get_full_url(request),
                description=getattr(item, "summary", "") or "",
                pubdate=item.first_published_at,
                unique_id=item.get_full_url(request),
            )
        response = HttpResponse(content_type="application/rss+xml; charset=utf-8")
        feed.write(response, "utf-8")
        return response
