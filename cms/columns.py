"""The standard column tree of each kind of site (国办发〔2017〕47号, 信息发布 and 政府信息公开)."""

from .models import ColumnClass as C
from .models import ColumnPage

# (title, slug, column class, children)
_DISCLOSURE = (
    "政府信息公开",
    "xxgk",
    C.DISCLOSURE,
    [
        ("政府信息公开指南", "gkzn", C.DISCLOSURE, []),
        ("政府信息公开制度", "gkzd", C.DISCLOSURE, []),
        ("法定主动公开内容", "fdzdgk", C.DISCLOSURE, []),
        ("政府信息公开年报", "gknb", C.DISCLOSURE, []),
        ("依申请公开", "ysqgk", C.DISCLOSURE, []),
    ],
)
_COMMON_TAIL = [
    ("通知公告", "tzgg", C.NOTICE, []),
    ("政策文件", "zcwj", C.POLICY, []),
    _DISCLOSURE,
    ("办事服务", "bsfw", C.SERVICE, []),
    ("互动交流", "hdjl", C.INTERACTION, []),
]

STANDARD_TREES = {
    "portal": [
        ("概况信息", "gkxx", C.STATIC, []),
        (
            "政务动态",
            "zwdt",
            C.NEWS,
            [("要闻", "yw", C.NEWS, []), ("部门动态", "bmdt", C.NEWS, []), ("县区动态", "xqdt", C.NEWS, [])],
        ),
        *_COMMON_TAIL,
    ],
    "department": [
        ("概况信息", "gkxx", C.STATIC, []),
        ("机构职能", "jgzn", C.STATIC, []),
        ("负责人信息", "fzrxx", C.STATIC, []),
        ("政务动态", "zwdt", C.NEWS, [("工作动态", "gzdt", C.NEWS, [])]),
        *_COMMON_TAIL,
    ],
    # Township and county departments are columns of their county portal, not sites (47号).
    "county": [
        ("概况信息", "gkxx", C.STATIC, []),
        (
            "政务动态",
            "zwdt",
            C.NEWS,
            [("要闻", "yw", C.NEWS, []), ("部门动态", "bmdt", C.NEWS, []), ("乡镇动态", "xzdt", C.NEWS, [])],
        ),
        *_COMMON_TAIL,
        ("县直部门", "xzbm", C.STATIC, []),
        ("乡镇（街道）", "xzjd", C.STATIC, []),
    ],
}
STANDARD_TREES["district"] = STANDARD_TREES["county"]
STANDARD_TREES["topic"] = [("专题动态", "ztdt", C.NEWS, []), ("相关文件", "xgwj", C.POLICY, [])]

# Portal aggregation and 信息报送 (publishing.syndication): 部门动态 lists the departments' news and
# 县区动态 the county and district portals' news, read from the catalogue; 要闻 and 通知公告 take
# items that lower sites offer. Keyed by site kind, then column slug.
COLUMN_OPTIONS = {
    "portal": {
        "bmdt": {"aggregate_from": "departments", "aggregate_column_class": C.NEWS},
        "xqdt": {"aggregate_from": "counties", "aggregate_column_class": C.NEWS},
        "yw": {"accepts_submissions": True},
        "tzgg": {"accepts_submissions": True},
    }
}


def build_column_tree(home, kind):
    """Create the kind's standard columns under ``home``; returns the number of columns made."""
    made = 0

    def add(parent, nodes):
        nonlocal made
        for title, slug, column_class, children in nodes:
            column = parent.add_child(
                instance=ColumnPage(
                    title=title,
                    slug=slug,
                    column_class=column_class,
                    show_in_menus=parent == home,
                    **COLUMN_OPTIONS.get(kind, {}).get(slug, {}),
                )
            )
            made += 1
            add(column, children)

    add(home, STANDARD_TREES[kind])
    return made
