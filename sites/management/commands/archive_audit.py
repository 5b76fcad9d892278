"""归档审计日志: events older than the retention period into a signed archive file, then removed."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from sites.audit_archive import ArchiveError, archive


def _day(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"日期“{text}”无效，请写成 YYYY-MM-DD。") from error


class Command(BaseCommand):
    help = "把保存期（至少 180 天）以前的审计日志导出到签名的哈希链归档文件，校验无误后再从数据库删除。"

    def add_arguments(self, parser):
        parser.add_argument("--before", help="只归档该日期（YYYY-MM-DD，北京时间）以前的记录；须在保存期以前")
        parser.add_argument("--out", required=True, help="归档文件路径（不能已存在）")

    def handle(self, *args, **options):
        before = _day(options["before"]) if options["before"] else None
        try:
            result = archive(options["out"], before=before, progress=options["verbosity"] > 0)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已归档并删除 {result.count} 条审计日志：{result.path}"))
