"""Reading a search request (API, results page) into SearchParams, with clear Chinese messages."""

from __future__ import annotations

import datetime
import re

from django.conf import settings

from cms.models import ColumnClass, TopicCategory, Validity
from publishing.catalogue.services import catalogue_types
from sites.models import SITE_CODE_RE, SiteKind

from .backends.base import SearchError
from .query import SORTS, SearchParams

MAX_PAGE = 100
MAX_PAGE_SIZE = 50
MAX_LIST_ITEMS = 20
# The date filters' range. Wider dates are no use to a reader and break the arithmetic behind the
# filter: ``to=9999-12-31`` overflowed computing "the day after" (a 500 from the JSON API), and
# 0001-01-01 in UTC+8 is before the first representable UTC instant.
MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(2099, 12, 31)
# A value echoed in a message is cut to this many characters (a 5,000-digit page number is not
# sent back whole).
ECHO_CHARS = 20
# Control characters a search box never sends; PostgreSQL refuses NUL in text outright.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ParameterError(SearchError):
    """A request parameter that cannot be used; ``field`` names it (``to``, ``page`` …) for API clients."""

    def __init__(self, message, field=""):
        super().__init__(message)
        self.field = field


def _echo(value):
    value = str(value)
    return value if len(value) <= ECHO_CHARS else value[:ECHO_CHARS] + "…"


def _values(data, name):
    """``?site=a,b`` and ``?site=a&site=b`` alike; blanks dropped."""
    raw = data.getlist(name) if hasattr(data, "getlist") else [data.get(name, "")]
    values = [part.strip() for item in raw for part in (item or "").replace("，", ",").split(",") if part.strip()]
    if len(values) > MAX_LIST_ITEMS:
        raise ParameterError(f"参数 {name} 最多 {MAX_LIST_ITEMS} 项", name)
    return values


def _check(values, allowed, name, label):
    bad = [value for value in values if value not in allowed]
    if bad:
        shown = "、".join(_echo(value) for value in bad[:3])
        raise ParameterError(f"{label}“{shown}”无效，可选值：{'、'.join(sorted(allowed))}", name)
    return values


def _date(value, label, name):
    value = (value or "").strip()
    if not value:
        return None
    try:
        date = datetime.date.fromisoformat(value) if value.isascii() else None
    except ValueError:
        date = None
    if date is None:
        raise ParameterError(f"{label}“{_echo(value)}”格式不对，应为 YYYY-MM-DD，例如 2026-03-01", name)
    if not MIN_DATE <= date <= MAX_DATE:
        raise ParameterError(f"{label}“{_echo(value)}”超出范围，应在 {MIN_DATE} 到 {MAX_DATE} 之间", name)
    return date


def _int(value, label, name, low, high, default):
    value = (value or "").strip()
    if not value:
        return default
    try:
        number = int(value) if value.isascii() else None
    except ValueError:  # not a number, or more digits than int() accepts (4,300)
        number = None
    if number is None:
        raise ParameterError(f"{label}“{_echo(value)}”不是整数", name)
    if not low <= number <= high:
        raise ParameterError(f"{label}须在 {low} 到 {high} 之间", name)
    return number


def params_from(data, *, require_query=True):
    """SearchParams from a QueryDict (or dict); raises SearchError with the reason in Chinese."""
    q = (data.get("q") or "").strip()
    limit = getattr(settings, "CMS_SEARCH_MAX_QUERY_CHARS", 100)
    if len(q) > limit:
        raise ParameterError(f"搜索词太长：最多 {limit} 个字，当前 {len(q)} 个字", "q")
    if CONTROL_RE.search(q):
        raise ParameterError("搜索词含有无法识别的控制字符，请重新输入", "q")
    if require_query and not q:
        raise ParameterError("请输入搜索关键词", "q")
    sites = _values(data, "site")
    bad_codes = [code for code in sites if not SITE_CODE_RE.fullmatch(code)]
    if bad_codes:
        raise ParameterError(f"站点代码“{'、'.join(_echo(code) for code in bad_codes[:3])}”格式不对", "site")
    params = SearchParams(
        q=q,
        sites=sites,
        kinds=_check(_values(data, "kind"), set(SiteKind.values), "kind", "网站类型"),
        types=_check(_values(data, "type"), set(catalogue_types().values()), "type", "内容类型"),
        column_classes=_check(_values(data, "column"), set(ColumnClass.values), "column", "栏目类型"),
        topic_categories=_check(_values(data, "topic"), set(TopicCategory.values), "topic", "主题分类"),
        validities=_check(_values(data, "validity"), set(Validity.values), "validity", "有效性"),
        date_from=_date(data.get("from"), "起始日期", "from"),
        date_to=_date(data.get("to"), "截止日期", "to"),
        sort=(data.get("sort") or "relevance").strip(),
        page=_int(data.get("page"), "页码", "page", 1, MAX_PAGE, 1),
        page_size=_int(data.get("page_size"), "每页条数", "page_size", 1, MAX_PAGE_SIZE, 10),
    )
    if params.sort not in SORTS:
        raise ParameterError("排序方式只能是 relevance（相关度）或 date（时间）", "sort")
    if params.date_from and params.date_to and params.date_from > params.date_to:
        raise ParameterError("起始日期不能晚于截止日期", "from")
    return params
