"""manage.py probe_availability [--site CODE]: one probe of each serving site's homepage.

Run it from cron every 5 minutes (docs/operations.md); it takes about the slowest homepage's time.
"""

from django.core.management.base import BaseCommand, CommandError

from sites.models import Tenant

from ...probe import TIMEOUT, probe_sites


class Command(BaseCommand):
    help = "请求每个运行中站点的首页（经公网域名），记录可用性探测结果。"

    def add_arguments(self, parser):
        parser.add_argument("--site", help="只探测这个站点（站点代码）")
        parser.add_argument("--timeout", type=float, default=TIMEOUT, help="超时秒数（默认 15）")
        parser.add_argument("--address", help="连接这个地址而不解析域名（仍发送站点的 Host）")

    def handle(self, *args, site=None, timeout=TIMEOUT, address=None, **options):
        tenants = Tenant.objects.serving()
        if site:
            tenants = tenants.filter(code=site)
            if not tenants.exists():
                raise CommandError(f"没有运行中的站点“{site}”。")
        probes = probe_sites(tenants, timeout=timeout, address=address)
        for probe in probes:
            verdict = "正常" if probe.ok else f"失败：{probe.error}"
            self.stdout.write(f"{probe.tenant.code}\t{probe.status_code or '-'}\t{probe.seconds:.2f}s\t{verdict}")
        failed = sum(not probe.ok for probe in probes)
        self.stdout.write(f"共探测 {len(probes)} 个站点，失败 {failed} 个。")
