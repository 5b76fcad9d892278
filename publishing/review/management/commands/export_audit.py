import sys

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from publishing.review import audit
from publishing.review.forms import PeriodForm
from sites.models import Tenant


class Command(BaseCommand):
    help = "导出一个站点在指定期间的审核与发布记录（CSV，UTF-8 带 BOM，Excel 可直接打开）。"

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="站点代码，如 jtj")
        parser.add_argument("--from", dest="date_from", required=True, help="起始日期 YYYY-MM-DD（含）")
        parser.add_argument("--to", dest="date_to", required=True, help="截止日期 YYYY-MM-DD（含）")
        parser.add_argument("--output", "-o", help="输出文件；省略则写到标准输出")

    def handle(self, *args, **options):
        tenant = Tenant.objects.sites().filter(code=options["site"]).first()
        if tenant is None:
            raise CommandError(f"站点“{options['site']}”不存在。")
        form = PeriodForm({"from": options["date_from"], "to": options["date_to"]})
        if not form.is_valid():
            errors = [error for errors in form.errors.values() for error in errors]
            raise CommandError("日期无效：" + "；".join(errors) + "（格式 YYYY-MM-DD）")
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        with schema_context(tenant.schema_name):
            if options["output"]:
                with open(options["output"], "w", encoding="utf-8", newline="") as out:
                    count = audit.write_csv(out, tenant.code, start, end)
                self.stderr.write(f"已导出 {count} 条记录到 {options['output']}")
            else:
                audit.write_csv(
                    self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout, tenant.code, start, end
                )
