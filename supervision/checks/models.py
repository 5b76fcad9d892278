"""监管's records, in the public schema: one result per site and day, the web office's word list,
the alarms raised and the digests mailed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyResult(models.Model):
    """A site's check on one day: re-running the same day replaces it, so a trend has one point a day."""

    tenant = models.ForeignKey("sites.Tenant", on_delete=models.CASCADE, related_name="supervision_results")
    day = models.DateField(_("日期"), db_index=True)
    score = models.FloatField(_("得分"))
    passed = models.BooleanField(_("合格"))
    vetoes = models.JSONField(_("单项否决"), default=list)
    findings = models.JSONField(_("问题"), default=list)
    checked_at = models.DateTimeField(_("检查时间"), auto_now=True)

    class Meta:
        verbose_name = _("每日监管结果")
        verbose_name_plural = _("每日监管结果")
        ordering = ["-day", "tenant_id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "day"], name="one_supervision_result_per_site_day")]

    def __str__(self):
        return f"{self.tenant_id} {self.day} {self.score}"


class WordingKind(models.TextChoices):
    REMOVED_OFFICIAL = "removed_official", _("已免职人员姓名")
    WITHDRAWN_ORG = "withdrawn_org", _("已撤销机构名称")
    TYPO = "typo", _("常见错别字")


class WordingEntry(models.Model):
    """A wording the web office forbids on every site; saving or deleting one re-scans live content."""

    kind = models.CharField(_("类型"), max_length=20, choices=WordingKind.choices)
    text = models.CharField(_("错误写法"), max_length=100)
    correction = models.CharField(_("正确写法"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("表述错误词条")
        verbose_name_plural = _("表述错误词表")
        ordering = ["kind", "text"]
        constraints = [models.UniqueConstraint(fields=["kind", "text"], name="one_wording_entry_per_text")]

    def __str__(self):
        return self.text


class Alarm(models.Model):
    """A warning raised once: ``key`` names what it is about (the homepage's newest item, a column,
    a message), so the day-10 reminder for the same item is never raised twice."""

    tenant = models.ForeignKey("sites.Tenant", on_delete=models.CASCADE, related_name="supervision_alarms")
    rule = models.CharField(_("规则"), max_length=40)
    stage = models.CharField(_("阶段"), max_length=20)
    key = models.CharField(max_length=300)
    day = models.DateField(_("日期"), db_index=True)
    message = models.CharField(_("内容"), max_length=500)
    url = models.CharField(_("地址"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "rule", "key", "stage"], name="one_alarm_per_subject_stage")
        ]

    def __str__(self):
        return self.message


class AlarmDigest(models.Model):
    """The one e-mail a day a recipient gets: the alarms after ``last_alarm_id`` of the previous one."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    last_alarm_id = models.BigIntegerField(default=0)
    alarm_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("预警摘要邮件")
        verbose_name_plural = _("预警摘要邮件")
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="one_digest_per_recipient_day")]

    def __str__(self):
        return f"{self.recipient_id} {self.day}"
