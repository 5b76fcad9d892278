"""StreamField blocks a site admin arranges on the home page and on special-topic pages.

Every block describes itself (template, icon, label, description, preview value), so the admin's
block picker explains each one, and each theme may restyle it by shipping a template of the same
name under ``themes/<template set>/`` (see ``ThemedBlockMixin``).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

from themes.resolver import themed_block_template_names

from .visibility import listed


class ThemedBlockMixin:
    """Render with the current site's theme's version of the block template when it has one."""

    def get_template(self, value=None, context=None):
        default = super().get_template(value, context=context)
        theme = (context or {}).get("theme")
        return themed_block_template_names(theme, default) if default else default


class LinkValue(blocks.StructValue):
    def href(self):
        page = self.get("page")
        if page is not None:
            return page.url
        return self.get("url") or ""


class LinkBlock(blocks.StructBlock):
    """A titled link to a page of this site or to another address."""

    title = blocks.CharBlock(label=_("标题"), max_length=60)
    page = blocks.PageChooserBlock(label=_("本站页面"), required=False)
    url = blocks.URLBlock(label=_("外部链接"), required=False)

    class Meta:
        icon = "link"
        label = _("链接")
        value_class = LinkValue

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise StructBlockValidationError(
                block_errors={"page": ValidationError(_("请选择本站页面或填写外部链接（二选一）。"))}
            )
        return value


class SlideBlock(LinkBlock):
    image = ImageChooserBlock(label=_("图片"))

    class Meta:
        icon = "image"
        label = _("幻灯片")
        value_class = LinkValue


class BannerBlock(ThemedBlockMixin, blocks.StructBlock):
    slides = blocks.ListBlock(SlideBlock(), label=_("幻灯片"), min_num=1, max_num=6)

    class Meta:
        template = "cms/blocks/banner.html"
        icon = "image"
        label = _("焦点图")
        description = _("首页顶部的轮播图片，每张配标题和链接，最多 6 张。")
        preview_value = {"slides": [{"title": "全市优化营商环境大会召开", "url": "https://www.gov.cn/"}]}


class ColumnLatestBlock(ThemedBlockMixin, blocks.StructBlock):
    title = blocks.CharBlock(label=_("标题"), required=False, help_text=_("留空则使用栏目名称"))
    column = blocks.PageChooserBlock(label=_("栏目"), page_type="cms.ColumnPage")
    count = blocks.IntegerBlock(label=_("条数"), default=6, min_value=1, max_value=20)
    show_summary = blocks.BooleanBlock(label=_("显示摘要和题图"), required=False, default=False)

    class Meta:
        template = "cms/blocks/column_latest.html"
        icon = "list-ul"
        label = _("栏目最新信息")
        description = _("显示所选栏目（含下级栏目）中最新发布的信息，附发布时间。")
        preview_value = {"title": "政务动态", "count": 6}

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        column = value.get("column")
        column = column.specific if column is not None else None
        context["column"] = column
        context["heading"] = value.get("title") or (column.title if column else "")
        # listing(): a portal column also shows the other sites' items it aggregates or adopted.
        context["items"] = list(column.listing()[: value.get("count") or 6]) if column else []
        return context


class NoticeListBlock(ColumnLatestBlock):
    class Meta:
        template = "cms/blocks/notice_list.html"
        icon = "warning"
        label = _("通知公告")
        description = _("通知公告栏目的最新条目，标题加日期的紧凑列表。")
        preview_value = {"title": "通知公告", "count": 6}


class LeaderBoxBlock(ThemedBlockMixin, blocks.StructBlock):
    title = blocks.CharBlock(label=_("标题"), default="领导信息")
    column = blocks.PageChooserBlock(label=_("负责人信息栏目"), page_type="cms.ColumnPage")

    class Meta:
        template = "cms/blocks/leader_box.html"
        icon = "user"
        label = _("负责人信息")
        description = _("列出“负责人信息”栏目下的领导照片、姓名和职务。")
        preview_value = {"title": "领导信息"}

    def get_context(self, value, parent_context=None):
        from .models import LeaderPage  # cms.models imports these blocks: a circle at import time

        context = super().get_context(value, parent_context=parent_context)
        column = value.get("column")
        context["leaders"] = LeaderPage.objects.listed().child_of(column) if column else []
        return context


class QuickLinksBlock(ThemedBlockMixin, blocks.StructBlock):
    title = blocks.CharBlock(label=_("标题"), default="快速链接")
    links = blocks.ListBlock(LinkBlock(), label=_("链接"))

    class Meta:
        template = "cms/blocks/quick_links.html"
        icon = "link"
        label = _("快速链接")
        description = _("一组常用链接，如上级政府网站、政务服务平台；外站链接会提示即将离开本站。")
        preview_value = {"title": "快速链接", "links": [{"title": "中国政府网", "url": "https://www.gov.cn/"}]}


class ServiceEntryBlock(LinkBlock):
    description = blocks.CharBlock(label=_("说明"), required=False, max_length=80)

    class Meta:
        icon = "tasks"
        label = _("服务事项")
        value_class = LinkValue


class ServiceEntriesBlock(ThemedBlockMixin, blocks.StructBlock):
    title = blocks.CharBlock(label=_("标题"), default="办事服务")
    entries = blocks.ListBlock(ServiceEntryBlock(), label=_("服务事项"))

    class Meta:
        template = "cms/blocks/service_entries.html"
        icon = "tasks"
        label = _("办事服务入口")
        description = _("办事服务事项的入口方块，链接到办事指南或省政务服务平台。")
        preview_value = {
            "title": "办事服务",
            "entries": [{"title": "道路运输经营许可", "description": "网上办理", "url": "https://www.gov.cn/"}],
        }


class DisclosureEntryBlock(ThemedBlockMixin, blocks.StructBlock):
    title = blocks.CharBlock(label=_("标题"), default="政府信息公开")
    column = blocks.PageChooserBlock(label=_("政府信息公开栏目"), page_type="cms.ColumnPage")
    count = blocks.IntegerBlock(label=_("最新文件条数"), default=5, min_value=0, max_value=20)

    class Meta:
        template = "cms/blocks/disclosure_entry.html"
        icon = "doc-full"
        label = _("信息公开入口")
        description = _("政府信息公开的入口：指南、制度、目录、年报、依申请公开，以及最新公开文件。")
        preview_value = {"title": "政府信息公开", "count": 5}

    def get_context(self, value, parent_context=None):
        from .models import DisclosureDocumentPage  # cms.models imports these blocks: a circle

        context = super().get_context(value, parent_context=parent_context)
        column = value.get("column")
        context["entries"] = listed(column.get_children()) if column else []
        context["documents"] = (
            DisclosureDocumentPage.objects.listed().order_by("-first_published_at")[: value.get("count") or 0]
            if column
            else []
        )
        return context


class TopicsBlock(ThemedBlockMixin, blocks.StructBlock):
    title = blocks.CharBlock(label=_("标题"), default="专题专栏")
    topics = blocks.ListBlock(blocks.PageChooserBlock(page_type="cms.TopicPage"), label=_("专题"))

    class Meta:
        template = "cms/blocks/topics.html"
        icon = "folder-open-inverse"
        label = _("专题专栏")
        description = _("专题页面的题图入口。")
        preview_value = {"title": "专题专栏", "topics": []}


class ParagraphBlock(ThemedBlockMixin, blocks.RichTextBlock):
    class Meta:
        template = "cms/blocks/paragraph.html"
        icon = "pilcrow"
        label = _("正文段落")
        description = _("一段带格式的文字。")
        preview_value = "<p>为深入贯彻落实党中央、国务院决策部署，现就有关事项通知如下。</p>"


class AttachmentBlock(blocks.StructBlock):
    """An attachment (附件): a Wagtail document; the file's own (Chinese) name is kept for download."""

    document = DocumentChooserBlock(label=_("文件"))
    title = blocks.CharBlock(label=_("显示名称"), required=False, help_text=_("留空则使用文件标题"))

    class Meta:
        template = "cms/blocks/attachment.html"
        icon = "doc-full"
        label = _("附件")
        description = _("PDF、Word、Excel、OFD、WPS、ZIP 或 TXT 文件。")
        preview_value = {"title": "附件：申请表.docx"}


HOME_BLOCKS = [
    ("banner", BannerBlock()),
    ("column_latest", ColumnLatestBlock()),
    ("notices", NoticeListBlock()),
    ("leaders", LeaderBoxBlock()),
    ("quick_links", QuickLinksBlock()),
    ("services", ServiceEntriesBlock()),
    ("disclosure", DisclosureEntryBlock()),
    ("topics", TopicsBlock()),
]

TOPIC_BLOCKS = [
    ("paragraph", ParagraphBlock()),
    ("banner", BannerBlock()),
    ("column_latest", ColumnLatestBlock()),
    ("quick_links", QuickLinksBlock()),
]

ATTACHMENT_BLOCKS = [("attachment", AttachmentBlock())]
