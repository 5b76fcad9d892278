from django.core.management.base import BaseCommand, CommandError

from sites.models import SiteStatus
from sites.provisioning import ProvisioningError, close_site


class Command(BaseCommand):
    help = "暂停（公众看到维护通知）、归档或重新开放一个站点。"

    def add_arguments(self, parser):
        parser.add_argument("code", help="站点代码")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--archive", action="store_true", help="归档：网站关闭，内容保留备查")
        group.add_argument("--reopen", action="store_true", help="重新开放")
        parser.add_argument("--reason", default="", help="原因（记入审计日志）")

    def handle(self, *args, **options):
        status = SiteStatus.SUSPENDED
        if options["archive"]:
            status = SiteStatus.ARCHIVED
        elif options["reopen"]:
            status = SiteStatus.ACTIVE
        try:
            tenant = close_site(options["code"], status, reason=options["reason"])
        except ProvisioningError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"{tenant.name}：{tenant.get_status_display()}"))
