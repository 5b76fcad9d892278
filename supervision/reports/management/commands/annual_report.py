"""manage.py annual_report --site CODE --year YYYY [--xlsx FILE] [--pdf FILE] [--draft [--user NAME]]
manage.py annual_report --remind [--today YYYY-MM-DD]

The first form (re)generates a site's 政府网站工作年度报表 (manual entries kept), writes the
exports asked for, and with --draft puts the report's page into the site's review chain. The
second sends the January reminders due today (run it daily from cron; it decides itself whether
a reminder is due, once a week from 2 to 31 January).
"""

import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sites.models import Tenant
from supervision.reports import annual, exports, publication, reminders


class Command(BaseCommand):
    help = "生成站点的政府网站工作年度报表（国办函〔2018〕12号），导出 XLSX/PDF，或发送一月份的提醒。"

    def add_arguments(self, parser):
        parser.add_argument("--site", help="站点代码")
        parser.add_argument("--year", type=int, help="报表年度（默认上一年）")
        parser.add_argument("--xlsx", help="写出 XLSX 文件")
        parser.add_argument("--pdf", help="写出 PDF 文件（需要 Chromium）")
        parser.add_argument("--draft", action="store_true", help="生成报表页面草稿并提交本站审核流程")
        parser.add_argument("--user", help="提交人用户名（默认记为“系统”）")
        parser.add_argument("--remind", action="store_true", help="发送今天应发的年度报表提醒")
        parser.add_argument("--today", help="提醒按此日期计算（YYYY-MM-DD，默认今天）")

    def handle(self, *args, **options):
        if options["remind"]:
            return self.remind(options["today"])
        if not options["site"]:
            raise CommandError("请用 --site 指定站点代码，或用 --remind 发送提醒。")
        tenant = Tenant.objects.sites().filter(code=options["site"]).first()
        if tenant is None:
            raise CommandError(f"没有代码为 {options['site']} 的站点。")
        year = options["year"] or timezone.localdate().year - 1
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"没有用户 {options['user']}。")
        report = annual.generate(tenant, year, user=user)
        self.stdout.write(f"已生成 {annual.title(report)}")
        if options["xlsx"]:
            Path(options["xlsx"]).write_bytes(exports.xlsx_bytes(report))
            self.stdout.write(f"XLSX：{options['xlsx']}")
        if options["pdf"]:
            try:
                Path(options["pdf"]).write_bytes(exports.pdf_bytes(report))
            except exports.PdfUnavailable as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"PDF：{options['pdf']}")
        if options["draft"]:
            try:
                page = publication.submit_draft(report, user=user)
            except publication.PublicationError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"已提交审核：{page.title}（页面 {page.pk}）")

    def remind(self, today):
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--today 的格式为 YYYY-MM-DD。") from exc
        sent = reminders.january_reminders(day)
        for code, recipients in sent:
            self.stdout.write(f"{code}：已提醒 {', '.join(recipients)}")
        self.stdout.write(f"{day:%Y-%m-%d}：发送 {len(sent)} 个站点的年度报表提醒。")
