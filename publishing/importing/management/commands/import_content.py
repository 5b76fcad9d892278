"""Migrate old sites: import .txt, .md and .html files as articles of one column.

With --publish every item passes the confidentiality scan first: 涉密信息不上网, so an item the
scan blocks is kept as a draft and reported with the reasons; the others are published through
Wagtail (so the catalogue, search and page cache follow as for any publish).
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django_tenants.utils import schema_context
from tqdm import tqdm

from cms.models import ArticlePage, ColumnPage
from publishing.confidentiality.wordlists import scan_fields
from publishing.importing.reader import ImportFileError, read_item
from sites.models import Tenant


class Command(BaseCommand):
    help = "把 .txt / .md / .html 文件导入为某站点某栏目下的文章；--publish 时先做保密检查再发布。"

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="站点代码，如 jtj")
        parser.add_argument("--column", required=True, help="栏目 slug，如 gzdt")
        parser.add_argument("--publish", action="store_true", help="导入后发布（被保密检查拦截的保留为草稿）")
        parser.add_argument("files", nargs="+", help="要导入的文件")

    def handle(self, *args, **options):
        site = Tenant.objects.sites().filter(code=options["site"]).first()
        if site is None:
            raise CommandError(f"站点“{options['site']}”不存在。")
        with schema_context(site.schema_name):
            connection.set_tenant(site)  # the real tenant: org codes, hosts and the catalogue need it
            column = self._column(options["column"])
            report = self._import(column, options["files"], options["publish"])
        self._summary(report, options["publish"])
        if report["failed"]:
            raise CommandError(f"{len(report['failed'])} 个文件未能导入，见上方清单；其余文件已正常导入。")

    def _column(self, slug):
        columns = list(ColumnPage.objects.filter(slug=slug))
        if not columns:
            raise CommandError(f"栏目“{slug}”不存在。")
        if len(columns) > 1:
            paths = "、".join(column.url_path for column in columns)
            raise CommandError(f"有多个栏目的 slug 是“{slug}”（{paths}），请确认后改用唯一的栏目。")
        return columns[0]

    def _import(self, column, paths, publish):
        report = {"imported": [], "published": [], "blocked": [], "failed": []}
        stream = getattr(self.stderr, "_out", sys.stderr)
        for path in tqdm(paths, desc="导入", unit="个", file=stream):
            try:
                item = read_item(path)
            except ImportFileError as exc:
                report["failed"].append((path, str(exc)))
                continue
            # One transaction per file: a failure later on never takes earlier items with it.
            with transaction.atomic():
                page = ArticlePage(title=item.title, body=item.body, live=False)
                column.add_child(instance=page)
                revision = page.save_revision()
                report["imported"].append((path, page))
                if not publish:
                    continue
                result = scan_fields({"title": item.title, "body": item.text})
                if result.verdict == "block":
                    reasons = "；".join(f"{f.rule_label}“{f.text}”" for f in result.blocking)
                    report["blocked"].append((path, page, reasons))
                    continue
                revision.publish()
                report["published"].append((path, page))
        return report

    def _summary(self, report, publish):
        write = self.stdout.write
        write(f"已导入 {len(report['imported'])} 篇。")
        if publish:
            write(f"已发布 {len(report['published'])} 篇。")
            write(f"被保密检查拦截（保留为草稿）{len(report['blocked'])} 篇。")
            for path, page, reasons in report["blocked"]:
                write(f"  拦截：{path}（{page.title}，页面 ID {page.pk}）：{reasons}")
        for path, reason in report["failed"]:
            self.stderr.write(f"  未导入：{path}：{reason}")
