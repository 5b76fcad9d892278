"""The audit trail of a site's items as CSV (submitted, each step approved or rejected, published,
unpublished, force-published, reviewed afterwards: who, when), from Wagtail's page log of the
site's schema, where the chain and the web office's actions are logged too.

UTF-8 with a BOM: Excel opens the file with its Chinese intact only then. Cells that a spreadsheet
would run as a formula (a title starting with ``=``) are written as text (``sites.spreadsheet``).
"""

import datetime
import io

from django.utils import timezone
from wagtail.log_actions import registry as log_registry
from wagtail.models import PageLogEntry

from sites import spreadsheet

BOM = "\ufeff"
HEADINGS = ["时间", "站点", "页面ID", "标题", "操作", "操作代码", "操作人", "用户名", "审核环节", "意见或理由"]


def period_bounds(date_from, date_to):
    """Aware datetimes [start, end) covering both days whole, in the site's time zone (Asia/Shanghai)."""
    start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min))
    return start, end


def entries(date_from, date_to):
    start, end = period_bounds(date_from, date_to)
    return (
        PageLogEntry.objects.filter(timestamp__gte=start, timestamp__lt=end)
        .select_related("user")
        .order_by("timestamp", "id")
    )


def _note(data):
    for key in ("comment", "reason", "opinion"):
        if data.get(key):
            return str(data[key])
    return ""


def rows(site_code, date_from, date_to):
    for entry in entries(date_from, date_to):
        data = entry.data or {}
        workflow = data.get("workflow") or {}
        task = workflow.get("task") or data.get("task") or {}
        user = entry.user
        yield [
            timezone.localtime(entry.timestamp).strftime("%Y-%m-%d %H:%M:%S"),
            site_code,
            entry.page_id,
            entry.label,
            str(log_registry.get_action_label(entry.action)),
            entry.action,
            (user.get_full_name() or user.get_username()) if user else "系统",
            user.get_username() if user else "",
            task.get("title", ""),
            _note(data),
        ]


def write_csv(out, site_code, date_from, date_to):
    """Write the CSV (with its BOM) to the text stream ``out``; returns the number of rows."""
    out.write(BOM)
    writer = spreadsheet.writer(out)
    writer.writerow(HEADINGS)
    count = 0
    for row in rows(site_code, date_from, date_to):
        writer.writerow(row)
        count += 1
    return count


def csv_text(site_code, date_from, date_to):
    buffer = io.StringIO()
    write_csv(buffer, site_code, date_from, date_to)
    return buffer.getvalue()
