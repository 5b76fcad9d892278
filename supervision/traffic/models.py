"""访问量 per site, column and day, and what the ingestion remembers to stay idempotent.

No raw IP address is stored anywhere: unique visitors are counted from a hash salted per day
(``DailySalt``), and a day's salt and hashes are deleted once the day is closed, so a visitor can
no longer be recognised across days, nor from the database.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyTrafficQuerySet(models.QuerySet):
    def for_year(self, year):
        return self.filter(day__year=year)


class DailyTraffic(models.Model):
    """Page views and unique visitors of one site, one first-level column ("" for the homepage and
    pages outside any column) and one day."""

    tenant = models.ForeignKey("sites.Tenant", on_delete=models.CASCADE, related_name="daily_traffic")
    day = models.DateField(_("日期"))
    column_slug = models.CharField(_("栏目"), max_length=255, blank=True)
    views = models.PositiveIntegerField(_("访问量"), default=0)
    visitors = models.PositiveIntegerField(_("独立用户"), default=0)

    objects = DailyTrafficQuerySet.as_manager()

    class Meta:
        verbose_name = _("每日访问量")
        verbose_name_plural = _("每日访问量")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day", "column_slug"], name="one_traffic_row_per_site_day_column")
        ]
        indexes = [models.Index(fields=["tenant", "day"], name="traffic_site_day")]

    def __str__(self):
        return f"{self.tenant_id} {self.day} {self.column_slug or '/'}"


class DailyVisitor(models.Model):
    """A salted hash of one visitor seen on one site, day and column (column "*" counts the site).

    Kept only while the day's salt is: it lets a file ingested later in the day, or a rotated file,
    tell a returning visitor from a new one. Deleted with the salt when the day is closed.
    """

    tenant = models.ForeignKey("sites.Tenant", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    column_slug = models.CharField(max_length=255, blank=True)
    visitor = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "day", "column_slug", "visitor"], name="one_visitor_per_site_day_column"
            )
        ]

    def __str__(self):
        return f"{self.tenant_id} {self.day} {self.column_slug or '/'}"


class DailyTotal(models.Model):
    """Unique visitors of a whole site for a day (a visitor of two columns counts once)."""

    tenant = models.ForeignKey("sites.Tenant", on_delete=models.CASCADE, related_name="daily_traffic_totals")
    day = models.DateField(_("日期"))
    views = models.PositiveIntegerField(_("访问量"), default=0)
    visitors = models.PositiveIntegerField(_("独立用户"), default=0)

    class Meta:
        verbose_name = _("每日站点访问量")
        verbose_name_plural = _("每日站点访问量")
        constraints = [models.UniqueConstraint(fields=["tenant", "day"], name="one_traffic_total_per_site_day")]

    def __str__(self):
        return f"{self.tenant_id} {self.day}"


class DailySalt(models.Model):
    """The secret of one day for hashing visitors; deleted once the day is closed."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self):
        return str(self.day)


class IngestedLog(models.Model):
    """How far a log file has been read, by the file's identity: a digest of its first line, read
    through gzip when the file is compressed. The inode would not do: gzipping a rotated file makes
    a new one. So re-ingesting adds nothing, and a rotated file (renamed, later gzipped) continues
    where the live file stopped."""

    identity = models.CharField(max_length=128, unique=True)
    path = models.CharField(max_length=1000)
    offset = models.BigIntegerField(default=0)
    lines = models.BigIntegerField(default=0)
    complete = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("已读取的日志")
        verbose_name_plural = _("已读取的日志")

    def __str__(self):
        return self.path
