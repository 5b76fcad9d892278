"""哀悼模式: on a national mourning day every site of the cluster (or a chosen set) shows in grey.

Every public page links one small stylesheet, ``/mourning.css`` (``themes/_shared/head.html``),
whatever the schedule. Its answer is decided when it is asked for: ``html { filter: grayscale(1) }``
while a period covers the site (pictures included, the filter greys all the page paints), an empty
sheet otherwise. So the pages themselves never change at the start or the end of a period: a page
in the page cache (``serving.pagecache``), answered by the WSGI front before Django, and a page of
static output (``publishing.catalogue``, served by nginx, which passes ``/mourning.css`` to the
application) turn grey at the right minute with no purge, no re-export and no worker run. The
sheet may be kept by a browser at most ``MAX_AGE`` seconds, and never past the next start or end.

Periods live in the public schema (the themes app is shared). Each process keeps the periods it
read for ``CMS_PAGE_CACHE_RECHECK`` seconds (one small query per second at most, whatever the
traffic); a change in this process is seen at once, in another within that interval.
"""

import time
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sites import audit
from sites.models import Tenant

TIME_FORMAT = "%Y-%m-%d %H:%M"
MAX_AGE = 30  # seconds a browser may keep the sheet
GREY_CSS = (
    "/* 哀悼模式：全站灰色显示（themes/mourning.py） */\nhtml { filter: grayscale(1); -webkit-filter: grayscale(1); }\n"
)
PLAIN_CSS = "/* 哀悼模式未开启 */\n"


class MourningQuerySet(models.QuerySet):
    def in_force(self):
        """Not cancelled (a period switched off before it began)."""
        return self.filter(cancelled_at__isnull=True)

    def current(self, at=None):
        at = at or timezone.now()
        return self.in_force().filter(starts_at__lte=at).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))

    def upcoming(self, at=None):
        return self.in_force().filter(starts_at__gt=at or timezone.now())

    def not_over(self, at=None):
        at = at or timezone.now()
        return self.in_force().filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))

    def covering(self, tenant):
        return self.filter(Q(all_sites=True) | Q(sites=tenant)).distinct()


class MourningPeriod(models.Model):
    """From when to when the cluster (``all_sites``) or the chosen ``sites`` show in grey."""

    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True, help_text=_("留空则直到手动关闭"))
    all_sites = models.BooleanField(_("全部站点"), default=True)
    sites = models.ManyToManyField(Tenant, verbose_name=_("站点"), blank=True, related_name="+")
    reason = models.CharField(_("事由"), max_length=100, blank=True, help_text=_("如：全国哀悼日"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    objects = MourningQuerySet.as_manager()

    class Meta:
        app_label = "themes"
        verbose_name = _("哀悼模式时段")
        verbose_name_plural = _("哀悼模式时段")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="mourning_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.scope_label()} {self.span_label()}"

    def scope_label(self):
        if self.all_sites:
            return "全部站点"
        return "、".join(site.name for site in self.sites.all()) or "（无站点）"

    def span_label(self):
        start = format_time(self.starts_at)
        return f"{start} 至 {format_time(self.ends_at)}" if self.ends_at else f"{start} 起，直到关闭"

    def state(self, at=None):
        at = at or timezone.now()
        if self.cancelled_at:
            return "已取消"
        if self.starts_at > at:
            return "待开始"
        if self.ends_at and self.ends_at <= at:
            return "已结束"
        return "进行中"


def format_time(value):
    return timezone.localtime(value).strftime(TIME_FORMAT) if value else ""


def parse_time(text):
    """``YYYY-MM-DD HH:MM`` in the cluster's time zone (Asia/Shanghai), as an aware datetime."""
    try:
        naive = datetime.strptime(text.strip(), TIME_FORMAT)
    except (AttributeError, ValueError):
        raise ValidationError(f"时间“{text}”须写成 YYYY-MM-DD HH:MM，如 2026-12-13 00:00。") from None
    return timezone.make_aware(naive, timezone.get_current_timezone())


# What each process knows: (monotonic time of the read, [(start, end, all_sites, site ids)]).
_known = {"checked": float("-inf"), "periods": []}


def forget():
    """Read the periods again on the next question (this process changed them)."""
    _known["checked"] = float("-inf")


def _periods():
    now = time.monotonic()
    if now - _known["checked"] >= getattr(settings, "CMS_PAGE_CACHE_RECHECK", 1.0):
        rows = MourningPeriod.objects.not_over().prefetch_related("sites")
        _known["periods"] = [
            (row.starts_at, row.ends_at, row.all_sites, frozenset(site.pk for site in row.sites.all())) for row in rows
        ]
        _known["checked"] = now
    return _known["periods"]


def _covers(period, tenant_pk):
    _, _, all_sites, site_ids = period
    return all_sites or tenant_pk in site_ids


def is_mourning(tenant, at=None):
    """Whether ``tenant``'s pages show in grey at ``at`` (now)."""
    if tenant is None or getattr(tenant, "pk", None) is None:
        return False
    at = at or timezone.now()
    return any(_covers(p, tenant.pk) and p[0] <= at and (p[1] is None or p[1] > at) for p in _periods())


def seconds_to_next_change(tenant, at=None):
    """Seconds until a period covering ``tenant`` starts or ends (None if none will)."""
    at = at or timezone.now()
    moments = []
    for period in _periods():
        if _covers(period, getattr(tenant, "pk", None)):
            moments += [moment for moment in period[:2] if moment is not None and moment > at]
    return (min(moments) - at).total_seconds() if moments else None


def stylesheet(tenant, at=None):
    """(CSS text, seconds a browser may keep it) for the site at ``at``."""
    css = GREY_CSS if is_mourning(tenant, at) else PLAIN_CSS
    until_change = seconds_to_next_change(tenant, at)
    max_age = MAX_AGE if until_change is None else max(0, min(MAX_AGE, int(until_change)))
    return css, max_age


def resolve_sites(codes):
    """The sites named by ``codes`` (every code must name a site), as a list."""
    codes = [code.strip() for code in codes if code and code.strip()]
    sites = list(Tenant.objects.sites().filter(code__in=codes))
    missing = sorted(set(codes) - {site.code for site in sites})
    if missing:
        raise ValidationError(f"站点不存在：{'、'.join(missing)}。")
    return sites


def check_span(starts_at, ends_at, now=None):
    now = now or timezone.now()
    if ends_at is not None and ends_at <= now:
        raise ValidationError("结束时间已经过去，请重新填写。")
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError("结束时间必须晚于开始时间。")


@transaction.atomic
def schedule(*, actor=None, starts_at=None, ends_at=None, sites=None, reason="", request=None):
    """A new period: ``sites`` None (or empty) means the whole cluster. Audited."""
    starts_at = starts_at or timezone.now()
    check_span(starts_at, ends_at)
    sites = list(sites or [])
    period = MourningPeriod.objects.create(
        starts_at=starts_at, ends_at=ends_at, all_sites=not sites, reason=reason[:100], created_by=actor
    )
    if sites:
        period.sites.set(sites)
    audit.record(
        "mourning_scheduled",
        actor=actor,
        target=str(period)[:200],
        request=request,
        period=period.pk,
        starts_at=format_time(starts_at),
        ends_at=format_time(ends_at),
        sites=[site.code for site in sites] or "all",
        reason=reason,
    )
    transaction.on_commit(forget)
    forget()
    return period


def _end(period, now):
    if period.starts_at >= now:
        period.cancelled_at = now
        period.save(update_fields=["cancelled_at"])
    else:
        period.ends_at = now
        period.save(update_fields=["ends_at"])


@transaction.atomic
def switch_off(*, actor=None, sites=None, request=None):
    """End what is in force now and cancel what is scheduled: for the whole cluster, or only for
    ``sites`` (taken out of the periods that name them; a period for the whole cluster cannot be
    ended for some sites only). Returns the number of periods changed. Audited."""
    now = timezone.now()
    periods = list(MourningPeriod.objects.not_over(now).select_for_update())
    changed = 0
    if not sites:
        for period in periods:
            _end(period, now)
            changed += 1
    else:
        if any(period.all_sites for period in periods):
            raise ValidationError("全部站点的哀悼模式只能整体关闭（不指定站点）。")
        wanted = {site.pk for site in sites}
        for period in periods:
            named = set(period.sites.values_list("pk", flat=True))
            if not named & wanted:
                continue
            changed += 1
            rest = named - wanted
            ends_at = period.ends_at  # before _end changes it
            if period.starts_at > now or not rest:
                _end(period, now)
                if rest:  # a scheduled period for other sites too: they keep it
                    copy = MourningPeriod.objects.create(
                        starts_at=period.starts_at,
                        ends_at=ends_at,
                        all_sites=False,
                        reason=period.reason,
                        created_by=period.created_by,
                    )
                    copy.sites.set(rest)
            else:
                # Under way: it ends now for the sites switched off, and goes on for the others.
                _end(period, now)
                copy = MourningPeriod.objects.create(
                    starts_at=now, ends_at=ends_at, all_sites=False, reason=period.reason, created_by=actor
                )
                copy.sites.set(rest)
    audit.record(
        "mourning_ended",
        actor=actor,
        target="全部站点" if not sites else "、".join(site.code for site in sites),
        request=request,
        periods=changed,
        sites=[site.code for site in sites] if sites else "all",
    )
    transaction.on_commit(forget)
    forget()
    return changed


def refuse(actor, request=None, what=""):
    """Record a refused attempt (someone who is not the web office)."""
    audit.record("mourning_refused", actor=actor, target=what[:200], request=request)
