"""The 政府网站工作年度报表 (国办函〔2018〕12号) of a site and year, and the January reminders sent for it.

A report holds two kinds of values: the figures computed from the data (catalogue, page tree,
access statistics, messages), rewritten each time the report is generated, and the fields no data
can give (解读回应, 安全防护, 移动新媒体 …), entered by the site admin. They are kept apart so that
regenerating never loses a manual entry.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AnnualReport(models.Model):
    tenant = models.ForeignKey("sites.Tenant", on_delete=models.CASCADE, related_name="annual_reports")
    year = models.PositiveSmallIntegerField(_("年度"))
    # {"values": {key: value}, "notes": ["…"]}: keys are those of ``annual.FIELDS`` whose source is data.
    figures = models.JSONField(_("统计数据"), default=dict, blank=True)
    # {key: value} for the fields of ``annual.FIELDS`` entered by hand.
    manual = models.JSONField(_("人工填报"), default=dict, blank=True)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The DisclosureDocumentPage in the site's schema that publishes the report (after review).
    page_id = models.IntegerField(_("页面 ID"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("网站年度报表")
        verbose_name_plural = _("网站年度报表")
        ordering = ["-year", "tenant_id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "year"], name="one_annual_report_per_site_year")]

    def __str__(self):
        return f"{self.tenant} {self.year}年"


class AnnualReportReminder(models.Model):
    """One reminder e-mail about a missing report; the weekly rhythm is read from these rows."""

    tenant = models.ForeignKey("sites.Tenant", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("报表年度"))
    sent_on = models.DateField(_("提醒日期"))
    recipients = models.JSONField(_("收件人"), default=list)

    class Meta:
        verbose_name = _("年度报表提醒")
        verbose_name_plural = _("年度报表提醒")
        indexes = [models.Index(fields=["tenant", "year", "sent_on"], name="report_reminder_site_year")]

    def __str__(self):
        return f"{self.tenant_id} {self.year} {self.sent_on}"
