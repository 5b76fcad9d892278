from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from publishing.catalogue.services import reconcile_site
from sites.models import Tenant


class Command(BaseCommand):
    help = "按各站点的在线页面核对并重建站群目录，报告差异。"

    def add_arguments(self, parser):
        parser.add_argument("--site", help="只核对这个站点")
        parser.add_argument("--dry-run", action="store_true", help="只报告，不修改")

    def handle(self, *args, **options):
        sites = Tenant.objects.sites()
        if options["site"]:
            sites = sites.filter(code=options["site"])
            if not sites.exists():
                raise CommandError(f"站点“{options['site']}”不存在。")
        totals = [0, 0, 0]
        for tenant in tqdm(list(sites), desc="核对站群目录", unit="站", disable=options["verbosity"] == 0):
            missing, stale, extra = reconcile_site(tenant, fix=not options["dry_run"])
            for i, ids in enumerate((missing, stale, extra)):
                totals[i] += len(ids)
            if missing or stale or extra:
                self.stdout.write(f"  {tenant.code}: 缺少 {missing or '-'}  过期 {stale or '-'}  多余 {extra or '-'}")
        verb = "发现" if options["dry_run"] else "已修复"
        self.stdout.write(f"{verb}：缺少 {totals[0]} 条，过期 {totals[1]} 条，多余 {totals[2]} 条")
