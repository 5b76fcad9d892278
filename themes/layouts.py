"""Layouts within limits: what the web office chooses per theme version, as validated data.

Templates stay code in the repository (``themes/templates/themes/_shared/lists/``); what a version
holds is data those templates read, checked here before it is stored, so no template source and no
free-form markup ever reaches the database (server-side template injection).

``layouts`` of a version::

    {
      "lists": {                       # per column class (47号: one template per class)
        "news": {"layout": "rich", "per_page": 20, "summary": true, "date": true},
        ...
      },
      "home": {                        # the home page's block regions; empty: free arrangement
        "regions": [
          {"key": "main", "label": "主栏", "blocks": ["column_latest", "notices"],
           "max_blocks": 4, "count": 6, "unlocked": true},
          ...
        ]
      }
    }

A site admin varies a region only where the web office unlocked it (``SiteHomeLayout``): which of
the region's blocks show and how many items each lists.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

LIST_LAYOUTS = {"list": "列表", "rich": "图文", "table": "表格", "cards": "卡片"}
# The column classes whose lists are items (articles, documents): the others are pages and services.
LAYOUT_CLASSES = {
    "news": "动态类",
    "notice": "通知公告类",
    "policy": "政策文件类",
    "disclosure": "信息公开类",
}
PER_PAGE_RANGE = (5, 50)
COUNT_RANGE = (1, 20)
MAX_REGIONS = 6
MAX_BLOCKS_RANGE = (1, 12)
# The home page blocks a site admin arranges (cms.blocks.HOME_BLOCKS; cms is above themes, so
# the names are listed here; tests/themes checks the two agree).
HOME_BLOCK_TYPES = {
    "banner": "焦点图",
    "column_latest": "栏目最新信息",
    "notices": "通知公告",
    "leaders": "负责人信息",
    "quick_links": "快速链接",
    "services": "办事服务入口",
    "disclosure": "信息公开入口",
    "topics": "专题专栏",
}
# Blocks that list items and so take a count.
COUNTED_BLOCKS = {"column_latest", "notices", "disclosure"}
REGION_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,19}\Z")

# What every theme had before layouts were data: the rendering the column classes' templates gave.
DEFAULT_LISTS = {
    "news": {"layout": "rich", "per_page": 20, "summary": True, "date": True},
    "notice": {"layout": "list", "per_page": 20, "summary": False, "date": True},
    "policy": {"layout": "table", "per_page": 20, "summary": False, "date": True},
    "disclosure": {"layout": "table", "per_page": 20, "summary": False, "date": True},
}


@dataclass(frozen=True)
class ListLayout:
    column_class: str
    layout: str
    per_page: int
    summary: bool
    date: bool

    @property
    def label(self):
        return LIST_LAYOUTS[self.layout]

    @property
    def template(self):
        return f"themes/_shared/lists/{self.layout}.html"


def _int(value, low, high, what, errors):
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            errors.append(f"{what}须为整数。")
            return None
    if not low <= value <= high:
        errors.append(f"{what}须在 {low} 到 {high} 之间。")
        return None
    return value


def _bool(value):
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes", "是")
    return bool(value)


def clean_lists(data):
    """The ``lists`` part, complete (every layout class) and checked; raises ValidationError."""
    if data in (None, ""):
        data = {}
    if not isinstance(data, dict):
        raise ValidationError("列表样式须按栏目类型填写。")
    errors = []
    unknown = sorted(set(data) - set(LAYOUT_CLASSES))
    if unknown:
        errors.append(f"没有这类栏目：{'、'.join(unknown)}。可选：{'、'.join(LAYOUT_CLASSES)}。")
    cleaned = {}
    for column_class, label in LAYOUT_CLASSES.items():
        given = data.get(column_class) or {}
        if not isinstance(given, dict):
            errors.append(f"{label}的列表样式写法有误。")
            continue
        value = {**DEFAULT_LISTS[column_class], **given}
        extra = sorted(set(value) - {"layout", "per_page", "summary", "date"})
        if extra:
            errors.append(f"{label}的列表样式不认识这些项：{'、'.join(extra)}。")
        if value["layout"] not in LIST_LAYOUTS:
            errors.append(f"{label}的列表样式只能从主题库中选择：{'、'.join(LIST_LAYOUTS.values())}。")
        per_page = _int(value["per_page"], *PER_PAGE_RANGE, f"{label}每页条数", errors)
        cleaned[column_class] = {
            "layout": value["layout"],
            "per_page": per_page,
            "summary": _bool(value["summary"]),
            "date": _bool(value["date"]),
        }
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_region(region, index, errors, seen):
    where = f"第 {index} 个区域"
    if not isinstance(region, dict):
        errors.append(f"{where}写法有误。")
        return None
    extra = sorted(set(region) - {"key", "label", "blocks", "max_blocks", "count", "unlocked"})
    if extra:
        errors.append(f"{where}不认识这些项：{'、'.join(extra)}。")
    key = str(region.get("key") or "")
    if not REGION_KEY_RE.match(key):
        errors.append(f"{where}的代码须为小写英文字母开头的字母、数字或下划线（至多 20 个），如 main。")
    elif key in seen:
        errors.append(f"区域代码“{key}”重复。")
    seen.add(key)
    label = str(region.get("label") or "").strip()
    if not label or len(label) > 20 or re.search(r"[<>{}%]", label):
        errors.append(f"{where}的名称须为 1 到 20 个字，不含 < > {{ }} %。")
    blocks = region.get("blocks") or []
    if not isinstance(blocks, list) or not blocks:
        errors.append(f"{where}至少要放一种版块。")
        blocks = []
    bad = [str(b) for b in blocks if b not in HOME_BLOCK_TYPES]
    if bad:
        errors.append(f"{where}中没有这种版块：{'、'.join(bad)}。可选：{'、'.join(HOME_BLOCK_TYPES)}。")
    max_blocks = _int(region.get("max_blocks", 4), *MAX_BLOCKS_RANGE, f"{where}的版块数", errors)
    count = region.get("count")
    if count not in (None, ""):
        count = _int(count, *COUNT_RANGE, f"{where}每个版块的条数", errors)
    else:
        count = None
    return {
        "key": key,
        "label": label,
        "blocks": [b for b in dict.fromkeys(blocks) if b in HOME_BLOCK_TYPES],
        "max_blocks": max_blocks,
        "count": count,
        "unlocked": _bool(region.get("unlocked", False)),
    }


def clean_home(data):
    """The ``home`` part: a list of regions, checked; raises ValidationError."""
    if data in (None, ""):
        data = {}
    if not isinstance(data, dict):
        raise ValidationError("首页版块区域写法有误。")
    regions = data.get("regions") or []
    if not isinstance(regions, list):
        raise ValidationError("首页版块区域须为列表。")
    if len(regions) > MAX_REGIONS:
        raise ValidationError(f"首页至多 {MAX_REGIONS} 个区域。")
    errors, seen = [], set()
    cleaned = [_clean_region(region, i, errors, seen) for i, region in enumerate(regions, 1)]
    if errors:
        raise ValidationError(errors)
    return {"regions": cleaned}


def clean_layouts(data):
    """A version's ``layouts``, complete and checked."""
    if data in (None, ""):
        data = {}
    if not isinstance(data, dict):
        raise ValidationError("版式数据写法有误。")
    extra = sorted(set(data) - {"lists", "home"})
    if extra:
        raise ValidationError(f"版式数据不认识这些项：{'、'.join(extra)}。")
    errors = []
    result = {}
    for part, cleaner in (("lists", clean_lists), ("home", clean_home)):
        try:
            result[part] = cleaner(data.get(part))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return result


def list_layout(layouts, column_class):
    """The ``ListLayout`` of ``column_class`` in ``layouts`` (a theme's), None for other classes."""
    if column_class not in LAYOUT_CLASSES:
        return None
    lists = (layouts or {}).get("lists") or {}
    value = {**DEFAULT_LISTS[column_class], **(lists.get(column_class) or {})}
    if value.get("layout") not in LIST_LAYOUTS:
        value["layout"] = DEFAULT_LISTS[column_class]["layout"]
    try:
        per_page = max(PER_PAGE_RANGE[0], min(PER_PAGE_RANGE[1], int(value.get("per_page"))))
    except (TypeError, ValueError):
        per_page = DEFAULT_LISTS[column_class]["per_page"]
    return ListLayout(column_class, value["layout"], per_page, bool(value.get("summary")), bool(value.get("date")))


def home_regions(layouts):
    return ((layouts or {}).get("home") or {}).get("regions") or []


def clean_site_override(regions, override):
    """A site admin's variation of the home regions, checked against the version's regions.

    ``override``: ``{region key: {"blocks": [...], "count": n}}``. Only unlocked regions may be
    varied; blocks only from those the web office put in the region. Raises ValidationError.
    """
    if override in (None, ""):
        return {}
    if not isinstance(override, dict):
        raise ValidationError("首页版块设置写法有误。")
    by_key = {region["key"]: region for region in regions}
    errors, cleaned = [], {}
    for key, value in override.items():
        region = by_key.get(key)
        if region is None:
            errors.append(f"当前主题没有“{key}”区域。")
            continue
        if not region.get("unlocked"):
            errors.append(f"“{region['label']}”区域已由网站办锁定，站点不能修改。")
            continue
        if not isinstance(value, dict):
            errors.append(f"“{region['label']}”区域的设置写法有误。")
            continue
        extra = sorted(set(value) - {"blocks", "count"})
        if extra:
            errors.append(f"“{region['label']}”区域不认识这些项：{'、'.join(extra)}。")
        blocks = value.get("blocks", region["blocks"])
        if not isinstance(blocks, list):
            errors.append(f"“{region['label']}”区域的版块须为列表。")
            continue
        outside = [str(b) for b in blocks if b not in region["blocks"]]
        if outside:
            errors.append(f"“{region['label']}”区域只能放网站办选定的版块，不能放：{'、'.join(outside)}。")
        entry = {"blocks": [b for b in dict.fromkeys(blocks) if b in region["blocks"]]}
        if value.get("count") not in (None, ""):
            entry["count"] = _int(value["count"], *COUNT_RANGE, f"“{region['label']}”区域的条数", errors)
        cleaned[key] = entry
    if errors:
        raise ValidationError(errors)
    return cleaned


def effective_regions(regions, override):
    """The regions as the site shows them: the version's, varied where unlocked and overridden."""
    result = []
    for region in regions:
        region = dict(region)
        change = (override or {}).get(region["key"])
        if change and region.get("unlocked"):
            allowed = region["blocks"]
            region["blocks"] = [b for b in change.get("blocks", allowed) if b in allowed]
            if change.get("count"):
                region["count"] = change["count"]
        result.append(region)
    return result
