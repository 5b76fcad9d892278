from django.core.management.base import BaseCommand
from tqdm import tqdm

from publishing.catalogue.services import reconcile_site
from sites.commands import sites_for_option


class Command(BaseCommand):
    help = "按各站点的在线页面核对并重建站群目录，报告差异。"

    def add_arguments(self, parser):
        parser.add_argument("--site", help="只核对这个站点")
        parser.add_argument("--dry-run", action="store_true", help="只报告，不修改")

    def handle(self, *args, **options):
        sites = sites_for_option(options["site"])
        totals = [0, 0, 0]
        for tenant in tqdm(list(sites), desc="核对站群目录", unit="站", disable=options["verbosity"] == 0):
            missing, stale, extra = reconcile_site(tenant, fix=not options["dry_run"])
            for i, ids in enumerate((missing, stale, extra)):
                totals[i] += len(ids)
            if missing or stale or extra:
                self.stdout.write(f"  {tenant.code}: 缺少 {missing or '-'}  过期 {stale or '-'}  多余 {extra or '-'}")
        verb = "发现" if options["dry_run"] else "已修复"
        self.stdout.write(f"{verb}：缺少 {totals[0]} 条，过期 {totals[1]} 条，多余 {totals[2]} 条")
