"""访问量 for the annual report (国办函〔2018〕12号) and the dashboards: queries over DailyTraffic."""

from django.db.models import Sum

from .models import DailyTotal, DailyTraffic


def annual_totals(year, tenant=None):
    """{tenant_id: {"views": 网站总访问量, "visitors": 独立用户访问总量}} for a calendar year.

    独立用户访问总量 is the sum of each day's unique visitors (国办函〔2018〕12号 reports it that way:
    a visitor is not followed across days, and could not be: the daily salts are discarded).
    """
    rows = DailyTotal.objects.filter(day__year=year)
    if tenant is not None:
        rows = rows.filter(tenant=tenant)
    totals = {}
    for row in rows.values("tenant_id").annotate(views=Sum("views"), visitors=Sum("visitors")):
        totals[row["tenant_id"]] = {"views": row["views"] or 0, "visitors": row["visitors"] or 0}
    return totals


def columns_of_year(tenant, year):
    """[(column slug, views, visitors)] of one site for a year, most viewed first ("" = homepage and
    pages outside the first-level columns; visitors summed over days, as above)."""
    rows = (
        DailyTraffic.objects.filter(tenant=tenant, day__year=year)
        .values("column_slug")
        .annotate(views=Sum("views"), visitors=Sum("visitors"))
        .order_by("-views", "column_slug")
    )
    return [(row["column_slug"], row["views"], row["visitors"]) for row in rows]


def daily(tenant, start, end):
    """[(day, views, visitors)] of one site from ``start`` to ``end`` inclusive, for a trend chart."""
    rows = DailyTotal.objects.filter(tenant=tenant, day__gte=start, day__lte=end).order_by("day")
    return [(row.day, row.views, row.visitors) for row in rows]
