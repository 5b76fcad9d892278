"""The January reminder: 工作年度报表 of last year on the homepage by 31 January (国办函〔2018〕12号).

From 2 January to the end of January, each site admin of a site whose report for last year is
not published yet gets an e-mail, once a week (the rhythm is read from ``AnnualReportReminder``,
so a daily cron line is right: ``manage.py annual_report --remind``).
"""

import datetime

from django.conf import settings
from django.core.mail import send_mail

from publishing.catalogue.models import CatalogueEntry
from sites.models import Role, SiteGroup, Tenant

from .models import AnnualReport, AnnualReportReminder

DUE = (1, 31)
FIRST_DAY = (1, 2)
EVERY = datetime.timedelta(days=7)


def is_published(tenant, year):
    """True when the site's report for ``year`` is live: its page has a catalogue row (the
    catalogue holds exactly the live items, written in the publish transaction)."""
    page_id = AnnualReport.objects.filter(tenant=tenant, year=year).values_list("page_id", flat=True).first()
    return bool(page_id) and CatalogueEntry.objects.filter(tenant=tenant, page_id=page_id).exists()


def site_admin_emails(tenant):
    binding = SiteGroup.objects.filter(tenant=tenant, role=Role.SITE_ADMIN).select_related("group").first()
    if binding is None:
        return []
    users = binding.group.user_set.filter(is_active=True).exclude(email="").order_by("username")
    return list(users.values_list("email", flat=True))


def january_reminders(today):
    """Send the reminders due on ``today`` (a date); returns [(site code, [addresses])] sent."""
    if (today.month, today.day) < FIRST_DAY or (today.month, today.day) > DUE:
        return []
    year = today.year - 1
    due = datetime.date(today.year, *DUE)
    sent = []
    for tenant in Tenant.objects.serving().order_by("code"):
        if is_published(tenant, year):
            continue
        recent = AnnualReportReminder.objects.filter(
            tenant=tenant, year=year, sent_on__gt=today - EVERY, sent_on__lte=today
        )
        if recent.exists():
            continue
        recipients = site_admin_emails(tenant)
        if not recipients:
            continue
        days_left = (due - today).days
        send_mail(
            subject=f"【提醒】{tenant.name}{year}年政府网站工作年度报表尚未发布",
            message=(
                f"{tenant.name}站点管理员：\n\n"
                f"按照国办函〔2018〕12号要求，{year}年政府网站工作年度报表须于{due:%Y-%m-%d}前在网站首页发布，"
                f"距截止还有 {days_left} 天，本站尚未发布。\n"
                "请登录后台“统计与年报 > 网站年度报表”生成报表，补填无法自动统计的项目后提交审核。\n\n"
                "本邮件由系统每周发送一次，报表发布后不再提醒。"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
        AnnualReportReminder.objects.create(tenant=tenant, year=year, sent_on=today, recipients=recipients)
        sent.append((tenant.code, recipients))
    return sent
