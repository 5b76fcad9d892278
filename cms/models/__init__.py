"""Core content types of every site: the site home, columns (栏目) and articles."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class ColumnClass(models.TextChoices):
    """The class of a column picks its list template and its freshness rule (19号)."""

    NEWS = "news", _("动态类")
    NOTICE = "notice", _("通知公告类")
    POLICY = "policy", _("政策文件类")
    DISCLOSURE = "disclosure", _("信息公开类")
    SERVICE = "service", _("办事服务类")
    INTERACTION = "interaction", _("互动交流类")
    STATIC = "static", _("静态信息类")


class SiteHomePage(Page):
    """The home page of one site; its children are the site's first-level columns."""

    intro = models.TextField(_("网站简介"), blank=True)

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.ColumnPage"]
    max_count_per_parent = 1

    content_panels = Page.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("网站首页")
        verbose_name_plural = _("网站首页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["columns"] = self.get_children().live().in_menu().specific()
        context["latest"] = ArticlePage.objects.live().descendant_of(self).order_by("-first_published_at")[:10]
        return context


class ColumnPage(Page):
    """A column (栏目): lists the items under it, newest first."""

    column_class = models.CharField(_("栏目类型"), max_length=20, choices=ColumnClass.choices)
    intro = models.TextField(_("栏目说明"), blank=True)

    parent_page_types = ["cms.SiteHomePage", "cms.ColumnPage"]
    subpage_types = ["cms.ColumnPage", "cms.ArticlePage"]

    content_panels = Page.content_panels + [FieldPanel("column_class"), FieldPanel("intro")]

    class Meta:
        verbose_name = _("栏目")
        verbose_name_plural = _("栏目")

    def items(self):
        return ArticlePage.objects.live().descendant_of(self).order_by("-first_published_at")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["subcolumns"] = self.get_children().live().specific()
        context["items"] = self.items()[:20]
        return context


class ArticlePage(Page):
    """News, work updates and notices (新闻、动态、通知公告)."""

    subtitle = models.CharField(_("副标题"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    author = models.CharField(_("作者"), max_length=50, blank=True)
    summary = models.TextField(_("摘要"), blank=True)
    body = RichTextField(_("正文"), blank=True)

    parent_page_types = ["cms.ColumnPage"]
    subpage_types = []

    content_panels = Page.content_panels + [
        FieldPanel("subtitle"),
        MultiFieldPanel([FieldPanel("source"), FieldPanel("author")], heading=_("来源与作者")),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    # Editors never set the shown publish time: it is the real first publish time (19号 veto item).
    settings_panels = [FieldPanel("go_live_at"), FieldPanel("expire_at")]

    class Meta:
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
