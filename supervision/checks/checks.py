"""The checks of one site, reading what the public sees: the page tree (through the one visibility
rule), the catalogue, the interaction app, the crawler's records and the site's registration data.

No page is rendered: a column's list is computed the way ``ColumnPage.get_context`` and
cms/templates/cms/lists/*.html decide it, from two queries over the site's tree.

Each check returns findings, dicts of ``rule`` (a code of rules.RULES), ``message`` (Chinese),
``url`` (the public page, where one applies), ``page_id`` (to link the editor), ``veto`` (this
finding alone fails the site), ``points`` (its deduction before the rule's cap) and ``alarm``
(a reminder stage before a deadline, or None), plus ``key`` (what an alarm is about).
"""

import calendar
import datetime
import logging
import re

from django.db import DatabaseError
from django.db.models import Max
from django.db.models.functions import Left, Length
from django.utils import timezone
from django_tenants.utils import tenant_context

from supervision.crawler.models import LinkFinding, Probe

from .rules import rule
from .wording import candidate_pattern, leaders_from, list_entries, scan

logger = logging.getLogger(__name__)

ALL_RULES = (
    "homepage_stale",
    "column_stale",
    "empty_column",
    "unanswered_message",
    "availability",
    "broken_link",
    "broken_attachment",
    "wording_error",
    "footer_missing",
)


def finding(code, message, *, url="", page_id=None, veto=False, points=0.0, alarm=None, key="", **extra):
    return {
        "rule": code,
        "message": message,
        "url": url,
        "page_id": page_id,
        "veto": veto,
        "points": points,
        "alarm": alarm,
        "key": key,
        **extra,
    }


def months_before(day, months):
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_day(moment):
    return timezone.localtime(moment).date() if moment else None


# --- the page tree -------------------------------------------------------------------------


class Tree:
    """The live, public columns and items of the current site, read once."""

    def __init__(self):
        from wagtail.models import Page

        # cms is below supervision; imported here so that the module loads before the app registry.
        from cms.models import ColumnPage, SiteHomePage
        from cms.models.columns import item_models  # the page types a column lists (same reason)
        from cms.visibility import listed, private_sections  # the one visibility rule (same reason)

        self.private = private = private_sections()  # the restrictions read once for every list of the pass
        self.home = listed(SiteHomePage.objects, private).first()
        self.columns = list(
            listed(ColumnPage.objects, private)
            .order_by("path")
            .only(
                "id",
                "path",
                "depth",
                "title",
                "slug",
                "url_path",
                "column_class",
                "aggregate_from",
                "accepts_submissions",
            )
        )
        types = item_models()
        # The newest item under each column: one query grouped by the items' parent, then carried
        # up the tree (a column lists every item below it; a site holds thousands of items but a
        # few dozen parents).
        self.newest = {}
        if types:
            steplen = Page.steplen
            rows = (
                listed(Page.objects, private)
                .type(*types)
                .annotate(parent=Left("path", Length("path") - steplen))
                .values("parent")
                .annotate(newest=Max("first_published_at"))
                .values_list("parent", "newest")
            )
            for parent, newest in rows:
                if newest is None:
                    continue
                for end in range(steplen, len(parent) + 1, steplen):
                    prefix = parent[:end]
                    if self.newest.get(prefix) is None or newest > self.newest[prefix]:
                        self.newest[prefix] = newest
        # Children shown as a column's content (static, leader and service pages): not columns, not items.
        self.parents_of_other_children = {
            path[: -Page.steplen]
            for path in listed(Page.objects, private)
            .not_type(ColumnPage, *types)
            .exclude(depth__lte=2)
            .values_list("path", flat=True)
        }

    def newest_under(self, path):
        """The newest first publish time of an item anywhere under the column at ``path``."""
        return self.newest.get(path)

    def has_other_child(self, column):
        return column.path in self.parents_of_other_children


def column_newest(tree, column):
    """What the column's list shows first: its own items, or, where an app extends the listing
    (portal aggregation, 信息报送: hook ``cms_column_listing``), the listing's first entry."""
    if column.aggregate_from or column.accepts_submissions:
        try:
            first = list(column.listing()[:1])
        except DatabaseError:
            first = []
        newest_here = tree.newest_under(column.path)
        if first:
            other = getattr(first[0], "first_published_at", None) or getattr(first[0], "published_at", None)
            if other and (newest_here is None or other > newest_here):
                return other
        return newest_here
    return tree.newest_under(column.path)


def column_services(column):
    """The online services the column shows besides its list (hook ``cms_column_services``)."""
    from cms.models import extensions  # cms is below supervision: the content types' hook names

    name = getattr(extensions, "COLUMN_SERVICES", None)
    if name is None:
        return []
    try:
        return extensions.all_answers(name, column, None)
    except Exception:  # a hook failing must not stop the check of the cluster
        logger.exception("column services hook failed for column %s", column.pk)
        return []


def shows_empty_text(tree, column, newest):
    """True when the column's public list reads "本栏目暂无信息" (cms/templates/cms/lists/*.html):
    news, notice and policy lists show it when there are no items, whatever children the column
    has; interaction lists unless online services are shown; disclosure lists unless online
    services or a child page (the 公开指南 itself) are shown; service and static lists unless a
    child page (a guide, a leader) is shown."""
    if newest is not None:
        return False
    cls = column.column_class or "news"
    if cls == "interaction":
        return not column_services(column)
    if cls == "disclosure":
        return not column_services(column) and not tree.has_other_child(column)
    if cls in ("service", "static"):
        return not tree.has_other_child(column)
    return True


def page_url(page, base):
    """The public URL under the site's base URL, from the tree path (no Site lookups per page)."""
    parts = page.url_path.strip("/").split("/")[1:]
    return f"{base}/{'/'.join(parts)}/" if parts else f"{base}/"


def check_columns(tree, today, base):
    findings = []
    stale_rule = rule("column_stale")
    empty_rule = rule("empty_column")
    stale_count = long_stale = empty = 0
    for column in tree.columns:
        newest = column_newest(tree, column)
        url = page_url(column, base)
        if shows_empty_text(tree, column, newest):
            empty += 1
            findings.append(
                finding(
                    "empty_column",
                    f"栏目“{column.title}”对公众显示“本栏目暂无信息”。",
                    url=url,
                    page_id=column.pk,
                    points=empty_rule["points"],
                )
            )
            continue
        limit = stale_rule["days"].get(column.column_class)
        if limit is None or newest is None:
            continue
        age = (today - local_day(newest)).days
        if age >= stale_rule["long_stale_days"]:
            long_stale += 1
        reminders = stale_rule["remind_on_days"][column.column_class]
        if age >= limit:
            stale_count += 1
            findings.append(
                finding(
                    "column_stale",
                    f"栏目“{column.title}”已 {age} 天未更新（{column.get_column_class_display()}栏目应在 {limit} 天内更新），"
                    f"最近一条发布于 {local_day(newest):%Y-%m-%d}。",
                    url=url,
                    page_id=column.pk,
                    points=stale_rule["points"],
                    alarm="stale",
                    key=f"column:{column.pk}:{local_day(newest)}",
                )
            )
        elif age >= reminders[0]:
            stage = f"day{reminders[1]}" if age >= reminders[1] else f"day{reminders[0]}"
            findings.append(
                finding(
                    "column_stale",
                    f"栏目“{column.title}”已 {age} 天未更新，{limit - age} 天后将超过 {limit} 天的更新期限。",
                    url=url,
                    page_id=column.pk,
                    points=0,
                    alarm=stage,
                    key=f"column:{column.pk}:{local_day(newest)}",
                    reminder=True,
                )
            )
    if stale_count >= stale_rule["veto_count"]:
        findings.insert(
            0,
            finding(
                "column_stale",
                f"{stale_count} 个栏目未按期更新（达到 {stale_rule['veto_count']} 个即单项否决）。",
                veto=True,
            ),
        )
    if long_stale >= stale_rule["long_stale_veto_count"]:
        findings.insert(
            0,
            finding(
                "column_stale",
                f"{long_stale} 个应更新栏目超过 {stale_rule['long_stale_days']} 天未更新"
                f"（达到 {stale_rule['long_stale_veto_count']} 个即单项否决）。",
                veto=True,
            ),
        )
    if empty >= empty_rule["veto_count"]:
        findings.insert(
            0,
            finding("empty_column", f"{empty} 个空白栏目（达到 {empty_rule['veto_count']} 个即单项否决）。", veto=True),
        )
    return findings


def homepage_newest(tree):
    """The newest item the homepage shows: its 栏目最新信息/通知公告 blocks' columns, the newest
    disclosure documents of its 信息公开入口 block; with no blocks, the newest article."""
    from cms.models import ArticlePage, DisclosureDocumentPage  # cms is below supervision: home's item types
    from cms.visibility import listed  # the one visibility rule (same reason)

    home = tree.home
    if home is None:
        return None
    blocks = list(home.body.raw_data) if home.body else []
    if not blocks:
        newest = (
            listed(ArticlePage.objects, tree.private)
            .order_by("-first_published_at")
            .values_list("first_published_at", flat=True)
            .first()
        )
        return newest
    by_id = {column.pk: column for column in tree.columns}
    newest = None
    for block in blocks:
        value = block.get("value") or {}
        column_id = value.get("column") if isinstance(value, dict) else None
        candidate = None
        # Block names of cms.blocks.HOME_BLOCKS: the two that list a column's newest items.
        if block.get("type") in ("column_latest", "notices"):
            column = by_id.get(column_id)
            candidate = column_newest(tree, column) if column else None
        elif block.get("type") == "disclosure" and column_id and value.get("count", 5):
            candidate = (
                listed(DisclosureDocumentPage.objects, tree.private)
                .order_by("-first_published_at")
                .values_list("first_published_at", flat=True)
                .first()
            )
        if candidate and (newest is None or candidate > newest):
            newest = candidate
    return newest


def check_homepage(tree, today, base):
    settings = rule("homepage_stale")
    newest = homepage_newest(tree)
    url = f"{base}/"
    page_id = tree.home.pk if tree.home else None
    if newest is None:
        return [finding("homepage_stale", "首页没有任何信息。", url=url, page_id=page_id, veto=True, key="home:none")]
    day = local_day(newest)
    age = (today - day).days
    limit = settings["days"]
    first, second = settings["remind_on_days"]
    key = f"home:{day}"
    if age >= limit:
        return [
            finding(
                "homepage_stale",
                f"首页已 {age} 天没有新信息（最近一条发布于 {day:%Y-%m-%d}，超过 {limit} 天即单项否决）。",
                url=url,
                page_id=page_id,
                veto=True,
                alarm="stale",
                key=key,
            )
        ]
    if age >= first:
        return [
            finding(
                "homepage_stale",
                f"首页已 {age} 天没有新信息，{limit - age} 天后将超过 {limit} 天（单项否决）。",
                url=url,
                page_id=page_id,
                alarm=f"day{second}" if age >= second else f"day{first}",
                key=key,
                reminder=True,
            )
        ]
    return []


def check_wording(tenant, tree_leaders, entries):
    """Catalogue rows of the site whose text can hold a hit, scanned in Python."""
    from publishing.catalogue.models import CatalogueEntry  # publishing is below supervision: live text

    leaders = leaders_from(tree_leaders)
    pattern = candidate_pattern(leaders, entries)
    if pattern is None:
        return []
    findings = []
    rows = (
        CatalogueEntry.objects.filter(tenant=tenant)
        .exclude(content_type="leader")
        .filter(body_text__regex=pattern)
        .values_list("page_id", "url", "title", "body_text")
    )
    wording_rule = rule("wording_error")
    for page_id, url, title, body in rows.iterator():
        for hit in scan(f"{title}\n{body}", leaders, entries):
            findings.append(
                finding(
                    "wording_error",
                    f"《{title}》{hit.message}",
                    url=url,
                    page_id=page_id,
                    veto=hit.veto,
                    points=0 if hit.veto else wording_rule["typo_points"],
                )
            )
    # Titles only (rows whose body did not match but whose title does).
    title_rows = (
        CatalogueEntry.objects.filter(tenant=tenant, title__regex=pattern)
        .exclude(content_type="leader")
        .exclude(body_text__regex=pattern)
        .values_list("page_id", "url", "title")
    )
    for page_id, url, title in title_rows:
        for hit in scan(title, leaders, entries):
            findings.append(
                finding(
                    "wording_error",
                    f"《{title}》{hit.message}",
                    url=url,
                    page_id=page_id,
                    veto=hit.veto,
                    points=0 if hit.veto else wording_rule["typo_points"],
                )
            )
    return findings


# --- the site's registration data ----------------------------------------------------------

PHONE_RE = re.compile(r"^[0-9０-９\-－()（）\s、,，转]{7,}$")


def check_footer(tenant):
    """The footer (themes/_shared/footer.html) shows each item only when it is filled in; the
    主办单位 falls back to the site's name and the 公安备案 link to the national record site."""
    rows = []
    if not re.fullmatch(r"\d{10}", tenant.site_identifier or ""):
        rows.append("网站标识码缺失或不是 10 位数字" if tenant.site_identifier else "网站标识码缺失")
    if not tenant.icp_number.strip():
        rows.append("ICP备案号缺失")
    elif not re.search(r"ICP备\s*\d+号", tenant.icp_number):
        rows.append(f"ICP备案号“{tenant.icp_number}”格式不正确")
    if not tenant.police_record_number.strip():
        rows.append("公安机关备案号缺失")
    elif not re.search(r"\d{6,}", tenant.police_record_number):
        rows.append(f"公安机关备案号“{tenant.police_record_number}”格式不正确")
    if not (tenant.sponsor or tenant.name).strip():
        rows.append("主办单位缺失")
    if not tenant.contact_phone.strip():
        rows.append("联系电话缺失")
    elif not PHONE_RE.match(tenant.contact_phone.strip()):
        rows.append(f"联系电话“{tenant.contact_phone}”格式不正确")
    if len(tenant.contact_address.strip()) < 4:
        rows.append("联系地址缺失" if not tenant.contact_address.strip() else "联系地址不完整")
    points = rule("footer_missing")["points"]
    return [finding("footer_missing", f"网站底部：{text}。", points=points, fix="site") for text in rows]


# --- the interaction app ---------------------------------------------------------------------


def overdue_rows(tenant_ids, today):
    """{tenant id: [(label, kind, pk, code, received, due)]}: overdue messages and applications."""
    # interaction is beside search, below supervision: its own queryset says what is overdue.
    from interaction.models import DisclosureApplication, Message

    rows = {}
    for m in (
        Message.objects.overdue(today)
        .filter(handling_tenant_id__in=tenant_ids)
        .only("pk", "code", "received_on", "due_date", "handling_tenant_id")
    ):
        rows.setdefault(m.handling_tenant_id, []).append(("留言", "message", m.pk, m.code, m.received_on, m.due_date))
    for a in (
        DisclosureApplication.objects.overdue(today)
        .filter(tenant_id__in=tenant_ids)
        .only("pk", "code", "received_on", "submitted_at", "due_date", "tenant_id")
    ):
        received = a.received_on or local_day(a.submitted_at)
        rows.setdefault(a.tenant_id, []).append(("依申请公开", "application", a.pk, a.code, received, a.due_date))
    return rows


def check_messages(tenant, today, facts=None):
    settings = rule("unanswered_message")
    limit = months_before(today, settings["veto_months"])
    findings = []
    rows = facts.overdue(tenant) if facts is not None else overdue_rows([tenant.pk], today).get(tenant.pk, [])
    for label, kind, pk, code, received, due in rows:
        late = (today - due).days
        veto = received is not None and received < limit
        message = f"{label} {code} 答复期限为 {due:%Y-%m-%d}，已超期 {late} 天"
        if veto:
            message += f"（{received:%Y-%m-%d} 收到，超过 {settings['veto_months']} 个月未答复，单项否决）"
        findings.append(
            finding(
                "unanswered_message",
                message + "。",
                veto=veto,
                points=settings["points"],
                alarm="overdue",
                key=f"{kind}:{code}",
                fix=kind,
                object_id=pk,
            )
        )
    return findings


# --- the crawler's records -------------------------------------------------------------------


def check_availability(tenant, now, probe_model=Probe, facts=None):
    settings = rule("availability")
    since = now - datetime.timedelta(days=settings["window_days"])
    if facts is not None and probe_model is Probe:
        probes = facts.probes.get(tenant.pk, [])
    else:
        probes = list(probe_model.objects.filter(tenant=tenant, at__gte=since).values_list("at", "ok", "seconds"))
    if not probes:
        return []

    def failed(ok, seconds):
        return not ok or (seconds is not None and seconds >= settings["slow_seconds"])

    failures = [at for at, ok, seconds in probes if failed(ok, seconds)]
    rate = len(failures) / len(probes)
    recent = [at for at in failures if at >= now - datetime.timedelta(days=1)]
    if not failures:
        return []
    veto = rate >= settings["veto_rate"]
    message = (
        f"近 {settings['window_days']} 天首页探测 {len(probes)} 次，{len(failures)} 次失败或超过 "
        f"{settings['slow_seconds']} 秒（{rate:.1%}，达到 {settings['veto_rate']:.0%} 即单项否决）。"
    )
    alarm = "drop" if (recent or rate >= settings["alarm_rate"]) else None
    return [
        finding(
            "availability",
            message,
            veto=veto,
            points=settings["points_per_percent"] * rate * 100,
            alarm=alarm,
            key=f"availability:{local_day(now)}",
        )
    ]


def check_links(tenant, link_model=LinkFinding, facts=None):
    findings = []
    for kind, code in (("link", "broken_link"), ("attachment", "broken_attachment")):
        settings = rule(code)
        if facts is not None and link_model is LinkFinding:
            rows = facts.broken.get((tenant.pk, kind), [])
        else:
            rows = link_model.objects.filter(tenant=tenant, status="broken", kind=kind).values_list(
                "page_url", "link_url", "link_text", "on_homepage"
            )
        for page, link, text, on_home in rows:
            what = "链接" if kind == "link" else "附件"
            findings.append(
                finding(
                    code,
                    f"{'首页' if on_home else '页面'}上的{what}“{text or link}”无法打开（{link}）。",
                    url=page,
                    points=settings["points_homepage"] if on_home else settings["points"],
                    alarm="broken" if on_home and kind == "link" else None,
                    key=f"link:{link}",
                    link_url=link,
                )
            )
    return findings


# --- one site ---------------------------------------------------------------------------------


class ClusterFacts:
    """What the checks read from the public schema (overdue messages, probes, broken links), for
    every site of a pass at once: a pass over 300 sites made each of these queries 300 times."""

    def __init__(self, tenants, today, now):
        ids = [tenant.pk for tenant in tenants]
        self.rows = overdue_rows(ids, today)
        since = now - datetime.timedelta(days=rule("availability")["window_days"])
        self.probes = {}
        for tenant_id, at, ok, seconds in Probe.objects.filter(tenant_id__in=ids, at__gte=since).values_list(
            "tenant_id", "at", "ok", "seconds"
        ):
            self.probes.setdefault(tenant_id, []).append((at, ok, seconds))
        self.broken = {}
        for tenant_id, kind, *row in (
            LinkFinding.objects.filter(tenant_id__in=ids, status="broken")
            .order_by("pk")
            .values_list("tenant_id", "kind", "page_url", "link_url", "link_text", "on_homepage")
        ):
            self.broken.setdefault((tenant_id, kind), []).append(tuple(row))

    def overdue(self, tenant):
        return self.rows.get(tenant.pk, [])


def check_site(tenant, today=None, now=None, *, entries=None, facts=None):
    """Every check of one site: a list of findings (veto findings first). ``facts``: a
    ``ClusterFacts`` read once for a pass over many sites (else each check reads its own)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    entries = list_entries() if entries is None else entries
    base = tenant.base_url().rstrip("/")
    findings = []
    with tenant_context(tenant):
        from cms.models import LeaderPage  # cms is below supervision: the right names and titles
        from cms.visibility import listed  # the one visibility rule (same reason)

        tree = Tree()
        findings += check_homepage(tree, today, base)
        findings += check_columns(tree, today, base)
        leaders = list(listed(LeaderPage.objects, tree.private).values_list("title", "position"))
    findings += check_messages(tenant, today, facts)
    findings += check_availability(tenant, now, facts=facts)
    findings += check_links(tenant, facts=facts)
    findings += check_wording(tenant, leaders, entries)
    findings += check_footer(tenant)
    findings.sort(key=lambda f: (not f["veto"], ALL_RULES.index(f["rule"])))
    return findings
