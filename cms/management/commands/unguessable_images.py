"""python manage.py unguessable_images [--site CODE] [--dry-run]: random prefixes for old image names."""

from django.conf import settings
from django.core.management.base import BaseCommand
from tqdm import tqdm

from cms import image_names
from sites.commands import sites_for_option
from sites.models import Tenant


class Command(BaseCommand):
    help = "给升级前上传（或从旧备份恢复）、文件名可被猜到的图片加上随机前缀（草稿里的图片也直接在 /media/ 下）"

    def add_arguments(self, parser):
        parser.add_argument("--site", default=None, help="只处理这个站点（站点代码）")
        parser.add_argument("--dry-run", action="store_true", help="只列出，不改名")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, **options):
        # The provisioning template too: a new site starts from its images.
        sites = sites_for_option(options["site"], Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME))
        renamed = missing = failed = 0
        for tenant in tqdm(
            list(sites.order_by("code")), desc="检查图片文件名", unit="站", disable=options["no_progress"] or None
        ):
            result = image_names.rename_site(tenant, dry_run=options["dry_run"])
            for old, _new in result.renamed:
                self.stdout.write(f"{tenant.code}：{old}" + ("（待改名）" if options["dry_run"] else " 已改名"))
            for name in result.missing:
                self.stderr.write(f"{tenant.code}：{name} 文件不存在，未改名")
            for name, why in result.failed:
                self.stderr.write(f"{tenant.code}：{name} 未改名（{why}）")
            renamed += len(result.renamed)
            missing += len(result.missing)
            failed += len(result.failed)
        verb = "可改名" if options["dry_run"] else "已改名"
        self.stdout.write(
            f"{verb} {renamed} 个图片文件"
            + (f"，{missing} 个缺少文件" if missing else "")
            + (f"，{failed} 个未能改名（见上）" if failed else "")
        )
