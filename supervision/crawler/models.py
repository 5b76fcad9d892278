"""What the crawler and the availability probe found, in the public schema.

``LinkFinding`` holds the latest state per site: a full run replaces a site's findings, an
incremental run replaces only those of the pages it re-read (and drops those of pages no longer
public). ``ExternalLinkResult`` is the 24-hour cache of external answers shared by every site, so a
link that 200 pages carry is fetched once a day (GOV.UK's link checker works the same way).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LinkStatus(models.TextChoices):
    OK = "ok", _("正常")
    CAUTION = "caution", _("需留意")
    BROKEN = "broken", _("不可用")


class LinkKind(models.TextChoices):
    LINK = "link", _("链接")
    ATTACHMENT = "attachment", _("附件")


class LinkCheckRun(models.Model):
    """One pass of the crawler over one site (nightly, on demand, or incremental)."""

    tenant = models.ForeignKey("sites.Tenant", on_delete=models.CASCADE, related_name="link_check_runs")
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    incremental = models.BooleanField(_("增量检查"), default=False)
    pages = models.PositiveIntegerField(_("检查页面数"), default=0)
    links = models.PositiveIntegerField(_("检查链接数"), default=0)
    broken = models.PositiveIntegerField(_("不可用"), default=0)
    caution = models.PositiveIntegerField(_("需留意"), default=0)
    seconds = models.FloatField(_("耗时（秒）"), default=0)
    error = models.TextField(_("错误"), blank=True)
    # The fingerprints (supervision.crawler.state) of the schemas this site's links point to, taken
    # before the run read them: the next incremental run looks again only where one moved.
    cluster_state = models.JSONField(_("所指站点的状态"), default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("链接检查")
        verbose_name_plural = _("链接检查")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.tenant_id} {self.started_at:%Y-%m-%d %H:%M}"


class LinkFindingQuerySet(models.QuerySet):
    def broken(self):
        return self.filter(status=LinkStatus.BROKEN)

    def caution(self):
        return self.filter(status=LinkStatus.CAUTION)

    def problems(self):
        return self.exclude(status=LinkStatus.OK)


class LinkFinding(models.Model):
    """One link or attachment on one public page of a site, with the verdict of its last check."""

    tenant = models.ForeignKey("sites.Tenant", on_delete=models.CASCADE, related_name="link_findings")
    run = models.ForeignKey(LinkCheckRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings")
    page_url = models.CharField(_("所在页面"), max_length=500)
    page_title = models.CharField(_("页面标题"), max_length=255, blank=True)
    link_url = models.CharField(_("链接地址"), max_length=2000)
    link_text = models.CharField(_("链接文字"), max_length=255, blank=True)
    status = models.CharField(_("结果"), max_length=10, choices=LinkStatus.choices, db_index=True)
    kind = models.CharField(_("类别"), max_length=12, choices=LinkKind.choices, default=LinkKind.LINK)
    internal = models.BooleanField(_("站群内部"), default=False)
    http_status = models.PositiveSmallIntegerField(_("HTTP 状态码"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=255, blank=True)
    on_homepage = models.BooleanField(_("在首页"), default=False)
    checked_at = models.DateTimeField(_("检查时间"))

    objects = LinkFindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("链接检查结果")
        verbose_name_plural = _("链接检查结果")
        indexes = [
            models.Index(fields=["tenant", "status"], name="linkfinding_site_status"),
            models.Index(fields=["tenant", "page_url"], name="linkfinding_site_page"),
        ]

    def __str__(self):
        return f"{self.page_url} → {self.link_url} ({self.status})"


class ExternalLinkResult(models.Model):
    """The answer of an external URL, kept 24 hours so no host is asked twice a day for one URL."""

    url = models.CharField(_("地址"), max_length=2000)
    url_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(_("结果"), max_length=10, choices=LinkStatus.choices)
    http_status = models.PositiveSmallIntegerField(_("HTTP 状态码"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=255, blank=True)
    final_url = models.CharField(_("最终地址"), max_length=2000, blank=True)
    seconds = models.FloatField(_("耗时（秒）"), default=0)
    checked_at = models.DateTimeField(_("检查时间"), db_index=True)

    class Meta:
        verbose_name = _("外部链接缓存")
        verbose_name_plural = _("外部链接缓存")

    def __str__(self):
        return f"{self.url} ({self.status})"


class ProbeQuerySet(models.QuerySet):
    def since(self, moment):
        return self.filter(at__gte=moment)

    def failed(self):
        return self.filter(ok=False)


class Probe(models.Model):
    """One request for a site's homepage through its public host, as a visitor makes it."""

    tenant = models.ForeignKey("sites.Tenant", on_delete=models.CASCADE, related_name="probes")
    at = models.DateTimeField(_("时间"), db_index=True)
    ok = models.BooleanField(_("可访问"))
    seconds = models.FloatField(_("耗时（秒）"), default=0)
    status_code = models.PositiveSmallIntegerField(_("HTTP 状态码"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=255, blank=True)

    objects = ProbeQuerySet.as_manager()

    class Meta:
        verbose_name = _("可用性探测")
        verbose_name_plural = _("可用性探测")
        indexes = [models.Index(fields=["tenant", "-at"], name="probe_site_newest")]

    def __str__(self):
        return f"{self.tenant_id} {self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'failed'}"
