"""Static information (概况信息, 机构职能), leader profiles, service guides and special topics."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from ..blocks import ATTACHMENT_BLOCKS, TOPIC_BLOCKS
from .base import ColumnClass, SitePage


class InformationPage(SitePage):
    """A static information page: 概况信息, 机构职能, 政府信息公开指南 and the like."""

    catalogue_type = "information"

    body = RichTextField(_("正文"), blank=True)
    attachments = StreamField(ATTACHMENT_BLOCKS, verbose_name=_("附件"), blank=True)

    parent_page_types = ["cms.SiteHomePage", "cms.ColumnPage", "cms.TopicPage"]
    subpage_types = []
    # 概况信息, 政府信息公开指南/制度, 办事指南 and 互动交流 notes (cms.structure).
    column_classes = (ColumnClass.STATIC, ColumnClass.DISCLOSURE, ColumnClass.SERVICE, ColumnClass.INTERACTION)
    content_panels = SitePage.content_panels + [FieldPanel("body"), FieldPanel("attachments")]
    search_fields = SitePage.search_fields + [index.SearchField("body")]

    class Meta:
        verbose_name = _("信息页")
        verbose_name_plural = _("信息页")


class LeaderPage(SitePage):
    """负责人信息: one leader, with photo, post and responsibilities. The page title is the name."""

    catalogue_type = "leader"

    position = models.CharField(_("职务"), max_length=100)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("照片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responsibilities = models.TextField(_("工作分工"))
    resume = RichTextField(_("简历"), blank=True)

    parent_page_types = ["cms.ColumnPage"]
    subpage_types = []
    column_classes = (ColumnClass.STATIC,)  # 负责人信息
    content_panels = [
        FieldPanel("title", heading=_("姓名")),
        FieldPanel("position"),
        FieldPanel("photo"),
        FieldPanel("responsibilities"),
        FieldPanel("resume"),
    ]
    search_fields = SitePage.search_fields + [index.SearchField("position"), index.SearchField("responsibilities")]

    class Meta:
        verbose_name = _("负责人")
        verbose_name_plural = _("负责人")


class ServicePage(SitePage):
    """办事服务: one service item with the elements of its 办事指南 and a link to where it is handled."""

    catalogue_type = "service"

    department = models.CharField(_("实施主体"), max_length=100)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    conditions = models.TextField(_("受理条件"), blank=True)
    materials = models.TextField(_("申请材料"), blank=True, help_text=_("每行一项"))
    procedure = models.TextField(_("办理流程"), blank=True, help_text=_("每行一个步骤"))
    time_limit = models.CharField(_("办理时限"), max_length=100, blank=True)
    fees = models.CharField(_("收费标准"), max_length=200, blank=True, default="不收费")
    location = models.CharField(_("办理地点"), max_length=200, blank=True)
    office_hours = models.CharField(_("办公时间"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=50, blank=True)
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=50, blank=True)
    online_url = models.URLField(_("网上办理地址"), blank=True, help_text=_("省政务服务平台上该事项的办理地址"))

    parent_page_types = ["cms.ColumnPage"]
    subpage_types = []
    column_classes = (ColumnClass.SERVICE,)
    content_panels = SitePage.content_panels + [
        FieldPanel("department"),
        FieldPanel("online_url"),
        MultiFieldPanel(
            [
                FieldPanel("legal_basis"),
                FieldPanel("conditions"),
                FieldPanel("materials"),
                FieldPanel("procedure"),
                FieldPanel("time_limit"),
                FieldPanel("fees"),
            ],
            heading=_("办事指南"),
        ),
        MultiFieldPanel(
            [FieldPanel("location"), FieldPanel("office_hours"), FieldPanel("phone"), FieldPanel("complaint_phone")],
            heading=_("办理地点与咨询"),
        ),
    ]
    search_fields = SitePage.search_fields + [index.SearchField("department"), index.SearchField("conditions")]

    class Meta:
        verbose_name = _("办事服务事项")
        verbose_name_plural = _("办事服务事项")

    def guide(self):
        """The 办事指南 elements in their usual order, skipping empty ones; lists split by line."""
        rows = [
            (_("实施主体"), self.department, False),
            (_("设定依据"), self.legal_basis, False),
            (_("受理条件"), self.conditions, False),
            (_("申请材料"), self.materials, True),
            (_("办理流程"), self.procedure, True),
            (_("办理时限"), self.time_limit, False),
            (_("收费标准"), self.fees, False),
            (_("办理地点"), self.location, False),
            (_("办公时间"), self.office_hours, False),
            (_("咨询电话"), self.phone, False),
            (_("监督投诉电话"), self.complaint_phone, False),
        ]
        return [
            (label, [line.strip() for line in value.splitlines() if line.strip()] if is_list else value, is_list)
            for label, value, is_list in rows
            if value
        ]


class TopicPage(SitePage):
    """专题: a special topic with its own banner and blocks; may hold its own columns and articles."""

    catalogue_type = "topic"

    intro = models.TextField(_("专题简介"), blank=True)
    banner = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("专题题图"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(TOPIC_BLOCKS, verbose_name=_("专题内容"), blank=True)

    parent_page_types = ["cms.SiteHomePage", "cms.ColumnPage"]
    subpage_types = ["cms.ColumnPage", "cms.ArticlePage", "cms.InformationPage"]
    column_classes = (ColumnClass.STATIC,)  # 专题专栏 under a static column, or on the home page
    content_panels = SitePage.content_panels + [FieldPanel("intro"), FieldPanel("banner"), FieldPanel("body")]

    class Meta:
        verbose_name = _("专题")
        verbose_name_plural = _("专题")
