"""Reading a search request (API, results page) into SearchParams, with clear Chinese messages."""

from __future__ import annotations

import datetime

from django.conf import settings

from publishing.catalogue.services import catalogue_types
from sites.models import SITE_CODE_RE, SiteKind

from .backends.base import SearchError
from .query import SORTS, SearchParams

MAX_PAGE = 100
MAX_PAGE_SIZE = 50
MAX_LIST_ITEMS = 20


def _values(data, name):
    """``?site=a,b`` and ``?site=a&site=b`` alike; blanks dropped."""
    raw = data.getlist(name) if hasattr(data, "getlist") else [data.get(name, "")]
    values = [part.strip() for item in raw for part in (item or "").replace("，", ",").split(",") if part.strip()]
    if len(values) > MAX_LIST_ITEMS:
        raise SearchError(f"参数 {name} 最多 {MAX_LIST_ITEMS} 项")
    return values


def _check(values, allowed, name, label):
    bad = [value for value in values if value not in allowed]
    if bad:
        raise SearchError(f"{label}“{'、'.join(bad)}”无效，可选值：{'、'.join(sorted(allowed))}")
    return values


def _date(value, label):
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise SearchError(f"{label}“{value}”格式不对，应为 YYYY-MM-DD，例如 2026-03-01") from None


def _int(value, label, low, high, default):
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SearchError(f"{label}“{value}”不是整数") from None
    if not low <= number <= high:
        raise SearchError(f"{label}须在 {low} 到 {high} 之间")
    return number


def params_from(data, *, require_query=True):
    """SearchParams from a QueryDict (or dict); raises SearchError with the reason in Chinese."""
    from cms.models import ColumnClass, TopicCategory, Validity

    q = (data.get("q") or "").strip()
    limit = getattr(settings, "CMS_SEARCH_MAX_QUERY_CHARS", 100)
    if len(q) > limit:
        raise SearchError(f"搜索词太长：最多 {limit} 个字，当前 {len(q)} 个字")
    if require_query and not q:
        raise SearchError("请输入搜索关键词")
    sites = _values(data, "site")
    bad_codes = [code for code in sites if not SITE_CODE_RE.match(code)]
    if bad_codes:
        raise SearchError(f"站点代码“{'、'.join(bad_codes)}”格式不对")
    params = SearchParams(
        q=q,
        sites=sites,
        kinds=_check(_values(data, "kind"), set(SiteKind.values), "kind", "网站类型"),
        types=_check(_values(data, "type"), set(catalogue_types().values()), "type", "内容类型"),
        column_classes=_check(_values(data, "column"), set(ColumnClass.values), "column", "栏目类型"),
        topic_categories=_check(_values(data, "topic"), set(TopicCategory.values), "topic", "主题分类"),
        validities=_check(_values(data, "validity"), set(Validity.values), "validity", "有效性"),
        date_from=_date(data.get("from"), "起始日期"),
        date_to=_date(data.get("to"), "截止日期"),
        sort=(data.get("sort") or "relevance").strip(),
        page=_int(data.get("page"), "页码", 1, MAX_PAGE, 1),
        page_size=_int(data.get("page_size"), "每页条数", 1, MAX_PAGE_SIZE, 10),
    )
    if params.sort not in SORTS:
        raise SearchError("排序方式只能是 relevance（相关度）或 date（时间）")
    if params.date_from and params.date_to and params.date_from > params.date_to:
        raise SearchError("起始日期不能晚于截止日期")
    return params
