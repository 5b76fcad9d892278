"""政府网站工作年度报表 (国办函〔2018〕12号 附件 政府网站工作年度报表): its fields, computed per site and year.

``FIELDS`` is the template's table, row by row, in its order. Each field says where its value
comes from: ``data`` (computed by ``compute()`` from the catalogue, the access statistics and the
messages; rewritten on every generation) or ``manual`` (entered by the site admin, kept across
generations). ``generate()`` is the only writer of ``AnnualReport.figures``.

What the data can and cannot say (written into the report's notes where it matters):

* 信息发布 counts the catalogue, which holds the items live now, by their first publish time: an
  item published and later withdrawn is no longer counted.
* 独立用户访问总量 is the sum of each day's unique visitors: the ingestion forgets a visitor's hash
  when the day closes (no raw IP is kept), so a visitor of several days counts once per day.
"""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Sum
from django.utils import timezone
from django_tenants.utils import schema_context

from interaction.statistics import Period, message_figures
from publishing.catalogue.models import CatalogueEntry
from sites.models import SiteKind
from supervision.traffic.models import DailyTotal

from .models import AnnualReport

DATA, MANUAL = "data", "manual"
INT, DECIMAL, TEXT, BOOL, CHOICES = "int", "decimal", "text", "bool", "choices"

INNOVATION_CHOICES = ["搜索即服务", "多语言版本", "无障碍浏览", "千人千网", "其他"]

# 网站类型 of the template: 政府门户网站 / 部门网站 / 专项网站.
SITE_TYPES = {
    SiteKind.PORTAL: "政府门户网站",
    SiteKind.COUNTY: "政府门户网站",
    SiteKind.DISTRICT: "政府门户网站",
    SiteKind.DEPARTMENT: "部门网站",
    SiteKind.TOPIC: "专项网站",
}


@dataclass(frozen=True)
class Field:
    key: str
    section: str
    label: str
    source: str = MANUAL
    kind: str = INT
    unit: str = ""
    group: str = ""  # a sub-heading inside a section (留言办理, 微博 …)


def _f(section, group=""):
    def make(key, label, source=MANUAL, kind=INT, unit=""):
        return Field(key, section, label, source, kind, unit, group)

    return make


_basic = _f("")
_info = _f("信息发布")
_topic = _f("专栏专题")
_interp = _f("解读回应")
_service = _f("办事服务")
_cases = _f("办事服务", "办件量")
_msg = _f("互动交流", "留言办理")
_survey = _f("互动交流", "征集调查")
_interview = _f("互动交流", "在线访谈")
_interaction = _f("互动交流")
_security = _f("安全防护")
_media = _f("移动新媒体")
_weibo = _f("移动新媒体", "微博")
_wechat = _f("移动新媒体", "微信")
_innovation = _f("创新发展")
_sign = _f("填报信息")

FIELDS = [
    _basic("site_name", "网站名称", DATA, TEXT),
    _basic("home_url", "首页网址", DATA, TEXT),
    _basic("sponsor", "主办单位", DATA, TEXT),
    _basic("site_type", "网站类型", DATA, TEXT),
    _basic("site_identifier", "政府网站标识码", DATA, TEXT),
    _basic("icp_number", "ICP备案号", DATA, TEXT),
    _basic("police_record_number", "公安机关备案号", DATA, TEXT),
    _basic("visitors", "独立用户访问总量", DATA, unit="个"),
    _basic("views", "网站总访问量", DATA, unit="次"),
    _info("info_total", "信息发布总数", DATA, unit="条"),
    _info("info_overview", "概况类信息更新量", DATA, unit="条"),
    _info("info_news", "政务动态信息更新量", DATA, unit="条"),
    _info("info_disclosure", "信息公开目录信息更新量", DATA, unit="条"),
    _topic("topics_maintained", "维护数量", DATA, unit="个"),
    _topic("topics_new", "新开设数量", DATA, unit="个"),
    _interp("interpretations", "解读信息发布总数", unit="条"),
    _interp("interpretation_materials", "其中：解读材料数量", unit="条"),
    _interp("interpretation_products", "其中：解读产品数量", unit="个"),
    _interp("media_articles", "其中：媒体评论文章数量", unit="篇"),
    _interp("hot_responses", "回应公众关注热点或重大舆情数量", unit="次"),
    _service("service_catalogue", "是否发布服务事项目录", DATA, BOOL),
    _service("registered_users", "注册用户数", kind=DECIMAL, unit="万"),
    _service("service_items", "政务服务事项数量", DATA, unit="项"),
    _service("online_items", "可全程在线办理政务服务事项数量", unit="项"),
    _cases("cases_total", "总数", kind=DECIMAL, unit="万件"),
    _cases("cases_citizen", "自然人办件量", kind=DECIMAL, unit="万件"),
    _cases("cases_legal", "法人办件量", kind=DECIMAL, unit="万件"),
    _interaction("unified_platform", "是否使用统一平台", kind=BOOL),
    _msg("messages_received", "收到留言数量", DATA, unit="条"),
    _msg("messages_answered", "办结留言数量", DATA, unit="条"),
    _msg("messages_average_days", "平均办理时间", DATA, DECIMAL, unit="天"),
    _msg("messages_published", "公开答复数量", DATA, unit="条"),
    _survey("surveys", "征集调查期数", DATA, unit="期"),
    _survey("survey_opinions", "收到意见数量", DATA, unit="条"),
    _survey("survey_results", "公布调查结果期数", DATA, unit="期"),
    _interview("interviews", "访谈期数", unit="期"),
    _interview("interview_questions", "网民留言数量", unit="条"),
    _interview("interview_answers", "答复网民提问数量", unit="条"),
    _interaction("smart_qa", "是否提供智能问答", kind=BOOL),
    _security("security_checks", "安全检测评估次数", unit="次"),
    _security("security_issues", "发现问题数量", unit="个"),
    _security("security_fixed", "问题整改数量", unit="个"),
    _security("security_monitoring", "是否建立安全监测预警机制", kind=BOOL),
    _security("security_drills", "是否开展应急演练", kind=BOOL),
    _security("security_officer", "是否明确网站安全负责人", kind=BOOL),
    _media("new_media", "是否有移动新媒体", kind=BOOL),
    _weibo("weibo_name", "名称", kind=TEXT),
    _weibo("weibo_posts", "信息发布量", unit="条"),
    _weibo("weibo_followers", "关注量", unit="个"),
    _wechat("wechat_name", "名称", kind=TEXT),
    _wechat("wechat_posts", "信息发布量", unit="条"),
    _wechat("wechat_subscribers", "订阅数", unit="个"),
    _media("other_media", "其他", kind=TEXT),
    _innovation("innovation", "创新发展", kind=CHOICES),
    _innovation("innovation_other", "其他创新（说明）", kind=TEXT),
    _sign("head", "单位负责人", kind=TEXT),
    _sign("reviewer", "审核人", kind=TEXT),
    _sign("filler", "填报人", kind=TEXT),
    _sign("phone", "联系电话", kind=TEXT),
    _sign("filled_on", "填报日期", kind=TEXT),
]
FIELDS_BY_KEY = {field.key: field for field in FIELDS}
MANUAL_FIELDS = [field for field in FIELDS if field.source == MANUAL]


def year_bounds(year):
    """The year as aware datetimes [start, end) in the local time zone (Asia/Shanghai)."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime(year, 1, 1, tzinfo=zone)
    return start, datetime.datetime(year + 1, 1, 1, tzinfo=zone)


# --- Computing the figures -------------------------------------------------------------------------


def _basic_values(tenant):
    return {
        "site_name": tenant.name,
        "home_url": tenant.base_url() + "/" if tenant.base_url() else "",
        "sponsor": tenant.sponsor,
        "site_type": SITE_TYPES.get(tenant.kind, "部门网站"),
        "site_identifier": tenant.site_identifier,
        "icp_number": tenant.icp_number,
        "police_record_number": tenant.police_record_number,
    }


def _traffic_values(tenant, year, notes):
    totals = DailyTotal.objects.filter(tenant=tenant, day__year=year).aggregate(
        views=Sum("views"), visitors=Sum("visitors")
    )
    if totals["views"] is None:
        notes.append("访问量：本年度没有访问日志统计数据，独立用户访问总量和网站总访问量按 0 填报。")
        return {"visitors": 0, "views": 0}
    notes.append("独立用户访问总量为每日独立用户数之和（为保护个人信息，访客标识按日销毁，跨日无法去重）。")
    return {"visitors": totals["visitors"], "views": totals["views"]}


def _catalogue_values(tenant, year, notes):
    start, end = year_bounds(year)
    live = CatalogueEntry.objects.filter(tenant=tenant)
    published = live.filter(published_at__gte=start, published_at__lt=end)
    items = published.exclude(content_type__in=["topic", "service"])
    notes.append("信息发布按站群目录中现仍发布的信息统计（以首次发布时间计）；已撤销发布的信息不再计入。")
    return {
        "info_total": items.count(),
        "info_overview": items.filter(column_class="static").count(),
        "info_news": items.filter(column_class="news").count(),
        "info_disclosure": items.filter(content_type="disclosure").count(),
        "topics_maintained": live.filter(content_type="topic", published_at__lt=end).count(),
        "topics_new": published.filter(content_type="topic").count(),
        "service_items": live.filter(content_type="service", published_at__lt=end).count(),
        "service_catalogue": live.filter(content_type="service", published_at__lt=end).exists(),
    }


def _message_values(tenant, year, today):
    # interaction.statistics is the one place that says what a received, answered or published
    # message is for a period (the same figures as its own statistics screen).
    figures = message_figures(tenant, Period.year(year), today=today)
    average = figures.average_workdays
    return {
        "messages_received": figures.received,
        "messages_answered": figures.answered,
        "messages_average_days": average if average is not None else 0,
        "messages_published": figures.published,
    }


def _survey_values(tenant, year, notes):
    """意见征集 and 调查问卷 (interaction.pages) of the year, read in the site's schema.

    Looked up in the app registry: a cluster whose interaction pages are not installed reports 0."""
    try:
        consultation = apps.get_model("interaction_pages", "ConsultationPage")
        comment = apps.get_model("interaction_pages", "ConsultationComment")
        questionnaire = apps.get_model("interaction_pages", "QuestionnairePage")
        response = apps.get_model("interaction_pages", "QuestionnaireResponse")
    except LookupError:
        notes.append("征集调查：本平台未启用意见征集和调查问卷，按 0 填报。")
        return {"surveys": 0, "survey_opinions": 0, "survey_results": 0}
    start, end = year_bounds(year)
    with schema_context(tenant.schema_name):
        consultations = consultation.objects.filter(live=True, opens_at__gte=start, opens_at__lt=end)
        questionnaires = questionnaire.objects.filter(live=True, opens_at__gte=start, opens_at__lt=end)
        opinions = (
            comment.objects.filter(page__in=consultations).count()
            + response.objects.filter(page__in=questionnaires).count()
        )
        now = timezone.now()
        results = (
            # As the pages show them: 意见采纳情况 once the consultation has closed, a
            # questionnaire's results once it has closed and when they are public.
            consultations.filter(closes_at__lte=now).exclude(feedback="").count()
            + questionnaires.filter(results_public=True, closes_at__lte=now).count()
        )
        return {
            "surveys": consultations.count() + questionnaires.count(),
            "survey_opinions": opinions,
            "survey_results": results,
        }


def compute(tenant, year, today=None):
    """The data fields of ``tenant``'s report for ``year``: {"values": {key: value}, "notes": [...]}."""
    notes = []
    values = _basic_values(tenant)
    values.update(_traffic_values(tenant, year, notes))
    values.update(_catalogue_values(tenant, year, notes))
    values.update(_message_values(tenant, year, today))
    values.update(_survey_values(tenant, year, notes))
    notes.append("平均办理时间按工作日计（自受理至答复）。")
    return {"values": values, "notes": notes}


def generate(tenant, year, user=None, today=None):
    """Create or refresh the report of ``tenant`` for ``year``: the figures are recomputed, the
    manual entries stay as they are."""
    report, _created = AnnualReport.objects.get_or_create(tenant=tenant, year=year)
    report.figures = compute(tenant, year, today=today)
    report.generated_at = timezone.now()
    if user is not None:
        report.updated_by = user
    report.save(update_fields=["figures", "generated_at", "updated_by"])
    return report


# --- Reading a report ------------------------------------------------------------------------------


def value_of(report, field):
    source = (report.figures or {}).get("values", {}) if field.source == DATA else (report.manual or {})
    return source.get(field.key)


def display(field, value):
    """A value as the printed template shows it."""
    if value is None or value == "" or value == []:
        return "" if field.kind in (TEXT, CHOICES, BOOL) else "0"
    if field.kind == BOOL:
        return "是" if value else "否"
    if field.kind == CHOICES:
        return "、".join(value) if isinstance(value, list) else str(value)
    return str(value)


def rows(report):
    """The report as rows ``(section, group, label, shown value, unit, field)`` in the template's order."""
    return [
        (field.section, field.group, field.label, display(field, value_of(report, field)), field.unit, field)
        for field in FIELDS
    ]


def title(report):
    return f"{report.tenant.name}{report.year}年政府网站工作年度报表"
