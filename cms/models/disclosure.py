"""政府信息公开: disclosure documents with the national catalogue metadata, the 目录 and the 年报 list.

政府信息公开目录系统实施指引: every document carries a 索引号 ``<org code>/<YYYY>-<NNNNN>``, generated
by the system at first publish, unique and never changed afterwards.
"""

import re

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Count, F
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, TitleFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from sites.access import current_site

from ..blocks import ATTACHMENT_BLOCKS
from ..forms import DisclosureDocumentForm
from .base import ColumnClass, SitePage
from .extensions import DOCUMENT_VALIDITY, SETTLE_DOCUMENT_VALIDITY, first_answer, merged_answers


class TopicCategory(models.TextChoices):
    """主题分类 of the national catalogue."""

    GENERAL = "general", _("综合政务")
    ECONOMY = "economy", _("国民经济管理、国有资产监管")
    FINANCE = "finance", _("财政、金融、审计")
    LAND = "land", _("国土资源、能源")
    AGRICULTURE = "agriculture", _("农业、林业、水利")
    INDUSTRY = "industry", _("工业、交通")
    COMMERCE = "commerce", _("商贸、海关、旅游")
    MARKET = "market", _("市场监管、安全生产监管")
    CONSTRUCTION = "construction", _("城乡建设、环境保护")
    SCIENCE = "science", _("科技、教育")
    CULTURE = "culture", _("文化、广电、新闻出版")
    HEALTH = "health", _("卫生、体育")
    POPULATION = "population", _("人口与计划生育、妇女儿童工作")
    LABOUR = "labour", _("劳动、人事、监察")
    JUSTICE = "justice", _("公安、安全、司法")
    CIVIL = "civil", _("民政、扶贫、救灾")
    ETHNIC = "ethnic", _("民族、宗教")
    FOREIGN = "foreign", _("对外事务")
    HMT = "hmt", _("港澳台侨工作")
    DEFENCE = "defence", _("国防")
    OTHER = "other", _("其他")


class Genre(models.TextChoices):
    """体裁分类 (党政机关公文种类 plus the report types a site publishes)."""

    ORDER = "order", _("命令（令）")
    DECISION = "decision", _("决定")
    ANNOUNCEMENT = "announcement", _("公告")
    PUBLIC_NOTICE = "public_notice", _("通告")
    OPINION = "opinion", _("意见")
    NOTICE = "notice", _("通知")
    BULLETIN = "bulletin", _("通报")
    REPORT = "report", _("报告")
    REPLY = "reply", _("批复")
    LETTER = "letter", _("函")
    MINUTES = "minutes", _("纪要")
    PLAN = "plan", _("规划、计划")
    ANNUAL_REPORT = "annual_report", _("年度报告")
    OTHER = "other", _("其他")


class DisclosureMethod(models.TextChoices):
    PROACTIVE = "proactive", _("主动公开")
    ON_REQUEST = "on_request", _("依申请公开")


class Validity(models.TextChoices):
    VALID = "valid", _("有效")
    AMENDED = "amended", _("已修改")
    REPEALED = "repealed", _("已废止")
    EXPIRED = "expired", _("已失效")


# 通政办发〔2012〕216号, 国务院令第711号; the year goes in 六角括号 〔〕, never [] or ().
DOCUMENT_NUMBER_RE = re.compile(r"^\S+〔\d{4}〕\d+号\Z|^\S*第\d+号\Z")


def validate_document_number(value):
    if re.search(r"[\[(（【]\d{4}[\])）】]", value):
        raise ValidationError(_("文号中的年份须用六角括号“〔〕”，如“通政办发〔2012〕216号”。"))
    if not DOCUMENT_NUMBER_RE.match(value):
        raise ValidationError(_("文号格式应为“机关代字〔年份〕序号号”，如“通政办发〔2012〕216号”。"))


class IndexNumberError(Exception):
    """A 索引号 cannot be generated; the message is for people."""


class IndexNumberCounter(models.Model):
    """The last 索引号 serial used in one year, one row per year in each site's schema."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    last_serial = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("索引号计数器")
        verbose_name_plural = _("索引号计数器")

    def __str__(self):
        return f"{self.year}: {self.last_serial}"


def next_serial(year):
    """Take the next serial of ``year`` for the current site.

    The counter row is locked (SELECT ... FOR UPDATE) until the caller's transaction ends, so two
    documents published at the same moment wait for each other and get different serials.
    """
    with transaction.atomic():
        counter, _created = IndexNumberCounter.objects.select_for_update().get_or_create(year=year)
        IndexNumberCounter.objects.filter(pk=counter.pk).update(last_serial=F("last_serial") + 1)
        counter.refresh_from_db(fields=["last_serial"])
        if counter.last_serial > 99999:
            raise IndexNumberError(f"{year} 年的索引号已用完（每年最多 99999 个）。")
        return counter.last_serial


def format_index_number(org_code, year, serial):
    return f"{org_code}/{year}-{serial:05d}"


def allocate_index_number(when=None):
    """A new 索引号 for the current site: ``<org code>/<YYYY>-<NNNNN>`` (Asia/Shanghai year)."""
    site = current_site()
    org_code = getattr(site, "org_code", "")
    if not org_code:
        raise IndexNumberError(f"站点“{site}”未设置组织机构代码，无法生成政府信息公开索引号。")
    year = timezone.localtime(when or timezone.now()).year
    return format_index_number(org_code, year, next_serial(year))


class DisclosureDocumentPage(SitePage):
    """A document of 政府信息公开 with every field of the national catalogue."""

    index_number = models.CharField(
        _("索引号"), max_length=40, unique=True, null=True, blank=True, editable=False, db_index=True
    )
    publisher = models.CharField(
        _("发布机构"), max_length=100, blank=True, help_text=_("机构全称；留空则使用本站网站名称中的机构全称。")
    )
    written_date = models.DateField(_("成文日期"))
    document_number = models.CharField(
        _("文号"),
        max_length=60,
        blank=True,
        validators=[validate_document_number],
        help_text=_("如“通政办发〔2012〕216号”"),
    )
    topic_category = models.CharField(_("主题分类"), max_length=20, choices=TopicCategory.choices)
    keywords = models.CharField(_("主题词"), max_length=100, blank=True, help_text=_("多个主题词用空格分隔"))
    genre = models.CharField(_("体裁分类"), max_length=20, choices=Genre.choices)
    disclosure_method = models.CharField(
        _("公开方式"), max_length=20, choices=DisclosureMethod.choices, default=DisclosureMethod.PROACTIVE
    )
    validity = models.CharField(_("有效性"), max_length=20, choices=Validity.choices, default=Validity.VALID)
    summary = models.TextField(_("内容概述"), blank=True)
    body = RichTextField(_("正文"), blank=True)
    attachments = StreamField(ATTACHMENT_BLOCKS, verbose_name=_("附件"), blank=True)

    parent_page_types = ["cms.ColumnPage", "cms.AnnualReportIndexPage"]
    subpage_types = []
    column_classes = (ColumnClass.NOTICE, ColumnClass.POLICY, ColumnClass.DISCLOSURE)
    catalogue_type = "disclosure"
    column_item = True
    # Columns of the catalogue row of their own, not part of its body text.
    catalogue_metadata = (
        "index_number",
        "document_number",
        "publisher",
        "written_date",
        "topic_category",
        "genre",
        "keywords",
        "validity",
    )
    base_form_class = DisclosureDocumentForm
    # A copy is a new document: it gets its own 索引号 when it is first published.
    exclude_fields_in_copy = ["index_number"]

    content_panels = [
        TitleFieldPanel("title", heading=_("名称")),
        MultiFieldPanel(
            [
                FieldPanel("publisher"),
                FieldRowPanel([FieldPanel("document_number"), FieldPanel("written_date")]),
                FieldRowPanel([FieldPanel("topic_category"), FieldPanel("genre")]),
                FieldPanel("keywords"),
                FieldRowPanel([FieldPanel("disclosure_method"), FieldPanel("validity")]),
            ],
            heading=_("公开目录信息（索引号和发布日期在首次发布时由系统生成）"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("attachments"),
    ]
    settings_panels = [FieldPanel("go_live_at"), FieldPanel("expire_at")]

    search_fields = SitePage.search_fields + [
        index.SearchField("document_number"),
        index.SearchField("keywords"),
        index.SearchField("body"),
        index.FilterField("topic_category"),
        index.FilterField("genre"),
        index.FilterField("validity"),
    ]

    class Meta:
        verbose_name = _("政府信息公开文件")
        verbose_name_plural = _("政府信息公开文件")

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self.pk is not None:
                # Immutable once given: whatever a revision, a form or a script carries is ignored.
                stored = type(self).objects.filter(pk=self.pk).values_list("index_number", flat=True).first()
                if stored:
                    self.index_number = stored
            if not self.publisher:
                self.publisher = getattr(current_site(), "name", "")
            if self.live and not self.index_number:
                self.settle_publish_time()
                self.index_number = allocate_index_number(self.first_published_at)
            return super().save(*args, **kwargs)

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        obj.index_number = self.index_number
        return obj

    @cached_property
    def current_validity(self):
        """有效性 as stored once for the whole cluster (hook ``cms_document_validity``, kept by
        publishing.syndication.validity); read it, not ``validity``."""
        return stored_validity([self]).get(self.pk, self.validity)

    def catalogue_values(self):
        """The common row and the catalogue metadata; 有效性 is the stored status (design §2),
        settled into the store on first publish (hook ``cms_settle_document_validity``)."""
        values = super().catalogue_values()
        for name in self.catalogue_metadata:
            values[name] = getattr(self, name)
        values["index_number"] = self.index_number or ""
        settled = first_answer(SETTLE_DOCUMENT_VALIDITY, self)
        values["validity"] = self.current_validity if settled is None else settled
        return values

    @property
    def current_validity_label(self):
        return Validity(self.current_validity).label if self.current_validity in Validity.values else ""

    @property
    def publish_date(self):
        """发布日期: the date of the real first publish (Asia/Shanghai)."""
        if self.first_published_at is None:
            return None
        return timezone.localtime(self.first_published_at).date()

    @property
    def classification(self):
        """The 分类 of the 8-field block: 主题分类 and 体裁."""
        return f"{self.get_topic_category_display()}\\{self.get_genre_display()}"

    def metadata(self):
        """The 8-field block live pages show (design §2), in its prescribed order."""
        return [
            (_("索引号"), self.index_number or ""),
            (_("分类"), self.classification),
            (_("发布机构"), self.publisher),
            (_("成文日期"), self.written_date.strftime("%Y-%m-%d") if self.written_date else ""),
            (_("名称"), self.title),
            (_("文号"), self.document_number),
            (_("发布日期"), self.publish_date.strftime("%Y-%m-%d") if self.publish_date else ""),
            (_("主题词"), self.keywords),
        ]


def stored_validity(pages):
    """{page.pk: status} of the stored 有效性 of saved ``pages`` (hook ``cms_document_validity``)."""
    pages = [page for page in pages if page.pk is not None]
    return merged_answers(DOCUMENT_VALIDITY, pages) if pages else {}


def preload_validity(pages):
    """Give each disclosure document in ``pages`` its stored 有效性 in one call (listings); returns ``pages``."""
    documents = [page for page in pages if isinstance(page, DisclosureDocumentPage)]
    if documents:
        values = stored_validity(documents)
        for page in documents:
            # Fills the cached_property current_validity without a query per row.
            page.__dict__["current_validity"] = values.get(page.pk, page.validity)
    return pages


class DisclosureCatalogPage(SitePage):
    """政府信息公开目录: every disclosure document of the site, browsed by 主题分类, year and 体裁."""

    PER_PAGE = 20

    intro = models.TextField(_("说明"), blank=True)

    parent_page_types = ["cms.ColumnPage"]
    subpage_types = []
    column_classes = (ColumnClass.DISCLOSURE,)
    structure = True
    content_panels = SitePage.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("政府信息公开目录")
        verbose_name_plural = _("政府信息公开目录")

    @staticmethod
    def documents():
        return DisclosureDocumentPage.objects.listed().annotate(year=ExtractYear("first_published_at"))

    def filter_documents(self, params):
        """Documents matching the request's ``topic``, ``year`` and ``genre``; unknown values are ignored."""
        documents = self.documents()
        chosen = {}
        topic = params.get("topic")
        if topic in TopicCategory.values:
            documents = documents.filter(topic_category=topic)
            chosen["topic"] = topic
        genre = params.get("genre")
        if genre in Genre.values:
            documents = documents.filter(genre=genre)
            chosen["genre"] = genre
        year = params.get("year", "")
        if year.isdigit() and len(year) == 4:
            documents = documents.filter(year=int(year))
            chosen["year"] = int(year)
        return documents.order_by("-first_published_at", "-pk"), chosen

    def facets(self):
        documents = self.documents()
        topics = dict(documents.values_list("topic_category").annotate(n=Count("pk")).order_by())
        genres = dict(documents.values_list("genre").annotate(n=Count("pk")).order_by())
        years = documents.values_list("year").annotate(n=Count("pk")).order_by("-year")
        return {
            "topics": [(value, label, topics[value]) for value, label in TopicCategory.choices if value in topics],
            "genres": [(value, label, genres[value]) for value, label in Genre.choices if value in genres],
            "years": list(years),
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        documents, chosen = self.filter_documents(request.GET)
        context["page_obj"] = Paginator(documents, self.PER_PAGE).get_page(request.GET.get("page"))
        context["documents"] = preload_validity(list(context["page_obj"].object_list))
        context["chosen"] = chosen
        context["facets"] = self.facets()
        labels = []
        if "topic" in chosen:
            labels.append(f"主题分类：{TopicCategory(chosen['topic']).label}")
        if "year" in chosen:
            labels.append(f"{chosen['year']}年")
        if "genre" in chosen:
            labels.append(f"体裁：{Genre(chosen['genre']).label}")
        context["chosen_labels"] = labels
        return context


class AnnualReportIndexPage(SitePage):
    """政府信息公开工作年度报告: the site's annual reports, newest first (due by 29 January)."""

    intro = models.TextField(_("说明"), blank=True)

    parent_page_types = ["cms.ColumnPage"]
    subpage_types = ["cms.DisclosureDocumentPage"]
    column_classes = (ColumnClass.DISCLOSURE,)
    structure = True
    content_panels = SitePage.content_panels + [FieldPanel("intro")]

    class Meta:
        verbose_name = _("年度报告列表")
        verbose_name_plural = _("年度报告列表")

    @staticmethod
    def reports():
        return DisclosureDocumentPage.objects.listed().filter(genre=Genre.ANNUAL_REPORT).order_by("-first_published_at")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["reports"] = self.reports()
        return context
