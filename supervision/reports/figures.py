"""发稿量: items published per site, column, month and editor, and the review chain's turnaround.

Everything returns plain dicts and lists (for the admin screen, the CSV export and the annual
report), computed from:

* the catalogue (public schema): one row per live item with its site, column and first publish
  time. An item published and withdrawn since is not counted (the catalogue holds what is live);
* each site's schema: who wrote an item — the author of the revision that was first published
  (Wagtail's ``wagtail.publish`` log entry names it; the page's owner when no entry exists, e.g.
  content imported from an old site) — and the review steps' task states.

Months and periods are local (Asia/Shanghai), like every date the product shows.
"""

import datetime
import statistics
from collections import Counter, defaultdict

from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.models import Page, PageLogEntry, TaskState

from publishing.catalogue.models import CatalogueEntry
from publishing.review.models import ReviewStepTask, Step

UNKNOWN_EDITOR = "（未记录）"
NO_COLUMN = "（首页及其他）"


def period_bounds(year, month=None):
    """The period as aware datetimes [start, end) in the local time zone, and its label."""
    zone = timezone.get_current_timezone()
    if month:
        start = datetime.datetime(year, month, 1, tzinfo=zone)
        end = datetime.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
        return start, end, f"{year}年{month}月"
    return datetime.datetime(year, 1, 1, tzinfo=zone), datetime.datetime(year + 1, 1, 1, tzinfo=zone), f"{year}年"


def _name(user):
    return (user.get_full_name() or user.get_username()) if user else UNKNOWN_EDITOR


def editors_of(tenant, page_ids):
    """{page id: editor's name}: the author of each page's first published revision."""
    if not page_ids:
        return {}
    with schema_context(tenant.schema_name):
        first_publish = (
            PageLogEntry.objects.filter(page_id__in=page_ids, action="wagtail.publish")
            .order_by("page_id", "timestamp", "id")
            .distinct("page_id")
            .values_list("page_id", "revision__user_id")
        )
        author_ids = dict(first_publish)
        owners = dict(Page.objects.filter(pk__in=page_ids).values_list("pk", "owner_id"))
    user_ids = {author_ids.get(pk) or owners.get(pk) for pk in page_ids} - {None}
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in=user_ids)}
    return {pk: _name(users.get(author_ids.get(pk) or owners.get(pk))) for pk in page_ids}


def review_turnaround(tenant, start, end):
    """Per review step: how many approvals finished in [start, end) and the median hours from the
    step's start to its approval. [{"step", "label", "approvals", "median_hours"}] in chain order."""
    labels = dict(Step.choices)
    with schema_context(tenant.schema_name):
        steps = dict(ReviewStepTask.objects.values_list("pk", "step"))
        states = TaskState.objects.filter(
            task_id__in=list(steps),
            status=TaskState.STATUS_APPROVED,
            finished_at__gte=start,
            finished_at__lt=end,
        ).values_list("task_id", "started_at", "finished_at")
        hours = defaultdict(list)
        for task_id, started_at, finished_at in states:
            hours[steps[task_id]].append((finished_at - started_at).total_seconds() / 3600)
    return [
        {
            "step": step,
            "label": str(labels[step]),
            "approvals": len(hours[step]),
            "median_hours": round(statistics.median(hours[step]), 1) if hours[step] else None,
        }
        for step in Step.values
    ]


def site_figures(tenant, year, month=None):
    """发稿量 of one site for a year (or one month of it).

    Returns {"code", "name", "period", "total", "by_month": [{"month", "count"}],
    "by_column": [{"column", "count"}], "by_editor": [{"editor", "count"}],
    "rows": [{"month", "column", "editor", "count"}], "review": review_turnaround(...)}.
    """
    start, end, label = period_bounds(year, month)
    entries = list(
        CatalogueEntry.objects.filter(tenant=tenant, published_at__gte=start, published_at__lt=end).values_list(
            "page_id", "column_title", "published_at"
        )
    )
    editors = editors_of(tenant, [page_id for page_id, _column, _at in entries])
    combos = Counter()
    for page_id, column, published_at in entries:
        combos[(timezone.localtime(published_at).strftime("%Y-%m"), column or NO_COLUMN, editors[page_id])] += 1

    def totals(index, key):
        counter = Counter()
        for combo, count in combos.items():
            counter[combo[index]] += count
        ordered = sorted(counter.items()) if index == 0 else counter.most_common()
        return [{key: name, "count": count} for name, count in ordered]

    return {
        "code": tenant.code,
        "name": tenant.name,
        "period": label,
        "total": len(entries),
        "by_month": totals(0, "month"),
        "by_column": totals(1, "column"),
        "by_editor": totals(2, "editor"),
        "rows": [
            {"month": month_, "column": column, "editor": editor, "count": count}
            for (month_, column, editor), count in sorted(combos.items())
        ],
        "review": review_turnaround(tenant, start, end),
    }


def cluster_figures(tenants, year, month=None):
    """``site_figures`` of each site, and the total: {"period", "total", "sites": [...]}."""
    sites = [site_figures(tenant, year, month) for tenant in tenants]
    return {
        "period": period_bounds(year, month)[2],
        "total": sum(site["total"] for site in sites),
        "sites": sites,
    }


CSV_HEADER = ["站点代码", "站点", "月份", "栏目", "编辑", "发稿量"]


def csv_rows(figures):
    """The rows of the CSV export of ``cluster_figures`` (the header is ``CSV_HEADER``)."""
    for site in figures["sites"]:
        for row in site["rows"]:
            yield [site["code"], site["name"], row["month"], row["column"], row["editor"], row["count"]]


REVIEW_CSV_HEADER = ["站点代码", "站点", "审核环节", "通过数", "中位用时（小时）"]


def review_csv_rows(figures):
    for site in figures["sites"]:
        for step in site["review"]:
            hours = "" if step["median_hours"] is None else step["median_hours"]
            yield [site["code"], site["name"], step["label"], step["approvals"], hours]
