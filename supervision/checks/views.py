"""监管 screens in the Wagtail admin: the web office's cluster dashboard and each site's page.

Who sees what (checked here on the server, whatever the menu shows):
* the cluster dashboard: the web office only (403 for anybody else);
* a site's page: the web office, and the site's own admins on that site's admin (404 for any other
  site's page, so a site admin cannot even learn which codes exist); editors and the other roles
  see nothing.
"""

import datetime

from django.contrib import messages
from django.db.models import Avg, Count, Q
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sites.access import current_site, roles_on
from sites.models import Role, SiteKind, Tenant
from sites.scope import managed_sites, manages, manages_any, subtree

from . import services
from .charts import trend_svg
from .models import Alarm, DailyResult
from .rules import PASS_MARK, RULES, label

TREND_DAYS = 30


def can_see_cluster(user):
    """The cluster's web office, and a portal's (scoped) one, which sees its own subtree only."""
    return manages_any(user)


def can_see_site(user, tenant):
    if manages(user, tenant):
        return True
    here = current_site()
    return here is not None and here.pk == tenant.pk and Role.SITE_ADMIN in roles_on(user, tenant)


def admin_base(tenant):
    """The origin of the site's admin: its admin host when it has one (内网采编), else its public host."""
    domain = tenant.domains.filter(is_admin_host=True).first() or tenant.primary_domain
    if domain is None:
        return ""
    public = tenant.base_url()
    scheme, _sep, rest = public.partition("://")
    port = rest.partition(":")[2]
    return f"{scheme}://{domain.domain}{f':{port}' if port else ''}"


def _reverse(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def fix_link(tenant, item):
    """(label, URL) of the screen that fixes ``item``, or (hint, "") when no screen does."""
    base = admin_base(tenant)
    code, page_id = item["rule"], item.get("page_id")
    if code == "homepage_stale" and page_id:
        return "到栏目发布信息", base + _reverse("wagtailadmin_explore", page_id)
    if code in ("column_stale", "empty_column") and page_id:
        return "在本栏目发布信息", base + _reverse("wagtailadmin_pages:add_subpage", page_id)
    if code == "wording_error" and page_id:
        return "修改页面", base + _reverse("wagtailadmin_pages:edit", page_id)
    if code == "unanswered_message" and item.get("object_id"):
        name = "interaction:message" if item.get("fix") == "message" else "interaction:application"
        path = _reverse(name, item["object_id"])
        return ("到互动交流办理", base + path) if path else ("在互动交流中办理", "")
    if code in ("broken_link", "broken_attachment") and item.get("url"):
        return "打开所在页面", item["url"]
    if code == "footer_missing":
        # The footer's registration data is the site record, kept by the web office (sites/console/).
        path = _reverse("sites_console:site", tenant.code)
        return ("更新站点登记信息（网站办）", base + path) if path else ("请网站办更新站点登记信息", "")
    return "", ""


def _latest(tenant):
    return DailyResult.objects.filter(tenant=tenant).order_by("-day").first()


def _trends(tenant_ids, today):
    since = today - datetime.timedelta(days=TREND_DAYS - 1)
    points = {}
    for tenant_id, day, score, passed in (
        DailyResult.objects.filter(tenant_id__in=tenant_ids, day__gte=since, day__lte=today)
        .order_by("day")
        .values_list("tenant_id", "day", "score", "passed")
    ):
        points.setdefault(tenant_id, []).append((day, score, passed))
    return points


def ranking(year, sites=None):
    """年度考核: department sites (of ``sites``, default all) by their average score over the year;
    a site with veto days ranks after every site without."""
    serving = Tenant.objects.serving() if sites is None else sites.filter(pk__in=Tenant.objects.serving())
    rows = (
        DailyResult.objects.filter(day__year=year, tenant__kind=SiteKind.DEPARTMENT, tenant__in=serving)
        .values("tenant_id", "tenant__name", "tenant__code")
        .annotate(average=Avg("score"), days=Count("id"), veto_days=Count("id", filter=~Q(vetoes=[])))
    )
    rows = sorted(rows, key=lambda r: (r["veto_days"] > 0, -r["average"], r["tenant__code"]))
    for place, row in enumerate(rows, 1):
        row["place"] = place
        row["average"] = round(row["average"], 1)
    return rows


def refused():
    # A plain 403, not PermissionDenied: Wagtail's admin turns that into a redirect to its home.
    return HttpResponseForbidden("您无权查看站群监管总览。")


@require_http_methods(["GET", "POST"])
def cluster_dashboard(request):
    if not can_see_cluster(request.user):
        return refused()
    today = timezone.localdate()
    # Every level rolls up: the sites the viewer manages, narrowed to one portal's subtree by ?under=.
    scope = managed_sites(request.user)
    under = scope.filter(code=request.GET.get("under", "")).first()
    if under is not None:
        scope = scope.filter(pk__in=subtree(under))
    if request.method == "POST":
        # 立即检查: today's results of the sites in view replaced; no alarm mail from a click.
        checked = services.run(among=scope, alarms=False)
        messages.success(request, f"已检查 {len(checked)} 个站点，结果已更新。")
        return redirect(request.get_full_path())
    tenants = list(services.sites().filter(pk__in=scope))
    latest = {}
    for result in DailyResult.objects.filter(tenant__in=tenants).order_by("tenant_id", "-day").distinct("tenant_id"):
        latest[result.tenant_id] = result
    trends = _trends([t.pk for t in tenants], today)
    rows = []
    for tenant in tenants:
        result = latest.get(tenant.pk)
        rows.append(
            {
                "tenant": tenant,
                "result": result,
                "vetoes": [label(code) for code in (result.vetoes if result else [])],
                "trend": trend_svg(trends.get(tenant.pk, [])),
                "url": reverse("supervision:site", args=[tenant.code]),
            }
        )
    # Those that will fail first: vetoes, then the lowest scores; sites never checked last.
    rows.sort(
        key=lambda r: (
            r["result"] is None,
            bool(r["result"] and r["result"].passed),
            r["result"].score if r["result"] else 0,
        )
    )
    checked = [r for r in rows if r["result"]]
    return TemplateResponse(
        request,
        "supervision/cluster.html",
        {
            "rows": rows,
            "failing": sum(1 for r in checked if not r["result"].passed),
            "checked": len(checked),
            "ranking": ranking(today.year, scope),
            "under": under,
            "portals": [t for t in managed_sites(request.user).filter(kind=SiteKind.PORTAL).order_by("id")],
            "year": today.year,
            "pass_mark": PASS_MARK,
            "rules": [(code, row["label"]) for code, row in RULES.items()],
        },
    )


@require_http_methods(["GET", "POST"])
def site_page(request, code):
    tenant = Tenant.objects.sites().filter(code=code).first()
    if tenant is None or not can_see_site(request.user, tenant):
        raise Http404
    if request.method == "POST":
        # 立即检查: today's result of this site replaced, no alarm mail from a click.
        result = services.check(tenant)
        services.save_result(tenant, timezone.localdate(), result)
        return redirect(reverse("supervision:site", args=[tenant.code]))
    stored = _latest(tenant)
    findings = stored.findings if stored else services.check(tenant)["findings"]
    rows = []
    for item in findings:
        fix_label, fix_url = fix_link(tenant, item)
        rows.append({**item, "label": label(item["rule"]), "fix_label": fix_label, "fix_url": fix_url})
    today = timezone.localdate()
    return TemplateResponse(
        request,
        "supervision/site.html",
        {
            "tenant": tenant,
            "result": stored,
            "vetoes": [label(code) for code in (stored.vetoes if stored else [])],
            "findings": rows,
            "trend": trend_svg(_trends([tenant.pk], today).get(tenant.pk, []), width=480, height=120),
            "alarms": Alarm.objects.filter(tenant=tenant).order_by("-day", "-id")[:20],
            "is_web_office": manages_any(request.user),  # the back link: a city's web office has its overview too
            "cluster_url": reverse("supervision:cluster"),
        },
    )


def index(request):
    """The menu's entry: the cluster for the web office, one's own site for a site admin."""
    if can_see_cluster(request.user):
        return redirect("supervision:cluster")
    here = current_site()
    if here is not None and can_see_site(request.user, here):
        return redirect("supervision:site", code=here.code)
    return refused()
