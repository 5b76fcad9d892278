"""校验审计日志归档文件: the hash chain and the signature; names the first broken entry."""

from django.core.management.base import BaseCommand, CommandError

from sites.audit_archive import verify


class Command(BaseCommand):
    help = "校验审计日志归档文件的哈希链和签名，输出 OK 或第一条被破坏的记录。"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        report = verify(options["file"])
        if not report.ok:
            raise CommandError(report.message)
        self.stdout.write(self.style.SUCCESS(f"OK {report.message}"))
