"""Columns (栏目): list pages with pagination and an RSS feed each."""

from django.apps import apps
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpResponse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from sites.access import current_site
from themes.resolver import column_layout

from ..visibility import listed
from .base import ColumnClass, SitePage
from .extensions import COLUMN_LISTING, COLUMN_SERVICES, all_answers, first_answer
from .information import InformationPage


def item_models():
    """The page types a column lists as its items (newest first): every page type that declares
    ``column_item = True`` (articles, disclosure documents, and those of apps above, such as the
    published answers of 互动交流), found in the app registry the way the catalogue finds its types."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, Page) and not model._meta.abstract and getattr(model, "column_item", False)
    ]


class AggregateSource(models.TextChoices):
    """Which other sites' items a column lists (portal aggregation, publishing.syndication)."""

    NONE = "", _("不汇聚其他站点")
    DEPARTMENTS = "departments", _("下级部门网站")
    COUNTIES = "counties", _("下级县（市、区）门户")
    CHILDREN = "children", _("全部下级站点")


class ColumnPage(RoutablePageMixin, SitePage):
    """A column (栏目): lists the items under it, newest first, 20 to a page; ``feed/`` is its RSS."""

    PER_PAGE = 20
    FEED_SIZE = 20

    column_class = models.CharField(_("栏目类型"), max_length=20, choices=ColumnClass.choices)
    intro = models.TextField(_("栏目说明"), blank=True)
    # Portal aggregation (publishing.syndication, through the ``cms_column_listing`` hook): other
    # sites' items are read from the catalogue and link to the originals; nothing is copied here.
    aggregate_from = models.CharField(
        _("汇聚其他站点信息"), max_length=20, blank=True, default="", choices=AggregateSource.choices
    )
    aggregate_column_class = models.CharField(
        _("只汇聚此类栏目的信息"),
        max_length=20,
        blank=True,
        choices=ColumnClass.choices,
        help_text=_("留空则汇聚所有文章和公开文件"),
    )
    accepts_submissions = models.BooleanField(
        _("接受信息报送"), default=False, help_text=_("下级站点的编辑可以把已发布的信息报送到本栏目")
    )

    ascii_item_slug = False  # standard slugs (gkxx, zwdt …) are set explicitly
    structure = True  # in a column of any class, by the site admin and the web office (cms.structure)
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
    settings_panels = SitePage.settings_panels + [
        MultiFieldPanel(
            [FieldPanel("aggregate_from"), FieldPanel("aggregate_column_class"), FieldPanel("accepts_submissions")],
            heading=_("站群汇聚与信息报送"),
        )
    ]

    class Meta:
        verbose_name = _("栏目")
        verbose_name_plural = _("栏目")

    def items(self):
        """Live, public articles and disclosure documents anywhere under this column, newest first."""
        return (
            listed(Page.objects)
            .descendant_of(self)
            .type(*item_models())
            .order_by("-first_published_at", "-pk")
            .specific()
        )

    def listing(self):
        """What the column shows, newest first; slice it, or give it to a Paginator. ``items()``,
        unless an app extends it (hook ``cms_column_listing``, cms.models.extensions): on a portal,
        merged with the other sites' items it aggregates or adopted (publishing.syndication)."""
        listing = first_answer(COLUMN_LISTING, self, current_site())
        return self.items() if listing is None else listing

    def list_template(self):
        """47号: every column of the same class uses the same list template."""
        return f"cms/lists/{self.column_class or ColumnClass.NEWS}.html"

    # Columns whose content may be one page rather than a list (公开指南, 公开制度, 依申请公开, 概况信息,
    # 机构职能 …). News, notice and policy columns never: 19号 counts them by their items.
    LEAD_PAGE_CLASSES = (ColumnClass.DISCLOSURE, ColumnClass.STATIC, ColumnClass.SERVICE)

    def lead_page(self, children, subcolumns, page_obj):
        """The information page this column *is*, shown in its place: the column's only public
        child page when it is an information page and the column lists no items and no
        sub-columns (a guide page is a page, not an empty document list with a link under it).
        ``children`` and ``subcolumns`` are the public ones (``listed``); None otherwise."""
        if (self.column_class or ColumnClass.NEWS) not in self.LEAD_PAGE_CLASSES:
            return None
        if page_obj.paginator.count or subcolumns.exists():
            return None
        children = list(children[:2])
        if len(children) == 1 and isinstance(children[0], InformationPage):
            return children[0]
        return None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["subcolumns"] = listed(self.get_children()).type(ColumnPage)
        # Static, leader and service pages are shown as this column's content, in tree order.
        context["children"] = listed(self.get_children()).not_type(ColumnPage, *item_models()).specific()
        # The theme version's layout for this column class (themes.layouts): how many to a page.
        context["list_layout"] = column_layout(context.get("theme"), self.column_class or ColumnClass.NEWS)
        per_page = context["list_layout"].per_page if context["list_layout"] else self.PER_PAGE
        paginator = Paginator(self.listing(), per_page)
        context["page_obj"] = paginator.get_page(request.GET.get("page"))
        context["items"] = context["page_obj"].object_list
        context["lead_page"] = self.lead_page(context["children"], context["subcolumns"], context["page_obj"])
        if context["lead_page"] is not None:
            context["children"] = []
        context["list_template"] = self.list_template()
        # Online services of apps above cms (hook ``cms_column_services``): 写信, 查询, 依申请公开.
        context["services"] = all_answers(COLUMN_SERVICES, self, request)
        return context

    @path("feed/", name="feed")
    def feed(self, request):
        """RSS 2.0 of what the column's page lists (``listing()``: aggregated and adopted items of
        other sites included), newest first; every link absolute, on the port readers use."""
        site = request.tenant if hasattr(request, "tenant") else None
        site_name = getattr(site, "name", "")
        feed = Rss201rev2Feed(
            title=f"{site_name} - {self.title}",
            link=self.absolute_url(request),
            description=self.intro or f"{site_name}{self.title}栏目的最新信息",
            language="zh-cn",
        )
        for item in self.listing()[: self.FEED_SIZE]:
            link = item.absolute_url(request)
            feed.add_item(
                title=item.title,
                link=link,
                description=getattr(item, "summary", "") or "",
                pubdate=item.first_published_at,
                unique_id=link,
                author_name=getattr(item, "source_site", "") or None,
            )
        response = HttpResponse(content_type="application/rss+xml; charset=utf-8")
        feed.write(response, "utf-8")
        return response
