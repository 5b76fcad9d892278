"""Run the checks over the cluster, keep each day's result, raise alarms and mail the daily digest."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sites.access import system_admins
from sites.models import Role, SiteGroup, Tenant

from .checks import ClusterFacts, check_site
from .models import Alarm, AlarmDigest, DailyResult
from .rules import label
from .score import score
from .wording import list_entries

logger = logging.getLogger(__name__)


def sites(code=None, among=None):
    """The serving sites in id order: one (``code``), those of ``among`` (a Tenant queryset), or all."""
    queryset = Tenant.objects.serving().order_by("id")
    if among is not None:
        queryset = queryset.filter(pk__in=among.values("pk"))
    return queryset.filter(code=code) if code else queryset


def public_finding(item):
    """A finding as stored and printed (the deduction's working fields stay inside)."""
    return {k: v for k, v in item.items() if v not in (None, "") or k in ("rule", "message", "url")}


def check(tenant, today=None, now=None, **kwargs):
    """One site's result: ``{"site", "name", "score", "passed", "vetoes", "findings"}``."""
    findings = check_site(tenant, today=today, now=now, **kwargs)
    result = score(findings)
    return {
        "site": tenant.code,
        "name": tenant.name,
        "score": result.score,
        "passed": result.passed,
        "vetoes": result.vetoes,
        "deductions": result.deductions,
        "findings": [public_finding(item) for item in findings],
    }


FIELDS = ("score", "passed", "vetoes", "findings")
SAVE_BATCH = 100


def save_results(day, pairs):
    """``(tenant, result)`` pairs as the day's results; re-running the same day replaces them."""
    now = timezone.now()
    rows = [
        DailyResult(tenant=tenant, day=day, checked_at=now, **{field: result[field] for field in FIELDS})
        for tenant, result in pairs
    ]
    DailyResult.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["tenant", "day"],
        update_fields=[*FIELDS, "checked_at"],
    )


def save_result(tenant, day, result):
    """Re-running the same day replaces that day's result."""
    save_results(day, [(tenant, result)])


def raise_alarms(tenant, day, findings):
    """An Alarm for each finding with a stage, once per subject and stage (no storm)."""
    made = []
    for item in findings:
        if not item.get("alarm"):
            continue
        alarm, created = Alarm.objects.get_or_create(
            tenant=tenant,
            rule=item["rule"],
            key=item.get("key") or item["message"][:300],
            stage=item["alarm"],
            defaults={"day": day, "message": item["message"][:500], "url": item.get("url", "")[:500]},
        )
        if created:
            made.append(alarm)
    return made


def run(code=None, today=None, now=None, *, among=None, save=True, alarms=True, progress=None):
    """Check every serving site (or one, or those of ``among``); returns the results in site order."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    entries = list_entries()
    results = []
    tenants = list(sites(code, among).prefetch_related("domains"))
    facts = ClusterFacts(tenants, today, now)
    pending = []

    def flush():
        # One statement for the results of a batch of sites, then the alarms (only findings with
        # a stage ask for one); a batch at a time, so a failure later keeps what was checked.
        with transaction.atomic():
            save_results(today, pending)
            if alarms:
                for tenant, result in pending:
                    raise_alarms(tenant, today, result["findings"])
        pending.clear()

    for tenant in progress(tenants) if progress else tenants:
        result = check(tenant, today=today, now=now, entries=entries, facts=facts)
        results.append(result)
        if save:
            pending.append((tenant, result))
            if len(pending) >= SAVE_BATCH:
                flush()
    if save and pending:
        flush()
    if save and alarms:
        send_digests(today)
    return results


# --- the daily digest ----------------------------------------------------------------------


def recipients():
    """{user: set of tenant ids or None (every site)}: the web office for every site, each site's
    admins for theirs; only accounts with an e-mail address."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    wanted = {user: None for user in users.filter(pk__in=system_admins().values("pk"))}
    # From the role bindings themselves: a site admin of jtj who is an editor of jyj gets jtj only.
    admins = list(
        SiteGroup.objects.filter(role=Role.SITE_ADMIN, tenant__isnull=False, group__user__in=users).values_list(
            "group__user", "tenant_id"
        )
    )
    by_pk = {user.pk: user for user in users.filter(pk__in={pk for pk, _t in admins})}
    for pk, tenant_id in admins:
        user = by_pk[pk]
        if user in wanted and wanted[user] is None:
            continue
        wanted.setdefault(user, set()).add(tenant_id)
    return wanted


def send_digests(today):
    """At most one e-mail a day per recipient, with the alarms raised since their previous one."""
    sent = 0
    for user, tenant_ids in recipients().items():
        if AlarmDigest.objects.filter(recipient=user, day=today).exists():
            continue
        since = AlarmDigest.objects.filter(recipient=user).aggregate(last=Max("last_alarm_id"))["last"] or 0
        alarms = Alarm.objects.filter(pk__gt=since).select_related("tenant").order_by("tenant_id", "id")
        if tenant_ids is not None:
            alarms = alarms.filter(tenant_id__in=tenant_ids)
        alarms = list(alarms)
        if not alarms:
            continue
        lines = [f"{user.get_full_name()}：", "", f"{today:%Y-%m-%d} 网站监管预警（国办秘函〔2019〕19号）："]
        current = None
        for alarm in alarms:
            if alarm.tenant_id != current:
                current = alarm.tenant_id
                lines += ["", f"【{alarm.tenant.name}】"]
            lines.append(f"- {label(alarm.rule)}：{alarm.message}" + (f" {alarm.url}" if alarm.url else ""))
        lines += ["", "请在期限前处理。详情见后台“网站监管”。"]
        try:
            send_mail(
                f"[网站监管] {today:%Y-%m-%d} 预警 {len(alarms)} 条",
                "\n".join(lines),
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
            )
        except OSError:
            # A mail server that is down must not stop the checks; tomorrow's digest carries these.
            logger.exception("could not send the supervision digest to %s", user.email)
            continue
        AlarmDigest.objects.create(recipient=user, day=today, last_alarm_id=alarms[-1].pk, alarm_count=len(alarms))
        sent += 1
    return sent


def rescan_wording(today=None):
    """A word list changed: check every site again (no alarms), so today's results show it."""
    return run(today=today, alarms=False)
