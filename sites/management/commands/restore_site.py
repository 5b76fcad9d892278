from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sites.backup import restore_site
from sites.provisioning import ProvisioningError


class Command(BaseCommand):
    help = (
        "从 backup_site 的备份恢复站点，可换新的站点代码和域名（原子操作）。"
        "只载入备份中的数据：数据库结构来自本系统的站点模板，备份内容先逐项核对，不符即拒绝，不作任何更改。"
        "备份须带本系统的签名；恢复时正文一律重新过滤。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件（.tar.gz）")
        parser.add_argument("--code", help="新站点代码（默认用备份中的代码）")
        parser.add_argument("--domain", help="新主域名（默认用备份中的域名）")
        parser.add_argument("--name", help="新网站名称")
        parser.add_argument(
            "--untrusted",
            action="store_true",
            help="恢复没有本系统签名的备份（来自另一套系统或旧版本）；记入审计日志，正文重新过滤。",
        )

    def handle(self, *args, **options):
        archive = Path(options["archive"])
        if not archive.is_file():
            raise CommandError(f"找不到备份文件 {archive}")
        try:
            tenant = restore_site(
                archive,
                code=options["code"],
                domain=options["domain"],
                name=options["name"],
                untrusted=options["untrusted"],
                progress=lambda text: self.stdout.write(f"  · {text}"),
            )
        except ProvisioningError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"已恢复为站点 {tenant.name}（{tenant.code}）"))
