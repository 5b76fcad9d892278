from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sites.backup import backup_site
from sites.provisioning import ProvisioningError


class Command(BaseCommand):
    help = "备份一个站点：数据库 schema 中的数据（不含 SQL 语句）、站点记录与角色、上传文件，打包为 .tar.gz。"

    def add_arguments(self, parser):
        parser.add_argument("code", help="站点代码")
        parser.add_argument("--output", "-o", help="备份文件路径（默认 var/backups/<代码>-<时间>.tar.gz）")

    def handle(self, *args, **options):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        default = Path(settings.VAR_DIR) / "backups" / f"{options['code']}-{stamp}.tar.gz"
        try:
            path = backup_site(options["code"], Path(options["output"] or default))
        except ProvisioningError as exc:
            raise CommandError(str(exc)) from exc
        size = path.stat().st_size / 1024 / 1024
        self.stdout.write(self.style.SUCCESS(f"已备份到 {path}（{size:.1f} MB）"))
