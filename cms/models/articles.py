"""Articles: news, work updates and notices (新闻、动态、通知公告)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from ..blocks import ATTACHMENT_BLOCKS
from .base import ColumnClass, SitePage


class ArticlePage(SitePage):
    catalogue_type = "article"
    column_item = True

    subtitle = models.CharField(_("副标题"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    author = models.CharField(_("作者"), max_length=50, blank=True)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("题图"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.TextField(_("摘要"), blank=True)
    body = RichTextField(_("正文"), blank=True)
    attachments = StreamField(ATTACHMENT_BLOCKS, verbose_name=_("附件"), blank=True)

    parent_page_types = ["cms.ColumnPage", "cms.TopicPage"]
    # 动态, 通知公告, 政策解读 and 互动交流 (在线访谈, 征集结果): not a disclosure column, whose items
    # carry a 索引号 (cms.structure).
    column_classes = (ColumnClass.NEWS, ColumnClass.NOTICE, ColumnClass.POLICY, ColumnClass.INTERACTION)
    subpage_types = []

    content_panels = SitePage.content_panels + [
        FieldPanel("subtitle"),
        MultiFieldPanel([FieldPanel("source"), FieldPanel("author")], heading=_("来源与作者")),
        FieldPanel("cover_image"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("attachments"),
    ]
    # Editors never set the shown publish time: it is the real first publish time (19号 veto item).
    settings_panels = [FieldPanel("go_live_at"), FieldPanel("expire_at")]

    search_fields = SitePage.search_fields + [index.SearchField("summary"), index.SearchField("body")]

    class Meta:
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
