"""E-mail each site's 互动办理员 one digest of what is due soon and what is overdue.

Run once a day (cron or a systemd timer, e.g. ``15 8 * * 1-5 manage.py interaction_reminders``).
A record goes into at most one digest per day (``reminded_on``), so a second run the same day, or a
cron that fires twice, sends nothing new instead of a storm. Counties remind staff before the
deadline and leaders on overdue items; the 3-month limit of 国办秘函〔2019〕19号 is a veto, so
overdue items are listed in every day's digest until they are answered.

    manage.py interaction_reminders [--site CODE] [--days N] [--today YYYY-MM-DD] [--dry-run]
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from sites.models import Role, Tenant

from ... import notifications, workdays
from ...models import ApplicationStatus, DisclosureApplication, Message

DEFAULT_DAYS = 3


def _not_reminded(today):
    return Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)


def due_items(tenant, today, days):
    """(messages, applications) of ``tenant`` due within ``days`` working days or overdue, not yet
    in today's digest."""
    horizon = workdays.add_workdays(today, days)
    messages = (
        Message.objects.of_site(tenant)
        .open()
        .filter(due_date__lte=horizon)
        .filter(_not_reminded(today))
        .order_by("due_date", "id")
    )
    applications = (
        DisclosureApplication.objects.of_site(tenant)
        .filter(status__in=(ApplicationStatus.PROCESSING, ApplicationStatus.THIRD_PARTY), due_date__lte=horizon)
        .filter(_not_reminded(today))
        .order_by("due_date", "id")
    )
    return list(messages), list(applications)


def digest_text(tenant, today, messages, applications):
    def line(record, title):
        state = (
            "已超期" if record.due_date < today else f"剩 {workdays.workdays_between(today, record.due_date)} 个工作日"
        )
        return f"- {record.code} {title}：答复期限 {record.due_date:%Y-%m-%d}（{state}）"

    parts = [f"{tenant.name}互动交流待办提醒（{today:%Y-%m-%d}）", ""]
    overdue = [m for m in messages if m.due_date < today] + [a for a in applications if a.due_date < today]
    if overdue:
        parts.append(f"已超期 {len(overdue)} 件，请尽快办理（留言超过 3 个月未答复是国家检查的单项否决指标）。")
    if messages:
        parts += ["", "留言："] + [line(m, m.subject) for m in messages]
    if applications:
        parts += ["", "依申请公开："] + [line(a, a.description[:30]) for a in applications]
    parts += ["", "请登录本站后台“互动交流”办理。"]
    return "\n".join(parts)


class Command(BaseCommand):
    help = "给各站互动办理员发送即将到期和已超期的留言、依申请公开提醒（每天一封）。"

    def add_arguments(self, parser):
        parser.add_argument("--site", help="只处理这个站点（站点代码）")
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="提前提醒的工作日数（默认 3）")
        parser.add_argument("--today", help="按这一天计算（YYYY-MM-DD，默认今天）")
        parser.add_argument("--dry-run", action="store_true", help="只显示，不发邮件也不记录")

    def handle(self, *args, site=None, days=DEFAULT_DAYS, today=None, dry_run=False, **options):
        if isinstance(today, str):
            try:
                today = datetime.date.fromisoformat(today)
            except ValueError as error:
                raise CommandError("--today 的格式应为 YYYY-MM-DD。") from error
        today = today or timezone.localdate()
        if days < 0:
            raise CommandError("--days 不能为负数。")
        tenants = Tenant.objects.serving().order_by("code")
        if site:
            tenants = tenants.filter(code=site)
            if not tenants.exists():
                raise CommandError(f"没有正在运行的站点“{site}”。")
        totals = {"sites": 0, "messages": 0, "applications": 0, "mails": 0}
        for tenant in tenants:
            messages, applications = due_items(tenant, today, days)
            if not messages and not applications:
                continue
            totals["sites"] += 1
            totals["messages"] += len(messages)
            totals["applications"] += len(applications)
            recipients = notifications.role_emails(tenant, Role.HANDLER)
            self.stdout.write(
                f"{tenant.code}：留言 {len(messages)} 件，依申请公开 {len(applications)} 件，收件人 {len(recipients)} 人"
            )
            if dry_run:
                continue
            sent = notifications.notify_handlers(
                tenant, f"待办提醒 {today:%Y-%m-%d}", digest_text(tenant, today, messages, applications)
            )
            if sent:
                totals["mails"] += 1
                # Marked only when the mail went out: a mail server that was down is retried tomorrow
                # (or by a second run today) instead of the reminder being lost.
                Message.objects.filter(pk__in=[m.pk for m in messages]).update(reminded_on=today)
                DisclosureApplication.objects.filter(pk__in=[a.pk for a in applications]).update(reminded_on=today)
            elif not recipients:
                self.stderr.write(f"{tenant.code}：没有设置电子邮箱的互动办理员，未发送提醒。")
        self.stdout.write(
            f"共 {totals['sites']} 个站点：留言 {totals['messages']} 件，依申请公开 {totals['applications']} 件，"
            f"发送提醒 {totals['mails']} 封{'（演练，未发送）' if dry_run else ''}。"
        )
